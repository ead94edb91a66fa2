package dev.docproc.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.docproc.gpu.reference.GemmRef;
import java.util.Random;
import org.junit.jupiter.api.Test;

class W4LayoutTest {
  private final long seed = System.nanoTime();
  private final Random random = new Random(seed);

  @Test
  void repackThenUnpackGivesTheCheckpointBack() {
    for (int[] shape : new int[][] {{16, 64, 64}, {48, 256, 128}, {32, 384, 64}, {64, 512, 512}}) {
      W4Layout.Checkpoint original = randomCheckpoint(shape[0], shape[1], shape[2], false);
      W4Layout.Checkpoint back = repack(original, shape[2]).unpack();
      assertArrayEquals(original.packed(), back.packed(), "seed " + seed);
      assertArrayEquals(original.scales(), back.scales(), "seed " + seed);
      assertNull(back.gIdx());
    }
  }

  @Test
  void actOrderRoundTripRestoresGroupIndices() {
    W4Layout.Checkpoint original = randomCheckpoint(32, 512, 128, true);
    W4Layout layout = repack(original, 128);
    assertTrue(layout.perm() != null, "a shuffled g_idx needs a permutation");
    W4Layout.Checkpoint back = layout.unpack();
    assertArrayEquals(original.packed(), back.packed(), "seed " + seed);
    assertArrayEquals(original.scales(), back.scales(), "seed " + seed);
    assertArrayEquals(original.gIdx(), back.gIdx(), "seed " + seed);
  }

  @Test
  void trivialGroupIndexNeedsNoPermutation() {
    W4Layout.Checkpoint c = randomCheckpoint(16, 256, 64, false);
    int[] gIdx = new int[256];
    for (int i = 0; i < gIdx.length; i++) {
      gIdx[i] = i / 64;
    }
    assertNull(W4Layout.repack(16, 256, c.packed(), c.scales(), gIdx, 64).perm());
  }

  /**
   * Decodes the kernel layout the way the CUDA kernels do (dequant_w4 registers placed by the PTX
   * mma.m16n8k16 B-fragment rules) and checks it equals the checkpoint's dequantized weights, with
   * columns in kernel (permuted) order.
   */
  @Test
  void kernelFragmentsDecodeToTheDequantizedWeights() {
    for (boolean actOrder : new boolean[] {false, true}) {
      int n = 48;
      int k = 256;
      int groupSize = 64;
      W4Layout.Checkpoint checkpoint = randomCheckpoint(n, k, groupSize, actOrder);
      W4Layout layout = repack(checkpoint, groupSize);
      float[] dense = GemmRef.dequantize(checkpoint);
      float[] decoded = decodeLikeTheKernel(layout);
      for (int r = 0; r < n; r++) {
        for (int j = 0; j < k; j++) {
          int c = layout.perm() == null ? j : layout.perm()[j];
          assertEquals(
              dense[r * k + c], decoded[r * k + j], "row " + r + " col " + j + " seed " + seed);
        }
      }
    }
  }

  @Test
  void unsupportedShapesAreRefusedWithTheReason() {
    int[] packed = new int[16 * 100 / 8 + 2];
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> W4Layout.repack(16, 100, packed, new short[16], null, 100));
    assertTrue(e.getMessage().contains("in_features % 64"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> W4Layout.requireSupported(20, 128, 128));
    assertTrue(e.getMessage().contains("out_features % 16"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> W4Layout.requireSupported(16, 128, 32));
    assertTrue(e.getMessage().contains("group size"), e.getMessage());
  }

  @Test
  void unevenGroupsAreRefused() {
    W4Layout.Checkpoint c = randomCheckpoint(16, 128, 64, false);
    int[] gIdx = new int[128];
    gIdx[0] = 1; // group 0 gets 127 columns, group 1 just one... of 128
    for (int i = 1; i < 128; i++) {
      gIdx[i] = 0;
    }
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> W4Layout.repack(16, 128, c.packed(), c.scales(), gIdx, 64));
    assertTrue(e.getMessage().contains("exactly group_size"), e.getMessage());
  }

  @Test
  void wrongTensorSizeIsNamed() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> W4Layout.repack(16, 128, new int[10], new short[32], null, 64));
    assertTrue(e.getMessage().startsWith("weight_packed"), e.getMessage());
  }

  private static W4Layout repack(W4Layout.Checkpoint c, int groupSize) {
    return W4Layout.repack(c.n(), c.k(), c.packed(), c.scales(), c.gIdx(), groupSize);
  }

  private W4Layout.Checkpoint randomCheckpoint(int n, int k, int groupSize, boolean actOrder) {
    int[] packed = new int[n * k / 8];
    for (int i = 0; i < packed.length; i++) {
      packed[i] = random.nextInt();
    }
    int groups = k / groupSize;
    short[] scales = new short[n * groups];
    for (int i = 0; i < scales.length; i++) {
      scales[i] = Bf16.fromFloat((float) (random.nextGaussian() * 0.02));
    }
    int[] gIdx = null;
    if (actOrder) { // GPTQ act-order: a random column order, then groups of groupSize along it
      int[] order = random.ints(0, k).distinct().limit(k).toArray();
      gIdx = new int[k];
      for (int pos = 0; pos < k; pos++) {
        gIdx[order[pos]] = pos / groupSize;
      }
    }
    return new W4Layout.Checkpoint(n, k, packed, scales, gIdx);
  }

  /** Mirrors dequant_w4 and the fragment placement of w4a16_gemm.cu. */
  private static float[] decodeLikeTheKernel(W4Layout w) {
    int n = w.n();
    int k = w.k();
    float[] out = new float[n * k];
    int kBlocks = k / 64;
    for (int nt = 0; nt < n / 16; nt++) {
      for (int kb = 0; kb < kBlocks; kb++) {
        int group = kb * 64 / w.groupSize();
        for (int lane = 0; lane < 32; lane++) {
          int g = lane / 4;
          int t = lane % 4;
          float scaleLo = Bf16.toFloat(w.scales()[group * n + nt * 16 + g]);
          float scaleHi = Bf16.toFloat(w.scales()[group * n + nt * 16 + g + 8]);
          for (int j = 0; j < 4; j++) {
            int word = w.qw()[((nt * kBlocks + kb) * 32 + lane) * 4 + j];
            int k0 = kb * 64 + j * 16;
            for (int reg = 0; reg < 4; reg++) {
              // register reg = (nibble at bit 4·reg, nibble at bit 16 + 4·reg), a bf16 pair
              float lo =
                  Bf16.round((((word >>> (4 * reg)) & 0xf) - 8) * (reg < 2 ? scaleLo : scaleHi));
              float hi =
                  Bf16.round(
                      (((word >>> (16 + 4 * reg)) & 0xf) - 8) * (reg < 2 ? scaleLo : scaleHi));
              // B = Wᵀ fragments: reg 0 = b[0] (k 2t, 2t+1) and reg 1 = b[1] (k 2t+8, 2t+9) of the
              // n8 tile of rows g; regs 2, 3 the same for rows g + 8
              int row = nt * 16 + g + (reg >= 2 ? 8 : 0);
              int col = k0 + 2 * t + ((reg & 1) == 1 ? 8 : 0);
              out[row * k + col] = lo;
              out[row * k + col + 1] = hi;
            }
          }
        }
      }
    }
    return out;
  }
}
