package dev.docproc.inference.engine.compute.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * One attention head with the Vector API. Keys are first transposed to kt[d][j] so that scores of
 * QB queries against L keys at a time are broadcast·FMA with no horizontal sums; softmax uses the
 * vector exp; the weighted sum of values runs along the head dimension.
 */
final class SimdAttention {
  private static final VectorSpecies<Float> F = SimdLinear.F;
  private static final int L = SimdLinear.L;
  private static final int QB = 4;

  private static final ThreadLocal<float[]> KT = ThreadLocal.withInitial(() -> new float[0]);
  private static final ThreadLocal<float[]> SCORES = ThreadLocal.withInitial(() -> new float[0]);
  private static final ThreadLocal<float[]> ACC = ThreadLocal.withInitial(() -> new float[0]);

  private SimdAttention() {}

  static void attendHead(
      float[] out,
      float[] q,
      float[] k,
      float[] v,
      int qRow0,
      int nq,
      int kRow0,
      int nk,
      int causalBase,
      int qCol,
      int kvCol,
      int qStride,
      int kvStride,
      int headDim,
      float scale) {
    int nkp = (nk + L - 1) / L * L; // keys padded to whole vectors
    float[] kt = ScalarKernels.scratch(KT, headDim * nkp); // [headDim, nkp]
    for (int j = 0; j < nk; j++) {
      int ko = (kRow0 + j) * kvStride + kvCol;
      for (int d = 0; d < headDim; d++) {
        kt[d * nkp + j] = k[ko + d];
      }
    }
    for (int d = 0; d < headDim; d++) {
      for (int j = nk; j < nkp; j++) {
        kt[d * nkp + j] = 0;
      }
    }
    float[] s = ScalarKernels.scratch(SCORES, QB * nkp); // [QB, nkp]
    float[] acc = ScalarKernels.scratch(ACC, headDim);
    for (int i0 = 0; i0 < nq; i0 += QB) {
      int qb = Math.min(QB, nq - i0);
      int visibleMax = visible(causalBase, i0 + qb - 1, nk);
      scores(q, qRow0 + i0, qb, qStride, qCol, kt, nkp, (visibleMax + L - 1) / L * L, headDim, s);
      for (int i = 0; i < qb; i++) {
        int vis = visible(causalBase, i0 + i, nk);
        float sum = softmaxInPlace(s, i * nkp, vis, scale);
        weightedValues(
            out,
            (qRow0 + i0 + i) * qStride + qCol,
            s,
            i * nkp,
            vis,
            1 / sum,
            v,
            kRow0,
            kvStride,
            kvCol,
            headDim,
            acc);
      }
    }
  }

  private static int visible(int causalBase, int i, int nk) {
    return causalBase < 0 ? nk : Math.min(nk, causalBase + i + 1);
  }

  /** s[i][j] = q[i] · k[j] for qb queries and keys j < kEnd (a multiple of L). */
  private static void scores(
      float[] q,
      int row0,
      int qb,
      int qStride,
      int qCol,
      float[] kt,
      int nkp,
      int kEnd,
      int headDim,
      float[] s) {
    int q0 = row0 * qStride + qCol;
    int q1 = q0 + (qb > 1 ? qStride : 0);
    int q2 = q0 + (qb > 2 ? 2 * qStride : 0);
    int q3 = q0 + (qb > 3 ? 3 * qStride : 0);
    for (int j = 0; j < kEnd; j += L) {
      FloatVector a0 = FloatVector.zero(F);
      FloatVector a1 = FloatVector.zero(F);
      FloatVector a2 = FloatVector.zero(F);
      FloatVector a3 = FloatVector.zero(F);
      for (int d = 0; d < headDim; d++) {
        FloatVector kv = FloatVector.fromArray(F, kt, d * nkp + j);
        a0 = kv.fma(FloatVector.broadcast(F, q[q0 + d]), a0);
        a1 = kv.fma(FloatVector.broadcast(F, q[q1 + d]), a1);
        a2 = kv.fma(FloatVector.broadcast(F, q[q2 + d]), a2);
        a3 = kv.fma(FloatVector.broadcast(F, q[q3 + d]), a3);
      }
      a0.intoArray(s, j);
      a1.intoArray(s, nkp + j);
      a2.intoArray(s, 2 * nkp + j);
      a3.intoArray(s, 3 * nkp + j);
    }
  }

  /** s[o..o+n) = exp(scale·s − max); returns the sum. */
  private static float softmaxInPlace(float[] s, int o, int n, float scale) {
    int bound = F.loopBound(n);
    FloatVector mv = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
    int j = 0;
    for (; j < bound; j += L) {
      mv = mv.max(FloatVector.fromArray(F, s, o + j));
    }
    float max = mv.reduceLanes(VectorOperators.MAX);
    for (; j < n; j++) {
      max = Math.max(max, s[o + j]);
    }
    float shift = max * scale;
    FloatVector sum = FloatVector.zero(F);
    for (j = 0; j < bound; j += L) {
      FloatVector e =
          FloatVector.fromArray(F, s, o + j).mul(scale).sub(shift).lanewise(VectorOperators.EXP);
      e.intoArray(s, o + j);
      sum = sum.add(e);
    }
    float total = sum.reduceLanes(VectorOperators.ADD);
    for (; j < n; j++) {
      s[o + j] = (float) Math.exp(s[o + j] * scale - shift);
      total += s[o + j];
    }
    return total;
  }

  /** out[d] = inv · Σ_j p[j] · v[j][d]. */
  private static void weightedValues(
      float[] out,
      int oo,
      float[] p,
      int po,
      int n,
      float inv,
      float[] v,
      int kRow0,
      int kvStride,
      int kvCol,
      int headDim,
      float[] acc) {
    java.util.Arrays.fill(acc, 0, headDim, 0f);
    int bound = F.loopBound(headDim);
    for (int j = 0; j < n; j++) {
      float pj = p[po + j];
      int vo = (kRow0 + j) * kvStride + kvCol;
      int d = 0;
      for (; d < bound; d += L) {
        FloatVector.fromArray(F, v, vo + d)
            .fma(FloatVector.broadcast(F, pj), FloatVector.fromArray(F, acc, d))
            .intoArray(acc, d);
      }
      for (; d < headDim; d++) {
        acc[d] += pj * v[vo + d];
      }
    }
    for (int d = 0; d < headDim; d++) {
      out[oo + d] = acc[d] * inv;
    }
  }
}
