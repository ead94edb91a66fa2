package dev.docproc.inference.engine.compute.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API kernels for the hot loops (linear layers, attention, norms, SwiGLU); the rest (RoPE,
 * GELU) are cheap and share the scalar code.
 */
final class SimdKernels implements Kernels {
  private static final VectorSpecies<Float> F = SimdLinear.F;
  private static final int L = SimdLinear.L;
  private final ScalarKernels scalar = new ScalarKernels();

  @Override
  public float[] prepare(float[] x, int n, CpuWeight w) {
    return SimdLinear.prepare(x, n, w);
  }

  @Override
  public void linear(
      float[] out, float[] x, float[] prepared, int n, CpuWeight w, float[] bias, int f0, int f1) {
    SimdLinear.linear(out, x, prepared, n, w, bias, f0, f1);
  }

  @Override
  public void rmsNorm(float[] out, float[] x, int row, int cols, float[] w, float eps) {
    int o = row * cols;
    int bound = F.loopBound(cols);
    FloatVector acc = FloatVector.zero(F);
    int k = 0;
    for (; k < bound; k += L) {
      FloatVector v = FloatVector.fromArray(F, x, o + k);
      acc = v.fma(v, acc);
    }
    float ss = acc.reduceLanes(VectorOperators.ADD);
    for (; k < cols; k++) {
      ss += x[o + k] * x[o + k];
    }
    float inv = (float) (1.0 / Math.sqrt(ss / cols + eps));
    for (k = 0; k < bound; k += L) {
      FloatVector.fromArray(F, x, o + k)
          .mul(inv)
          .mul(FloatVector.fromArray(F, w, k))
          .intoArray(out, o + k);
    }
    for (; k < cols; k++) {
      out[o + k] = w[k] * (x[o + k] * inv);
    }
  }

  @Override
  public void attendHead(float[] out, float[] q, float[] k, float[] v, AttentionHead h) {
    SimdAttention.attendHead(out, q, k, v, h);
  }

  @Override
  public void rope(float[] x, int row, int heads, int headDim, float[] cos, float[] sin) {
    scalar.rope(x, row, heads, headDim, cos, sin);
  }

  @Override
  public void siluMul(float[] gate, float[] up, int from, int to) {
    int i = from;
    for (int bound = from + F.loopBound(to - from); i < bound; i += L) {
      FloatVector g = FloatVector.fromArray(F, gate, i);
      FloatVector sig = SimdMath.exp(g.neg()).add(1f);
      g.div(sig).mul(FloatVector.fromArray(F, up, i)).intoArray(gate, i);
    }
    scalar.siluMul(gate, up, i, to);
  }

  @Override
  public void gelu(float[] x, int from, int to) {
    scalar.gelu(x, from, to);
  }

  @Override
  public void add(float[] x, float[] y, int from, int to) {
    int i = from;
    for (int bound = from + F.loopBound(to - from); i < bound; i += L) {
      FloatVector.fromArray(F, x, i).add(FloatVector.fromArray(F, y, i)).intoArray(x, i);
    }
    scalar.add(x, y, i, to);
  }
}
