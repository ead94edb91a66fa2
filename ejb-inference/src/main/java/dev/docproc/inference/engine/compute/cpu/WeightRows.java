package dev.docproc.inference.engine.compute.cpu;

import dev.docproc.inference.engine.model.Floats;
import dev.docproc.inference.engine.model.LittleEndian;
import dev.docproc.inference.engine.model.PackedInt4;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Decodes slices of weight rows into float32, the plain way (reference and tile packing). */
final class WeightRows {

  private WeightRows() {}

  /** dst[0 .. k1-k0) = w[row][k0 .. k1). */
  static void decode(CpuWeight w, int row, int k0, int k1, float[] dst) {
    switch (w) {
      case CpuWeight.Dense d -> decodeDense(d, row, k0, k1, dst);
      case CpuWeight.Int4 q -> decodeInt4(q.w(), row, k0, k1, dst);
    }
  }

  static void decodeDense(CpuWeight.Dense d, int row, int k0, int k1, float[] dst) {
    if (d.values() != null) {
      System.arraycopy(d.values(), row * d.cols() + k0, dst, 0, k1 - k0);
      return;
    }
    MemorySegment s = d.data();
    long base = (long) row * d.cols();
    switch (d.dtype()) {
      case BF16 -> {
        for (int k = k0; k < k1; k++) {
          dst[k - k0] = Floats.bf16ToFloat(s.get(LittleEndian.SHORT, (base + k) * 2));
        }
      }
      case F16 -> {
        for (int k = k0; k < k1; k++) {
          dst[k - k0] = Floats.f16ToFloat(s.get(LittleEndian.SHORT, (base + k) * 2));
        }
      }
      case F32 -> {
        for (int k = k0; k < k1; k++) {
          dst[k - k0] = s.get(LittleEndian.FLOAT, (base + k) * 4);
        }
      }
      default -> throw new IllegalStateException(d.dtype().toString());
    }
  }

  static void decodeInt4(PackedInt4 w, int row, int k0, int k1, float[] dst) {
    MemorySegment p = w.packed();
    long rowOff = row * w.rowBytes();
    int group = -1;
    float scale = 0;
    for (int k = k0; k < k1; k++) {
      int g = w.groupOf(k);
      if (g != group) {
        group = g;
        scale = w.scale(row, g);
      }
      byte b = p.get(ValueLayout.JAVA_BYTE, rowOff + (k >> 1));
      int u = (k & 1) == 0 ? b & 0xf : (b >> 4) & 0xf;
      dst[k - k0] = (u - 8) * scale;
    }
  }
}
