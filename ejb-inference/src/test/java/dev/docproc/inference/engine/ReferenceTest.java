package dev.docproc.inference.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.docproc.inference.engine.compute.Buf;
import dev.docproc.inference.engine.compute.Ops;
import dev.docproc.inference.engine.compute.Taps;
import dev.docproc.inference.engine.compute.cpu.CpuOps;
import dev.docproc.inference.engine.decoder.KvCache;
import dev.docproc.inference.engine.decoder.MRope;
import dev.docproc.inference.engine.model.SafeTensorsFile;
import dev.docproc.inference.engine.model.Tensor;
import dev.docproc.inference.engine.testing.RandomTensors;
import dev.docproc.inference.engine.vision.Grid;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The engine against Hugging Face transformers on the reference fixtures (tools/reference): for
 * every model and case, the M-RoPE positions exactly, the vision features and the logits at every
 * prompt position within relative error 1e-4 computing in float32 (the reference is transformers in
 * float32 from the bf16-stored weights), and the same 32 greedy tokens.
 */
class ReferenceTest {
  /** Relative error ||out − ref|| / ||ref|| allowed per tensor and per logits row. */
  static final double TOLERANCE = 1e-4;

  private static final Path ROOT =
      Path.of(System.getProperty("docproc.reference.dir", "src/test/resources/reference"));
  private static final Ops OPS = CpuOps.create();

  @AfterAll
  static void close() {
    OPS.close();
  }

  @TestFactory
  Stream<DynamicTest> everyCaseOfEveryModel() throws IOException {
    Path models = ROOT.resolve("models");
    assertTrue(Files.isDirectory(models), "no reference fixtures at " + models.toAbsolutePath());
    List<DynamicTest> tests = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(models)) {
      for (Path model : dirs.sorted().toList()) {
        try (Stream<Path> cases = Files.list(model.resolve("cases"))) {
          for (Path c : cases.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
            tests.add(
                DynamicTest.dynamicTest(
                    model.getFileName() + "/" + c.getFileName(), () -> check(model, c)));
          }
        }
      }
    }
    assertFalse(tests.isEmpty(), "no reference cases under " + models);
    return tests.stream();
  }

  private static void check(Path modelDir, Path caseJson) throws IOException {
    JsonNode c = new ObjectMapper().readTree(caseJson.toFile());
    worst = 0;
    int[] ids = ints(c.get("input_ids"));
    List<Grid> grids = new ArrayList<>();
    for (JsonNode g : c.get("image_grid_thw")) {
      grids.add(new Grid(g.get(0).asInt(), g.get(1).asInt(), g.get(2).asInt()));
    }
    Path tensors =
        caseJson.resolveSibling(caseJson.getFileName().toString().replace(".json", ".safetensors"));
    try (SafeTensorsFile ref = SafeTensorsFile.open(tensors);
        QwenVL model = QwenVL.load(modelDir, OPS, Taps.OFF)) {
      int vocab = model.config().text().vocabSize();

      // M-RoPE positions, exactly
      int[][] pos = MRope.positions(ids, grids, model.config().imageTokenId(), 2);
      Tensor refPos = ref.tensors().get("position_ids");
      for (int r = 0; r < 3; r++) {
        for (int i = 0; i < ids.length; i++) {
          assertEquals(
              refPos.getLong((long) r * ids.length + i),
              pos[r][i],
              "position [" + r + "][" + i + "]");
        }
      }

      // vision features
      Buf image = null;
      if (!grids.isEmpty()) {
        image = model.encodeImages(ref.tensors().get("pixel_values").toFloatArray(), grids);
        float[] features = OPS.read(image, 0, image.rows());
        assertClose(
            ref.tensors().get("vision_features").toFloatArray(), features, "vision features");
      }

      // logits at every prompt position, then 32 greedy tokens through the KV cache
      int[] greedy = ints(c.get("greedy_tokens"));
      float[] refLogits = ref.tensors().get("logits").toFloatArray();
      float[] refGenerated = ref.tensors().get("generated_logits").toFloatArray();
      try (KvCache cache = model.decoder().newCache(ids.length + greedy.length)) {
        Buf logits = model.decoder().prefill(cache, ids, grids, image, true);
        float[] all = OPS.read(logits, 0, ids.length);
        for (int i = 0; i < ids.length; i++) {
          assertClose(
              Arrays.copyOfRange(refLogits, i * vocab, (i + 1) * vocab),
              Arrays.copyOfRange(all, i * vocab, (i + 1) * vocab),
              "logits at prompt position " + i);
        }
        float[] step = Arrays.copyOfRange(all, (ids.length - 1) * vocab, ids.length * vocab);
        int[] tokens = new int[greedy.length];
        for (int t = 0; t < greedy.length; t++) {
          assertClose(
              Arrays.copyOfRange(refGenerated, t * vocab, (t + 1) * vocab),
              step,
              "logits of greedy step " + t);
          tokens[t] = argmax(step);
          if (t + 1 < greedy.length) {
            step = OPS.read(model.decoder().step(cache, tokens[t]), 0, 1);
          }
        }
        assertArrayEquals(greedy, tokens, "greedy tokens");
        System.out.printf(
            "reference %s/%s: %d prompt tokens, %d greedy tokens equal, largest relative error %.2e%n",
            modelDir.getFileName(), caseJson.getFileName(), ids.length, tokens.length, worst);
      }
    }
  }

  private static int argmax(float[] x) {
    int best = 0;
    for (int i = 1; i < x.length; i++) {
      if (x[i] > x[best]) {
        best = i;
      }
    }
    return best;
  }

  /** Largest relative error seen in the current case, for the summary line. */
  private static double worst;

  private static void assertClose(float[] ref, float[] out, String what) {
    double err = RandomTensors.relativeError(out, ref);
    worst = Math.max(worst, err);
    assertTrue(err <= TOLERANCE, what + ": relative error " + err + " > " + TOLERANCE);
  }

  private static int[] ints(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asInt();
    }
    return out;
  }
}
