package dev.docproc.inference.engine.testing;

import dev.docproc.inference.engine.model.DType;
import dev.docproc.inference.engine.model.Floats;
import dev.docproc.inference.engine.model.LittleEndian;
import dev.docproc.inference.engine.model.PackedInt4;
import dev.docproc.inference.engine.model.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

/** Fresh random tensors in checkpoint formats, off-heap like a mapped file. */
public final class RandomTensors {

  private final SplittableRandom random;

  public RandomTensors(long seed) {
    this.random = new SplittableRandom(seed);
  }

  public float[] floats(int n, double scale) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) ((random.nextDouble() * 2 - 1) * scale);
    }
    return a;
  }

  /** A tensor of {@code dtype} holding {@code values} (rounded to the dtype). */
  public static Tensor tensor(String name, DType dtype, float[] values, long... shape) {
    MemorySegment s = Arena.ofAuto().allocate((long) values.length * dtype.bytes, 8);
    for (int i = 0; i < values.length; i++) {
      switch (dtype) {
        case BF16 -> s.set(LittleEndian.SHORT, 2L * i, Floats.floatToBf16(values[i]));
        case F16 -> s.set(LittleEndian.SHORT, 2L * i, Floats.floatToF16(values[i]));
        case F32 -> s.set(LittleEndian.FLOAT, 4L * i, values[i]);
        default -> throw new IllegalArgumentException(dtype.toString());
      }
    }
    return new Tensor(name, dtype, shape, s);
  }

  public Tensor dense(String name, DType dtype, int rows, int cols, double scale) {
    return tensor(name, dtype, floats(rows * cols, scale), rows, cols);
  }

  public Tensor vector(String name, DType dtype, int n, double scale) {
    return tensor(name, dtype, floats(n, scale), n);
  }

  /** Random q ∈ [-8, 7] with random positive scales; gIdx shuffles columns among groups. */
  public PackedInt4 int4(
      String name, int rows, int cols, int groupSize, boolean gIdx, DType scaleType) {
    byte[] q = new byte[rows * cols];
    for (int i = 0; i < q.length; i++) {
      q[i] = (byte) (random.nextInt(16) - 8);
    }
    int groups = (cols + groupSize - 1) / groupSize;
    float[] scales = new float[rows * groups];
    for (int i = 0; i < scales.length; i++) {
      scales[i] = (float) (0.001 + random.nextDouble() * 0.02);
    }
    int[] g = null;
    if (gIdx) {
      g = new int[cols];
      for (int c = 0; c < cols; c++) {
        g[c] = c / groupSize;
      }
      for (int c = cols - 1; c > 0; c--) {
        int j = random.nextInt(c + 1);
        int t = g[c];
        g[c] = g[j];
        g[j] = t;
      }
    }
    return packed(name, q, rows, cols, scales, groups, g, scaleType);
  }

  public static PackedInt4 packed(
      String name,
      byte[] q,
      int rows,
      int cols,
      float[] scales,
      int groups,
      int[] gIdx,
      DType scaleType) {
    int[] words = PackedInt4.pack(q, rows, cols);
    MemorySegment p = Arena.ofAuto().allocate(words.length * 4L, 8);
    for (int i = 0; i < words.length; i++) {
      p.set(LittleEndian.INT, 4L * i, words[i]);
    }
    Tensor s = tensor(name + ".weight_scale", scaleType, scales, rows, groups);
    int groupSize = (cols + groups - 1) / groups;
    return new PackedInt4(name, rows, cols, p, (cols + 7) / 8 * 4L, s, groupSize, gIdx);
  }

  public static double relativeError(float[] out, float[] ref) {
    double num = 0;
    double den = 0;
    for (int i = 0; i < ref.length; i++) {
      double d = (double) out[i] - ref[i];
      num += d * d;
      den += (double) ref[i] * ref[i];
    }
    return Math.sqrt(num / den);
  }
}
