package dev.docproc.inference.engine.model;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A compressed-tensors {@code pack-quantized} int4 weight [rows, cols] (MODEL.md §2.4–2.5): eight
 * 4-bit values per little-endian int32, so in the byte stream of a row column c is byte c/2, low
 * nibble for even c; stored value u = q + 8 with q ∈ [-8, 7]. {@code W[r][c] = q · scale[r][g(c)]}
 * with g(c) = c / groupSize, or {@code gIdx[c]} when the checkpoint stores {@code weight_g_idx}.
 *
 * @param packed the {@code weight_packed} bytes, {@code rowBytes} per row
 * @param scales the {@code weight_scale} tensor [rows, groups] (BF16, F16 or F32)
 * @param groupSize columns per group (cols for one scale per row)
 * @param gIdx group of each column, or null when groups are contiguous
 */
public record PackedInt4(
    String name,
    int rows,
    int cols,
    MemorySegment packed,
    long rowBytes,
    Tensor scales,
    int groupSize,
    int[] gIdx) {

  /**
   * Reads {@code prefix.weight_packed}, {@code .weight_scale}, {@code .weight_shape} and the
   * optional {@code .weight_g_idx} / {@code .weight_zero_point}, checking them against [rows,
   * cols].
   */
  public static PackedInt4 load(Checkpoint ckpt, String prefix, int rows, int cols) {
    Tensor packed = ckpt.get(prefix + ".weight_packed").expectDtype(DType.I32);
    int packedCols = (cols + 7) / 8;
    packed.expectShape(rows, packedCols);
    if (ckpt.has(prefix + ".weight_shape")) {
      Tensor shape = ckpt.get(prefix + ".weight_shape").expectShape(2);
      if (shape.getLong(0) != rows || shape.getLong(1) != cols) {
        throw new ModelFormatException(
            "tensor '"
                + shape.name()
                + "' says ["
                + shape.getLong(0)
                + ", "
                + shape.getLong(1)
                + "] but the config implies ["
                + rows
                + ", "
                + cols
                + "]");
      }
    }
    if (ckpt.has(prefix + ".weight_zero_point")) {
      Tensor zp = ckpt.get(prefix + ".weight_zero_point");
      for (long i = 0; i < zp.numel(); i++) {
        if (zp.getLong(i) != 0) {
          throw new ModelFormatException(
              "tensor '"
                  + zp.name()
                  + "' holds non-zero zero points: asymmetric int4 is not supported");
        }
      }
    }
    Tensor scale = ckpt.get(prefix + ".weight_scale").expectDtype(DType.BF16, DType.F16, DType.F32);
    if (scale.rank() != 2 || scale.shape()[0] != rows) {
      throw new ModelFormatException(
          "tensor '"
              + scale.name()
              + "' has shape "
              + scale.shapeString()
              + ", expected ["
              + rows
              + ", groups]");
    }
    int groups = Math.toIntExact(scale.shape()[1]);
    int[] gIdx = null;
    int groupSize;
    if (ckpt.has(prefix + ".weight_g_idx")) {
      Tensor g = ckpt.get(prefix + ".weight_g_idx").expectDtype(DType.I32, DType.I64);
      g.expectShape(cols);
      gIdx = new int[cols];
      for (int c = 0; c < cols; c++) {
        long v = g.getLong(c);
        if (v < 0 || v >= groups) {
          throw new ModelFormatException(
              "tensor '" + g.name() + "' column " + c + " names group " + v + " of " + groups);
        }
        gIdx[c] = (int) v;
      }
      groupSize = (cols + groups - 1) / groups;
    } else {
      groupSize = (cols + groups - 1) / groups;
      if ((cols + groupSize - 1) / groupSize != groups) {
        throw new ModelFormatException(
            "tensor '"
                + scale.name()
                + "' has "
                + groups
                + " groups, which cannot cover "
                + cols
                + " columns evenly");
      }
    }
    return new PackedInt4(
        prefix, rows, cols, packed.data(), packedCols * 4L, scale, groupSize, gIdx);
  }

  /** Rows [start, start + count), sharing the bytes (used to split a fused projection). */
  public PackedInt4 sliceRows(int start, int count) {
    return new PackedInt4(
        name,
        count,
        cols,
        packed.asSlice(start * rowBytes, count * rowBytes),
        rowBytes,
        scales.sliceRows(start, count),
        groupSize,
        gIdx);
  }

  public int groups() {
    return Math.toIntExact(scales.shape()[1]);
  }

  public int groupOf(int col) {
    return gIdx == null ? col / groupSize : gIdx[col];
  }

  /** The signed 4-bit value q ∈ [-8, 7] at [r, c]. */
  public int q(int r, int c) {
    byte b = packed.get(ValueLayout.JAVA_BYTE, r * rowBytes + (c >> 1));
    return ((c & 1) == 0 ? b & 0xf : (b >> 4) & 0xf) - 8;
  }

  public float scale(int r, int g) {
    return scales.getFloat((long) r * groups() + g);
  }

  /** The scales of row r, widened to float32, into {@code out[0 .. groups)}. */
  public void scalesOfRow(int r, float[] out) {
    int groups = groups();
    long base = (long) r * groups;
    for (int g = 0; g < groups; g++) {
      out[g] = scales.getFloat(base + g);
    }
  }

  /** Row r of the dense weight, exactly q · scale in float32 (the product needs ≤ 12 bits). */
  public void dequantizeRow(int r, float[] out) {
    for (int c = 0; c < cols; c++) {
      out[c] = q(r, c) * scale(r, groupOf(c));
    }
  }

  /**
   * Packs signed values q[r][c] ∈ [-8, 7] into the {@code weight_packed} int32 layout, rows padded
   * to a multiple of 8 columns with stored zeros, as compressed-tensors' {@code pack_to_int32}.
   */
  public static int[] pack(byte[] q, int rows, int cols) {
    int packedCols = (cols + 7) / 8;
    int[] out = new int[rows * packedCols];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        int v = q[r * cols + c];
        if (v < -8 || v > 7) {
          throw new IllegalArgumentException("int4 value " + v + " at [" + r + ", " + c + "]");
        }
        out[r * packedCols + c / 8] |= (v + 8) << (4 * (c % 8));
      }
    }
    return out;
  }
}
