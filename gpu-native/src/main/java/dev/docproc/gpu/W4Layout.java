package dev.docproc.gpu;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Int4 weights of one linear layer in the layout the W4A16 kernels read (see w4a16_gemm.cu), and
 * the repacking from the compressed-tensors "pack-quantized" checkpoint layout (MODEL.md §2.4).
 *
 * <p>Checkpoint: {@code packed int32 [N][K/8]}, nibble i of word j = column 8j+i, value u = q + 8;
 * {@code scales bf16 [N][K/group]}; optional {@code g_idx int32 [K]} (act-order: column c belongs
 * to group g_idx[c]). Kernel layout: {@code qw int32 [N/16][K/64][32 lanes][4]} with the nibble
 * order of mma fragments, {@code scales bf16 [K/group][N]}, and for act-order a column permutation
 * {@code perm [K]} under which groups are contiguous (the caller gathers X's columns by it).
 *
 * @param qw packed words, {@code [N/16][K/64][32][4]}
 * @param scales bf16 bits, {@code [K/group][N]}
 * @param perm kernel column j is checkpoint column perm[j]; null when the identity
 */
public record W4Layout(int n, int k, int groupSize, int[] qw, short[] scales, int[] perm) {

  /** The checkpoint form of the same weights: what {@link #unpack()} returns. */
  public record Checkpoint(int n, int k, int[] packed, short[] scales, int[] gIdx) {}

  /** Checks the shapes the GPU kernels support; the message names the offending value. */
  public static void requireSupported(int n, int k, int groupSize) {
    if (n <= 0 || n % 16 != 0) {
      throw new IllegalArgumentException("W4A16 on GPU needs out_features % 16 == 0, got " + n);
    }
    if (k <= 0 || k % 64 != 0) {
      throw new IllegalArgumentException("W4A16 on GPU needs in_features % 64 == 0, got " + k);
    }
    if (groupSize <= 0 || groupSize % 64 != 0 || k % groupSize != 0) {
      throw new IllegalArgumentException(
          "W4A16 on GPU needs a group size that is a multiple of 64 and divides in_features "
              + k
              + ", got "
              + groupSize);
    }
  }

  /** Repacks checkpoint tensors (row-major arrays as stored in safetensors) into kernel layout. */
  public static W4Layout repack(
      int n, int k, int[] packed, short[] checkpointScales, int[] gIdx, int groupSize) {
    requireSupported(n, k, groupSize);
    int groups = k / groupSize;
    requireLength("weight_packed", packed.length, (long) n * (k / 8));
    requireLength("weight_scale", checkpointScales.length, (long) n * groups);
    int[] perm = gIdx == null ? null : groupContiguousPermutation(gIdx, k, groupSize, groups);

    int kBlocks = k / 64;
    int[] qw = new int[n * (k / 8)];
    IntStream.range(0, n / 16)
        .parallel()
        .forEach(
            nt -> {
              for (int kb = 0; kb < kBlocks; kb++) {
                for (int lane = 0; lane < 32; lane++) {
                  for (int j = 0; j < 4; j++) {
                    int word = 0;
                    for (int slot = 0; slot < 8; slot++) {
                      int row = nt * 16 + slotRow(lane, slot);
                      int col = kb * 64 + j * 16 + slotColumn(lane, slot);
                      int c = perm == null ? col : perm[col];
                      word |= nibble(packed, k, row, c) << (4 * slot);
                    }
                    qw[fragmentIndex(nt, kb, lane, j, kBlocks)] = word;
                  }
                }
              }
            });

    short[] scales = new short[groups * n];
    for (int row = 0; row < n; row++) {
      for (int g = 0; g < groups; g++) {
        scales[g * n + row] = checkpointScales[row * groups + g];
      }
    }
    return new W4Layout(n, k, groupSize, qw, scales, perm);
  }

  /** The inverse of {@link #repack}: exactly the checkpoint tensors it was made from. */
  public Checkpoint unpack() {
    int groups = k / groupSize;
    int kBlocks = k / 64;
    int[] packed = new int[n * (k / 8)];
    for (int nt = 0; nt < n / 16; nt++) {
      for (int kb = 0; kb < kBlocks; kb++) {
        for (int lane = 0; lane < 32; lane++) {
          for (int j = 0; j < 4; j++) {
            int word = qw[fragmentIndex(nt, kb, lane, j, kBlocks)];
            for (int slot = 0; slot < 8; slot++) {
              int row = nt * 16 + slotRow(lane, slot);
              int col = kb * 64 + j * 16 + slotColumn(lane, slot);
              int c = perm == null ? col : perm[col];
              packed[row * (k / 8) + c / 8] |= ((word >>> (4 * slot)) & 0xf) << (4 * (c % 8));
            }
          }
        }
      }
    }
    short[] checkpointScales = new short[n * groups];
    for (int row = 0; row < n; row++) {
      for (int g = 0; g < groups; g++) {
        checkpointScales[row * groups + g] = scales[g * n + row];
      }
    }
    int[] gIdx = null;
    if (perm != null) {
      gIdx = new int[k];
      for (int j = 0; j < k; j++) {
        gIdx[perm[j]] = j / groupSize;
      }
    }
    return new Checkpoint(n, k, packed, checkpointScales, gIdx);
  }

  /** Bytes on the device: packed words, scales, and the permutation when there is one. */
  public long deviceBytes() {
    return 4L * qw.length + 2L * scales.length + (perm == null ? 0 : 4L * perm.length);
  }

  /** Index of (n-tile, k-block, lane, word) in {@code qw}. */
  static int fragmentIndex(int nt, int kb, int lane, int j, int kBlocks) {
    return ((nt * kBlocks + kb) * 32 + lane) * 4 + j;
  }

  /**
   * Row (0..15 inside the n-tile) of nibble {@code slot} (bits 4·slot..4·slot+3) of a lane's word:
   * slots 0,1,4,5 are row g = lane/4, slots 2,3,6,7 are row g + 8.
   */
  static int slotRow(int lane, int slot) {
    return lane / 4 + ((slot & 2) != 0 ? 8 : 0);
  }

  /**
   * Column (0..15 inside the word's 16 columns) of nibble {@code slot}: slot s and s+4 hold the
   * column pair (c, c+1) of mma register s, with c = 2t for registers 0, 2 and 2t + 8 for 1, 3.
   */
  static int slotColumn(int lane, int slot) {
    int t = lane % 4;
    int register = slot & 3;
    return 2 * t + ((register & 1) != 0 ? 8 : 0) + (slot >= 4 ? 1 : 0);
  }

  private static int nibble(int[] packed, int k, int row, int col) {
    return (packed[row * (k / 8) + col / 8] >>> (4 * (col % 8))) & 0xf;
  }

  private static void requireLength(String tensor, int actual, long expected) {
    if (actual != expected) {
      throw new IllegalArgumentException(
          tensor + " has " + actual + " elements, expected " + expected);
    }
  }

  /**
   * A permutation of the K columns that makes every group a contiguous run of groupSize columns
   * (stable: columns keep their order inside a group), or null when g_idx is already c / group.
   */
  private static int[] groupContiguousPermutation(int[] gIdx, int k, int groupSize, int groups) {
    requireLength("weight_g_idx", gIdx.length, k);
    int[] count = new int[groups];
    boolean identity = true;
    for (int c = 0; c < k; c++) {
      int g = gIdx[c];
      if (g < 0 || g >= groups) {
        throw new IllegalArgumentException(
            "weight_g_idx[" + c + "] = " + g + " is not a group index in [0, " + groups + ")");
      }
      count[g]++;
      identity &= g == c / groupSize;
    }
    for (int g = 0; g < groups; g++) {
      if (count[g] != groupSize) {
        throw new IllegalArgumentException(
            "weight_g_idx gives group "
                + g
                + " "
                + count[g]
                + " columns; the GPU kernels need exactly group_size = "
                + groupSize);
      }
    }
    if (identity) {
      return null;
    }
    Integer[] order = new Integer[k];
    Arrays.setAll(order, c -> c);
    Arrays.sort(order, Comparator.comparingInt(c -> gIdx[c]));
    return Arrays.stream(order).mapToInt(Integer::intValue).toArray();
  }
}
