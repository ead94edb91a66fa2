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
import dev.docproc.inference.engine.generate.Generation;
import dev.docproc.inference.engine.generate.GenerationListener;
import dev.docproc.inference.engine.generate.Generator;
import dev.docproc.inference.engine.generate.SamplingParams;
import dev.docproc.inference.engine.model.SafeTensorsFile;
import dev.docproc.inference.engine.model.Tensor;
import dev.docproc.inference.engine.testing.RandomTensors;
import dev.docproc.inference.engine.vision.Grid;
import dev.docproc.inference.engine.vision.VisionGeometry;
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

      // vision window permutation and segments, exactly
      if (!grids.isEmpty()) {
        var vc = model.config().vision();
        var windows =
            VisionGeometry.windows(grids, vc.windowSize(), vc.spatialMergeSize(), vc.patchSize());
        assertArrayEquals(
            longs(ref.tensors().get("window_index")), windows.index(), "window_index");
        assertArrayEquals(
            longs(ref.tensors().get("cu_window_seqlens")), windows.segments(), "cu_window_seqlens");
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
        if (image != null) {
          image.close();
        }
      }

      // greedy with the generation_config's repetition penalty, through the generate loop
      JsonNode penalized = c.get("penalized_greedy");
      SamplingParams p =
          SamplingParams.greedy(greedy.length)
              .withRepetitionPenalty((float) penalized.get("repetition_penalty").asDouble());
      float[] pixels =
          grids.isEmpty() ? new float[0] : ref.tensors().get("pixel_values").toFloatArray();
      Generation g =
          new Generator(model, OPS, tokenIds -> "", 4096)
              .generate(ids, pixels, grids, p, GenerationListener.NONE, () -> false);
      assertArrayEquals(
          ints(penalized.get("tokens")), g.tokens(), "repetition-penalty greedy tokens");
      System.out.printf(
          "reference %s/%s: %d prompt tokens, %d greedy tokens (plain and with penalty) equal,"
              + " largest relative error %.2e%n",
          modelDir.getFileName(), caseJson.getFileName(), ids.length, greedy.length, worst);
    }
  }

  /** The debug taps of the one case that has them, against the same names recorded here. */
  @org.junit.jupiter.api.Test
  void debugTapsMatchLayerByLayer() throws IOException {
    Path caseJson = ROOT.resolve("models/tiny-w4a16-g128-weight/cases/rgb-png.json");
    JsonNode c = new ObjectMapper().readTree(caseJson.toFile());
    JsonNode shapes = c.get("taps").get("shapes");
    Taps taps = Taps.matching("(vision\\.(patch_embed|blocks\\.\\d+)|text\\..*)");
    try (SafeTensorsFile ref =
            SafeTensorsFile.open(caseJson.resolveSibling(c.get("taps").get("file").asText()));
        SafeTensorsFile tensors =
            SafeTensorsFile.open(caseJson.resolveSibling("rgb-png.safetensors"));
        QwenVL model = QwenVL.load(caseJson.getParent().getParent(), OPS, taps)) {
      JsonNode g = c.get("image_grid_thw").get(0);
      List<Grid> grids = List.of(new Grid(g.get(0).asInt(), g.get(1).asInt(), g.get(2).asInt()));
      int[] ids = ints(c.get("input_ids"));
      try (Buf image =
              model.encodeImages(tensors.tensors().get("pixel_values").toFloatArray(), grids);
          KvCache cache = model.decoder().newCache(ids.length)) {
        model.decoder().prefill(cache, ids, grids, image, true).close();
      }
      var recorded = taps.recorded();
      for (var it = shapes.fieldNames(); it.hasNext(); ) {
        String name = it.next();
        assertTrue(recorded.containsKey(name), "tap " + name + " was not recorded");
        assertClose(ref.tensors().get(name).toFloatArray(), recorded.get(name), "tap " + name);
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

  private static int[] longs(Tensor t) {
    int[] out = new int[Math.toIntExact(t.numel())];
    for (int i = 0; i < out.length; i++) {
      out[i] = Math.toIntExact(t.getLong(i));
    }
    return out;
  }

  private static int[] ints(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asInt();
    }
    return out;
  }
}
