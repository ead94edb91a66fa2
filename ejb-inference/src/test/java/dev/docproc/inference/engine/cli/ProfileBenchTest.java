package dev.docproc.inference.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.docproc.inference.engine.generate.Request;
import dev.docproc.inference.engine.vision.preprocess.ImagePreprocessor;
import dev.docproc.inference.engine.vision.preprocess.PreprocessorConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The workloads and the report of the model-card benchmark (its runs are benchmarks, not tests).
 */
class ProfileBenchTest {
  private static final Path QWEN_3B = Path.of("src/test/resources/qwen2.5-vl-3b");

  @Test
  void theCardsWorkloadsAreTheChatTemplateAroundOneImage() throws IOException {
    assertEquals(
        "1680x2240:64:128,640x480:128:128,480x360:0:128", ProfileBench.keys(ProfileBench.CARD));
    ImagePreprocessor pre =
        new ImagePreprocessor(PreprocessorConfig.load(QWEN_3B.resolve("preprocessor_config.json")));
    ProfileBench.Workload doc =
        new ProfileBench.Workload(ProfileBench.CARD.get(0), pre, new SplittableRandom(1), 151936);
    Request r = doc.next();
    // 15 template tokens, 4800 image tokens (grid 160 × 120 patches), vision end, 64 question
    // tokens, 5 closing tokens
    assertEquals(15 + 4800 + 1 + 64 + 5, r.prompt().length);
    assertEquals(19200 * 1176, r.pixels().length);
    assertEquals(128, r.params().maxTokens());
    assertEquals(0, r.params().stopTokenIds().length, "no stop token: exactly 128 new tokens");
    assertEquals(151653, r.prompt()[15 + 4800]);
    Request caption =
        new ProfileBench.Workload(ProfileBench.CARD.get(2), pre, new SplittableRandom(1), 151936)
            .next();
    assertEquals(15 + 221 + 1 + 0 + 5, caption.prompt().length); // 480×360 → 364×476: 221 tokens
  }

  @Test
  void otherProfilesParseAndHaveNoCardNumbers() {
    List<ProfileBench.Profile> p = ProfileBench.parse("640x480:128:128,112x112:4:6");
    assertEquals(ProfileBench.CARD.get(1), p.get(0));
    assertTrue(Double.isNaN(p.get(1).vllmSeconds()));
    assertEquals(112, p.get(1).height());
    assertThrows(IllegalArgumentException.class, () -> ProfileBench.parse("112x112:4"));
  }

  @Test
  void theReportNamesSkippedRowsAndThePeer() throws IOException {
    String json =
        """
        {"backend_choice": "compute backend: cuda (H100)", "backend": "cuda (H100, sm_90, bf16)",
         "copy_bandwidth_GBps": 3000, "weight_bytes_per_token": 2.05e9, "decode_floor_ms": 0.683,
         "load_s": 12.5,
         "single_stream": [{"profile": "captioning 480x360, 0/128", "key": "480x360:0:128",
           "ttft_s": 0.02, "decode_ms_per_token": 1.2, "total_s": 0.17, "vllm_total_s": 0.8}],
         "throughput": [
           {"profile": "captioning 480x360, 0/128", "key": "480x360:0:128", "concurrency": 8,
            "qps": 30.5, "mean_latency_s": 0.26, "vllm_max_qps": 4.4},
           {"profile": "captioning 480x360, 0/128", "key": "480x360:0:128", "concurrency": 16,
            "skipped": "time budget of 100.0 s spent"}],
         "peer": {"device": "NVIDIA H100", "dtype": "float16", "load_s": 30,
           "versions": {"torch": "2.11.0", "transformers": "5.17.0"},
           "single_stream": [{"profile": "480x360:0:128", "total_s": 2.5}],
           "throughput": [{"profile": "480x360:0:128", "concurrency": 8, "qps": 3.1},
             {"profile": "480x360:0:128", "concurrency": 16, "skipped": "out of memory"}]}}
        """;
    String t = ProfileBench.table(new ObjectMapper().readTree(json));
    assertTrue(
        t.contains("| captioning 480x360, 0/128 | 0.020 s | 1.20 ms | 0.170 s | 2.500 s | 0.8 s |"),
        t);
    assertTrue(t.contains("| captioning 480x360, 0/128 | 8 | 30.50 | 0.26 s | 3.10 | 4.4 |"), t);
    assertTrue(t.contains("| 16 | time budget of 100.0 s spent | | out of memory | |"), t);
    assertTrue(
        t.contains("decode floor 0.683 ms; best single-stream decode 1.200 ms = 1.76× the floor"),
        t);
    assertTrue(
        t.contains("PyTorch peer: NVIDIA H100, torch 2.11.0, transformers 5.17.0, float16"), t);
  }
}
