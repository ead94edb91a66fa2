package dev.docproc.inference.engine.compute.cpu;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * One attention head for a chunk of queries with the Vector API, FlashAttention-style: keys and
 * values in blocks of {@link #KB} that stay in cache while every query of the chunk uses them, with
 * a running max and sum per query (online softmax) so the scores are never held for all keys.
 * Inside a block keys are transposed to kt[d][j], so QB queries score L keys at a time by
 * broadcast·FMA without horizontal sums.
 */
final class SimdAttention {
  private static final VectorSpecies<Float> F = SimdLinear.F;
  private static final int L = SimdLinear.L;
  private static final int QB = 4;
  private static final int KB = 256;

  private static final ThreadLocal<float[]> KT = ThreadLocal.withInitial(() -> new float[0]);
  private static final ThreadLocal<float[]> SCORES = ThreadLocal.withInitial(() -> new float[0]);
  private static final ThreadLocal<float[]> ACC = ThreadLocal.withInitial(() -> new float[0]);

  private SimdAttention() {}

  static void attendHead(float[] out, float[] q, float[] k, float[] v, AttentionHead h) {
    int nq = h.nq();
    int headDim = h.headDim();
    float[] kt = ScalarKernels.scratch(KT, headDim * KB); // [headDim, KB] keys of one block
    float[] s = ScalarKernels.scratch(SCORES, QB * KB); // [QB, KB] scores of one block
    float[] acc = ScalarKernels.scratch(ACC, nq * (headDim + 2)); // [nq, headDim] + max + sum
    int oMax = nq * headDim;
    int oSum = oMax + nq;
    Arrays.fill(acc, 0, oMax, 0f);
    Arrays.fill(acc, oMax, oSum, Float.NEGATIVE_INFINITY);
    Arrays.fill(acc, oSum, oSum + nq, 0f);
    int keysNeeded = h.visible(nq - 1);
    for (int kb = 0; kb < keysNeeded; kb += KB) {
      int kw = Math.min(KB, keysNeeded - kb);
      int kwp = (kw + L - 1) / L * L;
      for (int j = 0; j < kwp; j++) {
        int ko = (h.kRow0() + kb + j) * h.kvStride() + h.kvCol();
        for (int d = 0; d < headDim; d++) {
          kt[d * KB + j] = j < kw ? k[ko + d] : 0f;
        }
      }
      for (int i0 = 0; i0 < nq; i0 += QB) {
        int qb = Math.min(QB, nq - i0);
        int vis = Math.min(kw, h.visible(i0 + qb - 1) - kb);
        if (vis <= 0) {
          continue;
        }
        scores(q, h.qRow0() + i0, qb, h.qStride(), h.qCol(), kt, (vis + L - 1) / L * L, headDim, s);
        for (int i = 0; i < qb; i++) {
          int n = Math.min(kw, h.visible(i0 + i) - kb);
          if (n > 0) {
            accumulate(
                acc,
                i0 + i,
                nq,
                headDim,
                s,
                i * KB,
                n,
                h.scale(),
                v,
                h.kRow0() + kb,
                h.kvStride(),
                h.kvCol());
          }
        }
      }
    }
    for (int i = 0; i < nq; i++) {
      float inv = 1 / acc[oSum + i];
      int oo = (h.qRow0() + i) * h.qStride() + h.qCol();
      for (int d = 0; d < headDim; d++) {
        out[oo + d] = acc[i * headDim + d] * inv;
      }
    }
  }

  /** s[i][j] = q[i] · k[j] for qb queries and the first kEnd (a multiple of L) keys of kt. */
  private static void scores(
      float[] q,
      int row0,
      int qb,
      int qStride,
      int qCol,
      float[] kt,
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
        FloatVector kv = FloatVector.fromArray(F, kt, d * KB + j);
        a0 = kv.fma(FloatVector.broadcast(F, q[q0 + d]), a0);
        a1 = kv.fma(FloatVector.broadcast(F, q[q1 + d]), a1);
        a2 = kv.fma(FloatVector.broadcast(F, q[q2 + d]), a2);
        a3 = kv.fma(FloatVector.broadcast(F, q[q3 + d]), a3);
      }
      a0.intoArray(s, j);
      a1.intoArray(s, KB + j);
      a2.intoArray(s, 2 * KB + j);
      a3.intoArray(s, 3 * KB + j);
    }
  }

  /**
   * Folds n scores s[so..so+n) of query i into its running max, sum and weighted values: the old
   * state is rescaled by exp(oldMax − newMax), the block's weights are exp(scale·s − newMax).
   */
  private static void accumulate(
      float[] acc,
      int i,
      int nq,
      int headDim,
      float[] s,
      int so,
      int n,
      float scale,
      float[] v,
      int vRow0,
      int kvStride,
      int kvCol) {
    int bound = F.loopBound(n);
    FloatVector mv = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
    int j = 0;
    for (; j < bound; j += L) {
      mv = mv.max(FloatVector.fromArray(F, s, so + j));
    }
    float blockMax = mv.reduceLanes(VectorOperators.MAX);
    for (; j < n; j++) {
      blockMax = Math.max(blockMax, s[so + j]);
    }
    int iMax = nq * headDim + i;
    int iSum = nq * headDim + nq + i;
    float newMax = Math.max(acc[iMax], blockMax * scale);
    float correction = (float) Math.exp(acc[iMax] - newMax);
    acc[iMax] = newMax;
    FloatVector sum = FloatVector.zero(F);
    for (j = 0; j < bound; j += L) {
      FloatVector e = SimdMath.exp(FloatVector.fromArray(F, s, so + j).mul(scale).sub(newMax));
      e.intoArray(s, so + j);
      sum = sum.add(e);
    }
    float total = sum.reduceLanes(VectorOperators.ADD);
    for (; j < n; j++) {
      s[so + j] = (float) Math.exp(s[so + j] * scale - newMax);
      total += s[so + j];
    }
    acc[iSum] = acc[iSum] * correction + total;
    int ao = i * headDim;
    int dBound = F.loopBound(headDim);
    if (correction != 1f) {
      for (int d = 0; d < headDim; d++) {
        acc[ao + d] *= correction;
      }
    }
    for (j = 0; j < n; j++) {
      FloatVector p = FloatVector.broadcast(F, s[so + j]);
      int vo = (vRow0 + j) * kvStride + kvCol;
      int d = 0;
      for (; d < dBound; d += L) {
        FloatVector.fromArray(F, v, vo + d)
            .fma(p, FloatVector.fromArray(F, acc, ao + d))
            .intoArray(acc, ao + d);
      }
      for (; d < headDim; d++) {
        acc[ao + d] += s[so + j] * v[vo + d];
      }
    }
  }
}
