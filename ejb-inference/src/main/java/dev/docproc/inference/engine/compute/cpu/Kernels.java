package dev.docproc.inference.engine.compute.cpu;

/**
 * The CPU kernels behind {@link CpuOps}, each over a slice of the work that {@link CpuOps} hands to
 * one thread. {@link ScalarKernels} is the plain reference; {@link SimdKernels} the Vector API
 * version checked against it.
 */
interface Kernels {

  /**
   * x rearranged once for {@link #linear} and shared by every thread's call (e.g. permuted for a
   * packed weight layout), or null when the kernels read x as it is.
   */
  default float[] prepare(float[] x, int n, CpuWeight w) {
    return null;
  }

  /**
   * out[i, f] = x[i] · w[f] (+ bias[f]) for i < n and features f in [f0, f1); {@code prepared} is
   * what {@link #prepare} returned for this x and w.
   */
  void linear(
      float[] out, float[] x, float[] prepared, int n, CpuWeight w, float[] bias, int f0, int f1);

  /** Row {@code row} of x [*, cols] normalised into out. */
  void rmsNorm(float[] out, float[] x, int row, int cols, float[] w, float eps);

  /** Attention of one head over the slice {@code h} describes. */
  void attendHead(float[] out, float[] q, float[] k, float[] v, AttentionHead h);

  /** Row {@code row} of x [*, heads·headDim] rotated by cos/sin [*, headDim/2]. */
  void rope(float[] x, int row, int heads, int headDim, float[] cos, float[] sin);

  /** gate[i] = silu(gate[i]) · up[i] for i in [from, to). */
  void siluMul(float[] gate, float[] up, int from, int to);

  /** x[i] = x[i]/2 · (1 + erf(x[i]/√2)) for i in [from, to). */
  void gelu(float[] x, int from, int to);

  /** x[i] += y[i] for i in [from, to). */
  void add(float[] x, float[] y, int from, int to);
}
