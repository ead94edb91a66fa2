package dev.docproc.inference.engine.compute.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.docproc.gpu.MemoryPlan;
import dev.docproc.inference.engine.decoder.KvPool;
import dev.docproc.inference.engine.model.Checkpoint;
import dev.docproc.inference.engine.model.ModelConfig;
import dev.docproc.inference.engine.model.NameMap;
import dev.docproc.inference.engine.model.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Device memory planned for the published 3B model and for the tiny fixture models. */
class CudaMemoryTest {
  private static final Path QWEN_3B = Path.of("src/test/resources/qwen2.5-vl-3b");
  private static final long GIB = 1L << 30;

  private static MemoryPlan plan3b(int maxBatch, int maxContext, long free) {
    return CudaMemory.plan(
        ModelConfig.load(QWEN_3B),
        ModelConfig.maxPixels(QWEN_3B),
        maxBatch,
        maxContext,
        0.9,
        free,
        "NVIDIA H100 80GB HBM3");
  }

  @Test
  void the3bModelFitsAnH100WithRoomForTheLargestBatch() {
    MemoryPlan p = plan3b(32, 32768, 79 * GIB);
    // decoder: 36 × (int4 q,k,v,o,gate,up,down + bf16 scales, biases, norms) + final norm;
    // embedding (tied lm_head) bf16; vision tower bf16, its 3420-wide rows and biases padded to
    // 3424
    long decoder = 36L * 39_752_704 + 4096;
    long embedding = 151936L * 2048 * 2;
    long vision = 1_337_696_768L;
    assertEquals(decoder + embedding + vision, p.weightBytes());
    assertTrue(p.weightBytes() < 3.2 * GIB, p.describe());
    // the vision tower at max_pixels (65536 patches) dominates the workspaces
    assertTrue(p.workspaceBytes() > 2 * GIB && p.workspaceBytes() < 6 * GIB, p.describe());
    // KV: 36 layers × K and V × 2 kv heads × 128 × bf16 = 36 KiB per token
    assertEquals(2L * 36 * KvPool.BLOCK_SIZE * 256 * 2, p.kvBlockBytes());
    assertTrue(p.kvTokens() >= 32L * 32768, "32 full-length sequences fit: " + p.describe());
  }

  @Test
  void aSmallCardGetsTheSizesInTheError() {
    MemoryPlan.InsufficientDeviceMemoryException e =
        assertThrows(
            MemoryPlan.InsufficientDeviceMemoryException.class, () -> plan3b(1, 32768, 4 * GIB));
    String m = e.getMessage();
    assertTrue(m.startsWith("the model does not fit on NVIDIA H100 80GB HBM3: it needs "), m);
    assertTrue(m.contains("weights 3.16 GiB"), m);
    assertTrue(m.contains("KV cache for 32768 tokens 1.13 GiB"), m);
    assertTrue(m.contains("4.00 GiB free × utilization 0.90"), m);
  }

  /**
   * The plan's weight bytes, derived from config.json, equal what CudaOps uploads of the actual
   * checkpoint: every tensor but weight_shape, bf16 rows padded to 8 values.
   */
  @ParameterizedTest
  @ValueSource(strings = {"tiny-w4a16-g128-weight", "tiny-w4a16-g64-group"})
  void weightsOfTheTinyFixturesMatchTheirCheckpoints(String name) throws IOException {
    Path dir = Path.of("src/test/resources/reference/models", name);
    ModelConfig config = ModelConfig.load(dir);
    long stored = 0;
    try (Checkpoint ckpt = Checkpoint.open(dir, NameMap.QWEN2_5_VL)) {
      for (String t : ckpt.names()) {
        if (t.endsWith(".weight_shape")) {
          continue;
        }
        Tensor x = ckpt.get(t);
        if (t.endsWith(".weight_packed") || t.endsWith(".weight_scale") || t.endsWith("_g_idx")) {
          stored += x.data().byteSize();
        } else {
          long rows = x.rank() == 1 ? 1 : x.rows();
          long cols = x.rank() == 1 ? x.numel() : x.cols();
          stored += rows * ((cols + 7) / 8 * 8) * 2;
        }
      }
    }
    MemoryPlan p =
        CudaMemory.plan(config, ModelConfig.maxPixels(dir), 4, 4096, 0.9, 8 * GIB, "test GPU");
    assertEquals(stored, p.weightBytes());
    assertTrue(p.kvTokens() > 100_000, p.describe());
  }

  @Test
  void poolSizeClassesBoundTheRounding() {
    assertEquals(512, BufferPool.sizeClass(1));
    assertEquals(512, BufferPool.sizeClass(512));
    assertEquals(1024, BufferPool.sizeClass(513));
    assertEquals(1L << 20, BufferPool.sizeClass((1 << 20) - 5));
    assertEquals(2L << 20, BufferPool.sizeClass((1 << 20) + 1));
    assertEquals(4L << 20, BufferPool.sizeClass((2L << 20) + 1));
    assertEquals(600L << 20, BufferPool.sizeClass((600L << 20) - 3));
    assertThrows(IllegalArgumentException.class, () -> BufferPool.sizeClass(0));
  }

  @Test
  void theFixtureFolderHoldsOnlyConfiguration() throws IOException {
    try (Stream<Path> files = Files.list(QWEN_3B)) {
      assertTrue(files.noneMatch(f -> f.toString().endsWith(".safetensors")));
    }
  }
}
