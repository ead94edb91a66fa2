package dev.docproc.inference.engine.compute.cpu;

/**
 * The reference for every CPU op: plain loops, float32 values, float32 accumulation in index order,
 * {@link Math} functions. Every faster path is tested against these.
 */
final class ScalarKernels implements Kernels {

  private static final ThreadLocal<float[]> ROW = ThreadLocal.withInitial(() -> new float[0]);

  static float[] scratch(ThreadLocal<float[]> local, int size) {
    float[] a = local.get();
    if (a.length < size) {
      a = new float[size];
      local.set(a);
    }
    return a;
  }

  @Override
  public void linear(
      float[] out, float[] x, float[] prepared, int n, CpuWeight w, float[] bias, int f0, int f1) {
    int in = w.cols();
    int outCols = w.rows();
    float[] row = scratch(ROW, in);
    for (int f = f0; f < f1; f++) {
      WeightRows.decode(w, f, 0, in, row);
      for (int i = 0; i < n; i++) {
        float sum = 0;
        for (int k = 0; k < in; k++) {
          sum += x[i * in + k] * row[k];
        }
        out[i * outCols + f] = bias == null ? sum : sum + bias[f];
      }
    }
  }

  @Override
  public void rmsNorm(float[] out, float[] x, int row, int cols, float[] w, float eps) {
    int o = row * cols;
    float ss = 0;
    for (int k = 0; k < cols; k++) {
      ss += x[o + k] * x[o + k];
    }
    float inv = (float) (1.0 / Math.sqrt(ss / cols + eps));
    for (int k = 0; k < cols; k++) {
      out[o + k] = w[k] * (x[o + k] * inv);
    }
  }

  @Override
  public void attendHead(float[] out, float[] q, float[] k, float[] v, AttentionHead h) {
    int nk = h.nk();
    int headDim = h.headDim();
    int kvStride = h.kvStride();
    int kvCol = h.kvCol();
    int kRow0 = h.kRow0();
    float[] att = new float[nk];
    for (int i = 0; i < h.nq(); i++) {
      int qo = (h.qRow0() + i) * h.qStride() + h.qCol();
      int visible = h.visible(i);
      float max = Float.NEGATIVE_INFINITY;
      for (int j = 0; j < visible; j++) {
        int ko = (kRow0 + j) * kvStride + kvCol;
        float s = 0;
        for (int d = 0; d < headDim; d++) {
          s += q[qo + d] * k[ko + d];
        }
        att[j] = s * h.scale();
        max = Math.max(max, att[j]);
      }
      float sum = 0;
      for (int j = 0; j < visible; j++) {
        att[j] = (float) Math.exp(att[j] - max);
        sum += att[j];
      }
      for (int d = 0; d < headDim; d++) {
        float o = 0;
        for (int j = 0; j < visible; j++) {
          o += att[j] * v[(kRow0 + j) * kvStride + kvCol + d];
        }
        out[qo + d] = o / sum;
      }
    }
  }

  @Override
  public void rope(float[] x, int row, int heads, int headDim, float[] cos, float[] sin) {
    int half = headDim / 2;
    int c0 = row * half;
    for (int h = 0; h < heads; h++) {
      int o = (row * heads + h) * headDim;
      for (int j = 0; j < half; j++) {
        float a = x[o + j];
        float b = x[o + half + j];
        float c = cos[c0 + j];
        float s = sin[c0 + j];
        x[o + j] = a * c - b * s;
        x[o + half + j] = b * c + a * s;
      }
    }
  }

  @Override
  public void siluMul(float[] gate, float[] up, int from, int to) {
    for (int i = from; i < to; i++) {
      float g = gate[i];
      gate[i] = (float) (g / (1.0 + Math.exp(-g))) * up[i];
    }
  }

  @Override
  public void gelu(float[] x, int from, int to) {
    for (int i = from; i < to; i++) {
      double a = x[i];
      x[i] = (float) (0.5 * a * (1.0 + Erf.erf(a / Math.sqrt(2.0))));
    }
  }

  @Override
  public void add(float[] x, float[] y, int from, int to) {
    for (int i = from; i < to; i++) {
      x[i] += y[i];
    }
  }
}
