package dev.docproc.gpu.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.docproc.gpu.Bf16;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AttentionRefTest {
  private final long seed = System.nanoTime();
  private final Random random = new Random(seed);

  @Test
  void singleKeyReturnsItsValueAndEqualKeysAverage() {
    float[] q = {1, 0};
    float[] o =
        AttentionRef.prefill(
            q, new float[] {5, 5}, new float[] {3, -2}, new int[] {0, 1}, 1, 1, 2, 1f, false);
    assertArrayEquals(new float[] {3, -2}, o);
    // two tokens, identical keys: the second query (non-causal) averages both values
    float[] k = {1, 1, 1, 1};
    float[] v = {2, 4, 6, 8};
    o = AttentionRef.prefill(new float[] {1, 0, 1, 0}, k, v, new int[] {0, 2}, 1, 1, 2, 1f, false);
    assertArrayEquals(new float[] {4, 6, 4, 6}, o);
    // causal: the first token sees only itself
    o = AttentionRef.prefill(new float[] {1, 0, 1, 0}, k, v, new int[] {0, 2}, 1, 1, 2, 1f, true);
    assertArrayEquals(new float[] {2, 4, 4, 6}, o);
  }

  @Test
  void segmentsDoNotSeeEachOther() {
    int d = 4;
    float[] q = randomBf16(3 * d);
    float[] k = randomBf16(3 * d);
    float[] v = randomBf16(3 * d);
    float[] joint = AttentionRef.prefill(q, k, v, new int[] {0, 1, 3}, 1, 1, d, 0.5f, false);
    float[] alone =
        AttentionRef.prefill(
            slice(q, d, 3 * d),
            slice(k, d, 3 * d),
            slice(v, d, 3 * d),
            new int[] {0, 2},
            1,
            1,
            d,
            0.5f,
            false);
    assertArrayEquals(alone, slice(joint, d, 3 * d), "seed " + seed);
    assertArrayEquals(slice(v, 0, d), slice(joint, 0, d), "a one-token segment returns its value");
  }

  /** Decode over shuffled cache pages equals the last row of causal prefill (GQA 4:1). */
  @Test
  void pagedDecodeEqualsCausalPrefillLastRow() {
    int hq = 4;
    int hkv = 1;
    int d = 8;
    int len = 21;
    int blockSize = 4;
    float[] q = randomBf16(len * hq * d);
    float[] k = randomBf16(len * hkv * d);
    float[] v = randomBf16(len * hkv * d);
    float scale = (float) (1 / Math.sqrt(d));
    float[] prefill = AttentionRef.prefill(q, k, v, new int[] {0, len}, hq, hkv, d, scale, true);

    int blocks = (len + blockSize - 1) / blockSize;
    List<Integer> pages = new ArrayList<>();
    for (int i = 0; i < blocks + 3; i++) {
      pages.add(i);
    }
    Collections.shuffle(pages, random);
    int[] table = pages.subList(0, blocks).stream().mapToInt(Integer::intValue).toArray();
    float[] kCache = new float[(blocks + 3) * blockSize * hkv * d];
    float[] vCache = new float[kCache.length];
    int[] slots = new int[len];
    for (int p = 0; p < len; p++) {
      slots[p] = table[p / blockSize] * blockSize + p % blockSize;
    }
    AttentionRef.kvAppend(k, v, slots, kCache, vCache, hkv * d);
    float[] decode =
        AttentionRef.decode(
            slice(q, (len - 1) * hq * d, len * hq * d),
            kCache,
            vCache,
            table,
            blocks,
            new int[] {len},
            blockSize,
            hq,
            hkv,
            d,
            scale);
    assertArrayEquals(slice(prefill, (len - 1) * hq * d, len * hq * d), decode, "seed " + seed);
  }

  @Test
  void kvAppendSkipsNegativeSlots() {
    float[] cache = new float[4];
    AttentionRef.kvAppend(
        new float[] {1, 2}, new float[] {3, 4}, new int[] {1, -1}, cache, new float[4], 1);
    assertEquals(1f, cache[1]);
    assertEquals(0f, cache[0] + cache[2] + cache[3]);
  }

  private float[] randomBf16(int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = Bf16.round((float) random.nextGaussian());
    }
    return a;
  }

  private static float[] slice(float[] a, int from, int to) {
    return java.util.Arrays.copyOfRange(a, from, to);
  }
}
