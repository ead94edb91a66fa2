package dev.docproc.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Plans the Qwen2.5-VL-3B W4A16 shapes of MODEL.md §1–2 on real device sizes. */
class MemoryPlanTest {
  private static final long GIB = 1L << 30;
  private static final int LAYERS = 36;
  private static final int HIDDEN = 2048;
  private static final int INTERMEDIATE = 11008;
  private static final int KV_HEADS = 2;
  private static final int HEAD_DIM = 128;
  private static final int VOCAB = 151936;

  /** W4 linear in kernel layout: packed nibbles + bf16 scales per 128 columns (+ bf16 bias). */
  private static long w4(int out, int in, boolean bias) {
    return (long) out * in / 2 + 2L * out * (in / 128) + (bias ? 2L * out : 0);
  }

  private static long bf16(long... dims) {
    long n = 2;
    for (long d : dims) {
      n *= d;
    }
    return n;
  }

  private static MemoryPlan.Builder qwen3b(int contextTokens) {
    long layer =
        w4(2048, 2048, true)
            + 2 * w4(256, 2048, true)
            + w4(2048, 2048, false)
            + 2 * w4(INTERMEDIATE, 2048, false)
            + w4(2048, INTERMEDIATE, false)
            + bf16(2 * HIDDEN);
    long visionBlock =
        bf16(3840, 1280)
            + bf16(3840)
            + bf16(1280, 1280)
            + bf16(1280)
            + 2 * bf16(3420, 1280)
            + 2 * bf16(3420)
            + bf16(1280, 3420)
            + bf16(1280)
            + bf16(2 * 1280);
    int prefill = 8192; // tokens per prefill step
    int patches = 16384; // vision patches of the largest image
    return MemoryPlan.builder()
        .weight("embed_tokens (tied lm_head)", bf16(VOCAB, HIDDEN))
        .weight("decoder layers", LAYERS * layer + bf16(HIDDEN))
        .weight("vision blocks", 32 * visionBlock)
        .weight(
            "patch embed + merger",
            bf16(1280, 1176)
                + bf16(5120, 5120)
                + bf16(5120)
                + bf16(2048, 5120)
                + bf16(2048)
                + bf16(1280))
        .workspace(
            "decoder activations", bf16(prefill, 2 * INTERMEDIATE) + 4 * bf16(prefill, HIDDEN))
        .workspace("vision activations", bf16(patches, 2 * 3420) + 4 * bf16(patches, 1280))
        .workspace("logits", 4L * 8 * VOCAB + bf16(8, VOCAB))
        .kvCache(LAYERS, KV_HEADS, HEAD_DIM, 16, 2)
        .minKvTokens(contextTokens);
  }

  @Test
  void fitsAnH100WithRoomForManySequences() {
    MemoryPlan plan = qwen3b(32768).plan(79 * GIB, "H100 80GB");
    // weights: 0.62 GiB embedding + ~1.3 GiB int4 decoder + ~1.3 GiB bf16 vision
    assertTrue(plan.weightBytes() > 3 * GIB && plan.weightBytes() < 4 * GIB, plan.describe());
    assertEquals(2L * LAYERS * 16 * KV_HEADS * HEAD_DIM * 2, plan.kvBlockBytes());
    assertTrue(
        plan.kvTokens() > 1_000_000,
        "an 80 GB card holds over a million KV tokens: " + plan.describe());
    assertTrue(plan.totalBytes() <= plan.budgetBytes(), plan.describe());
  }

  @Test
  void refusesA4GibCardWithTheNumbers() {
    var e =
        assertThrows(
            MemoryPlan.InsufficientDeviceMemoryException.class,
            () -> qwen3b(32768).plan(4 * GIB, "a 4 GiB card"));
    String m = e.getMessage();
    assertTrue(m.contains("does not fit on a 4 GiB card"), m);
    assertTrue(m.contains("weights") && m.contains("KV cache for 32768 tokens"), m);
  }

  @Test
  void kvCacheTakesWhatIsLeft() {
    MemoryPlan small = qwen3b(4096).plan(12 * GIB, "12 GiB");
    MemoryPlan large = qwen3b(4096).plan(24 * GIB, "24 GiB");
    long extraBudget = large.budgetBytes() - small.budgetBytes();
    assertEquals(extraBudget / small.kvBlockBytes(), large.kvBlocks() - small.kvBlocks(), 1);
  }

  @Test
  void requiresTheKvShape() {
    assertThrows(IllegalStateException.class, () -> MemoryPlan.builder().plan(GIB, "x"));
  }
}
