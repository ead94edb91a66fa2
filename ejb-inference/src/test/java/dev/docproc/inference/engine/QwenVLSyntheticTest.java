package dev.docproc.inference.engine;

import static dev.docproc.inference.engine.testing.RandomTensors.relativeError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.docproc.inference.engine.cli.SyntheticModel;
import dev.docproc.inference.engine.compute.Buf;
import dev.docproc.inference.engine.compute.Ops;
import dev.docproc.inference.engine.compute.Taps;
import dev.docproc.inference.engine.compute.cpu.CpuOps;
import dev.docproc.inference.engine.decoder.KvCache;
import dev.docproc.inference.engine.testing.RandomTensors;
import dev.docproc.inference.engine.vision.Grid;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole-model invariants on small synthetic checkpoints: the Vector API backend equals the scalar
 * one, prompt-at-once equals token-by-token through the KV cache, and the two name layouts and
 * sharded files load to the same function.
 */
class QwenVLSyntheticTest {
  private static final int IMG = 151655;
  private static final List<Grid> GRIDS = List.of(new Grid(1, 10, 12), new Grid(1, 4, 4));

  @TempDir static Path tmp;
  private static Ops simd;
  private static Ops scalar;

  @BeforeAll
  static void setUp() throws IOException {
    SyntheticModel.write(SyntheticModel.Spec.tiny(7), tmp.resolve("plain"));
    SyntheticModel.write(
        SyntheticModel.Spec.tiny(7).with(32, false, true, 3), tmp.resolve("nested"));
    SyntheticModel.write(SyntheticModel.Spec.tiny(7).with(16, true, false, 1), tmp.resolve("gidx"));
    simd = new CpuOps(new CpuOps.Options(2, true));
    scalar = new CpuOps(new CpuOps.Options(2, false));
  }

  @AfterAll
  static void tearDown() {
    simd.close();
    scalar.close();
  }

  /** 3 text tokens, image 1 (30 tokens), 2 text, image 2 (4 tokens), 4 text. */
  private static int[] prompt() {
    int[] ids = new int[3 + 30 + 2 + 4 + 4];
    int i = 0;
    for (int t : new int[] {151644, 72, 151652}) {
      ids[i++] = t;
    }
    for (int t = 0; t < 30; t++) {
      ids[i++] = IMG;
    }
    ids[i++] = 151653;
    ids[i++] = 151652;
    for (int t = 0; t < 4; t++) {
      ids[i++] = IMG;
    }
    for (int t : new int[] {151653, 101, 33, 198}) {
      ids[i++] = t;
    }
    return ids;
  }

  private static float[] pixels() {
    return new RandomTensors(11).floats((120 + 16) * 1176, 2);
  }

  /** Logits of every prompt position, prompt at once. */
  private static float[] allLogits(Path dir, Ops ops) {
    try (QwenVL m = QwenVL.load(dir, ops, Taps.OFF);
        Buf img = m.encodeImages(pixels(), GRIDS);
        KvCache cache = m.decoder().newCache(64);
        Buf logits = m.decoder().prefill(cache, prompt(), GRIDS, img, true)) {
      return ops.read(logits, 0, prompt().length);
    }
  }

  @Test
  void vectorBackendEqualsScalarReference() {
    float[] a = allLogits(tmp.resolve("plain"), simd);
    float[] b = allLogits(tmp.resolve("plain"), scalar);
    assertTrue(relativeError(a, b) < 1e-5, "relative error " + relativeError(a, b));
    float[] g1 = allLogits(tmp.resolve("gidx"), simd);
    float[] g2 = allLogits(tmp.resolve("gidx"), scalar);
    assertTrue(relativeError(g1, g2) < 1e-5, "g_idx relative error " + relativeError(g1, g2));
  }

  @Test
  void nestedNamesAndShardsLoadTheSameWeights() {
    // same seed and group size 32: identical tensors, stored as model.language_model.* in 3 shards
    assertArrayEquals(
        allLogits(tmp.resolve("plain"), simd), allLogits(tmp.resolve("nested"), simd));
  }

  @Test
  void kvCacheStepsEqualThePromptAtOnce() {
    int[] ids = prompt();
    int vocab = 151936;
    float[] all = allLogits(tmp.resolve("plain"), simd);
    int split = ids.length - 3; // the last three tokens are fed one by one
    try (QwenVL m = QwenVL.load(tmp.resolve("plain"), simd, Taps.OFF);
        Buf img = m.encodeImages(pixels(), GRIDS);
        KvCache cache = m.decoder().newCache(64)) {
      float[] first =
          simd.read(
              m.decoder().prefill(cache, java.util.Arrays.copyOf(ids, split), GRIDS, img, false),
              0,
              1);
      assertClose(java.util.Arrays.copyOfRange(all, (split - 1) * vocab, split * vocab), first);
      for (int p = split; p < ids.length; p++) {
        float[] step = simd.read(m.decoder().step(cache, ids[p]), 0, 1);
        assertClose(java.util.Arrays.copyOfRange(all, p * vocab, (p + 1) * vocab), step);
      }
      assertEquals(ids.length, cache.length());
    }
  }

  private static void assertClose(float[] expected, float[] actual) {
    double err = relativeError(actual, expected);
    assertTrue(err < 1e-5, "relative error " + err);
  }
}
