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
  private static final int KV = 4 * L; // keys per step of the score loop

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
    int[] keyRows = new int[L]; // lane j of a gather reads key row j of a group of L
    for (int j = 0; j < L; j++) {
      keyRows[j] = j * h.kvStride();
    }
    for (int kb = 0; kb < keysNeeded; kb += KB) {
      int kw = Math.min(KB, keysNeeded - kb);
      transposeKeys(k, h, kb, kw, keyRows, kt);
      for (int i0 = 0; i0 < nq; i0 += QB) {
        int qb = Math.min(QB, nq - i0);
        int vis = Math.min(kw, h.visible(i0 + qb - 1) - kb);
        if (vis <= 0) {
          continue;
        }
        int kEnd = (vis + KV - 1) / KV * KV;
        scores(q, h.qRow0() + i0, qb, h.qStride(), h.qCol(), kt, kEnd, headDim, s);
        int vRow0 = h.kRow0() + kb;
        for (int i = 0; i < qb; i++) {
          int n = Math.max(0, Math.min(kw, h.visible(i0 + i) - kb));
          softmaxUpdate(acc, i0 + i, nq, headDim, s, i * KB, n, vis, h.scale());
        }
        if (qb == QB && headDim == 5 * L) {
          values4x5(acc, i0 * headDim, s, vis, v, vRow0, h.kvStride(), h.kvCol());
        } else {
          for (int i = 0; i < qb; i++) {
            values1(
                acc,
                (i0 + i) * headDim,
                headDim,
                s,
                i * KB,
                vis,
                v,
                vRow0,
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

  /**
   * kt[d][j] = k[kb + j][d] for the kw keys of a block, zero up to the next multiple of KV: whole
   * groups of L keys by gathers (lane j reads key row j), the rest one by one.
   */
  private static void transposeKeys(
      float[] k, AttentionHead h, int kb, int kw, int[] keyRows, float[] kt) {
    int headDim = h.headDim();
    int whole = kw / L * L;
    for (int j = 0; j < whole; j += L) {
      int ko = (h.kRow0() + kb + j) * h.kvStride() + h.kvCol();
      for (int d = 0; d < headDim; d++) {
        FloatVector.fromArray(F, k, ko + d, keyRows, 0).intoArray(kt, d * KB + j);
      }
    }
    int padded = (kw + KV - 1) / KV * KV;
    for (int j = whole; j < padded; j++) {
      int ko = (h.kRow0() + kb + j) * h.kvStride() + h.kvCol();
      for (int d = 0; d < headDim; d++) {
        kt[d * KB + j] = j < kw ? k[ko + d] : 0f;
      }
    }
  }

  /**
   * s[i][j] = q[i] · k[j] for qb queries and the first kEnd (a multiple of KV) keys of kt: 4
   * queries × 4 vectors of keys, 16 independent FMA chains (8 would only just cover the FMA
   * latency) for 4 key loads and 4 query broadcasts per step of d.
   */
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
    for (int j = 0; j < kEnd; j += KV) {
      FloatVector a00 = FloatVector.zero(F);
      FloatVector a01 = FloatVector.zero(F);
      FloatVector a02 = FloatVector.zero(F);
      FloatVector a03 = FloatVector.zero(F);
      FloatVector a10 = FloatVector.zero(F);
      FloatVector a11 = FloatVector.zero(F);
      FloatVector a12 = FloatVector.zero(F);
      FloatVector a13 = FloatVector.zero(F);
      FloatVector a20 = FloatVector.zero(F);
      FloatVector a21 = FloatVector.zero(F);
      FloatVector a22 = FloatVector.zero(F);
      FloatVector a23 = FloatVector.zero(F);
      FloatVector a30 = FloatVector.zero(F);
      FloatVector a31 = FloatVector.zero(F);
      FloatVector a32 = FloatVector.zero(F);
      FloatVector a33 = FloatVector.zero(F);
      for (int d = 0; d < headDim; d++) {
        FloatVector k0 = FloatVector.fromArray(F, kt, d * KB + j);
        FloatVector k1 = FloatVector.fromArray(F, kt, d * KB + j + L);
        FloatVector k2 = FloatVector.fromArray(F, kt, d * KB + j + 2 * L);
        FloatVector k3 = FloatVector.fromArray(F, kt, d * KB + j + 3 * L);
        FloatVector qd = FloatVector.broadcast(F, q[q0 + d]);
        a00 = k0.fma(qd, a00);
        a01 = k1.fma(qd, a01);
        a02 = k2.fma(qd, a02);
        a03 = k3.fma(qd, a03);
        qd = FloatVector.broadcast(F, q[q1 + d]);
        a10 = k0.fma(qd, a10);
        a11 = k1.fma(qd, a11);
        a12 = k2.fma(qd, a12);
        a13 = k3.fma(qd, a13);
        qd = FloatVector.broadcast(F, q[q2 + d]);
        a20 = k0.fma(qd, a20);
        a21 = k1.fma(qd, a21);
        a22 = k2.fma(qd, a22);
        a23 = k3.fma(qd, a23);
        qd = FloatVector.broadcast(F, q[q3 + d]);
        a30 = k0.fma(qd, a30);
        a31 = k1.fma(qd, a31);
        a32 = k2.fma(qd, a32);
        a33 = k3.fma(qd, a33);
      }
      a00.intoArray(s, j);
      a01.intoArray(s, j + L);
      a02.intoArray(s, j + 2 * L);
      a03.intoArray(s, j + 3 * L);
      a10.intoArray(s, KB + j);
      a11.intoArray(s, KB + j + L);
      a12.intoArray(s, KB + j + 2 * L);
      a13.intoArray(s, KB + j + 3 * L);
      a20.intoArray(s, 2 * KB + j);
      a21.intoArray(s, 2 * KB + j + L);
      a22.intoArray(s, 2 * KB + j + 2 * L);
      a23.intoArray(s, 2 * KB + j + 3 * L);
      a30.intoArray(s, 3 * KB + j);
      a31.intoArray(s, 3 * KB + j + L);
      a32.intoArray(s, 3 * KB + j + 2 * L);
      a33.intoArray(s, 3 * KB + j + 3 * L);
    }
  }

  /**
   * Turns n scores s[so..so+n) of query i into weights exp(scale·s − newMax) and rescales its
   * running sum and values by exp(oldMax − newMax) (online softmax); weights up to {@code width}
   * beyond n are zeroed so several queries can share the value loop.
   */
  private static void softmaxUpdate(
      float[] acc, int i, int nq, int headDim, float[] s, int so, int n, int width, float scale) {
    Arrays.fill(s, so + n, so + width, 0f);
    if (n == 0) {
      return;
    }
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
    if (correction != 1f) {
      for (int d = 0; d < headDim; d++) {
        acc[i * headDim + d] *= correction;
      }
    }
  }

  /** acc[ao..ao+headDim) += Σ_j p[po+j] · v[j] over n keys, one query. */
  private static void values1(
      float[] acc,
      int ao,
      int headDim,
      float[] p,
      int po,
      int n,
      float[] v,
      int vRow0,
      int kvStride,
      int kvCol) {
    int dBound = F.loopBound(headDim);
    for (int j = 0; j < n; j++) {
      FloatVector pj = FloatVector.broadcast(F, p[po + j]);
      int vo = (vRow0 + j) * kvStride + kvCol;
      int d = 0;
      for (; d < dBound; d += L) {
        FloatVector.fromArray(F, v, vo + d)
            .fma(pj, FloatVector.fromArray(F, acc, ao + d))
            .intoArray(acc, ao + d);
      }
      for (; d < headDim; d++) {
        acc[ao + d] += p[po + j] * v[vo + d];
      }
    }
  }

  /**
   * The same for QB = 4 queries with headDim = 5L (the vision tower's 80): all 20 accumulator
   * vectors stay in registers and each value row is loaded once for the four queries.
   */
  private static void values4x5(
      float[] acc, int ao, float[] p, int n, float[] v, int vRow0, int kvStride, int kvCol) {
    int hd = 5 * L;
    FloatVector a00 = FloatVector.fromArray(F, acc, ao);
    FloatVector a01 = FloatVector.fromArray(F, acc, ao + L);
    FloatVector a02 = FloatVector.fromArray(F, acc, ao + 2 * L);
    FloatVector a03 = FloatVector.fromArray(F, acc, ao + 3 * L);
    FloatVector a04 = FloatVector.fromArray(F, acc, ao + 4 * L);
    FloatVector a10 = FloatVector.fromArray(F, acc, ao + hd);
    FloatVector a11 = FloatVector.fromArray(F, acc, ao + hd + L);
    FloatVector a12 = FloatVector.fromArray(F, acc, ao + hd + 2 * L);
    FloatVector a13 = FloatVector.fromArray(F, acc, ao + hd + 3 * L);
    FloatVector a14 = FloatVector.fromArray(F, acc, ao + hd + 4 * L);
    FloatVector a20 = FloatVector.fromArray(F, acc, ao + 2 * hd);
    FloatVector a21 = FloatVector.fromArray(F, acc, ao + 2 * hd + L);
    FloatVector a22 = FloatVector.fromArray(F, acc, ao + 2 * hd + 2 * L);
    FloatVector a23 = FloatVector.fromArray(F, acc, ao + 2 * hd + 3 * L);
    FloatVector a24 = FloatVector.fromArray(F, acc, ao + 2 * hd + 4 * L);
    FloatVector a30 = FloatVector.fromArray(F, acc, ao + 3 * hd);
    FloatVector a31 = FloatVector.fromArray(F, acc, ao + 3 * hd + L);
    FloatVector a32 = FloatVector.fromArray(F, acc, ao + 3 * hd + 2 * L);
    FloatVector a33 = FloatVector.fromArray(F, acc, ao + 3 * hd + 3 * L);
    FloatVector a34 = FloatVector.fromArray(F, acc, ao + 3 * hd + 4 * L);
    for (int j = 0; j < n; j++) {
      int vo = (vRow0 + j) * kvStride + kvCol;
      FloatVector v0 = FloatVector.fromArray(F, v, vo);
      FloatVector v1 = FloatVector.fromArray(F, v, vo + L);
      FloatVector v2 = FloatVector.fromArray(F, v, vo + 2 * L);
      FloatVector v3 = FloatVector.fromArray(F, v, vo + 3 * L);
      FloatVector v4 = FloatVector.fromArray(F, v, vo + 4 * L);
      FloatVector p0 = FloatVector.broadcast(F, p[j]);
      a00 = v0.fma(p0, a00);
      a01 = v1.fma(p0, a01);
      a02 = v2.fma(p0, a02);
      a03 = v3.fma(p0, a03);
      a04 = v4.fma(p0, a04);
      FloatVector p1 = FloatVector.broadcast(F, p[KB + j]);
      a10 = v0.fma(p1, a10);
      a11 = v1.fma(p1, a11);
      a12 = v2.fma(p1, a12);
      a13 = v3.fma(p1, a13);
      a14 = v4.fma(p1, a14);
      FloatVector p2 = FloatVector.broadcast(F, p[2 * KB + j]);
      a20 = v0.fma(p2, a20);
      a21 = v1.fma(p2, a21);
      a22 = v2.fma(p2, a22);
      a23 = v3.fma(p2, a23);
      a24 = v4.fma(p2, a24);
      FloatVector p3 = FloatVector.broadcast(F, p[3 * KB + j]);
      a30 = v0.fma(p3, a30);
      a31 = v1.fma(p3, a31);
      a32 = v2.fma(p3, a32);
      a33 = v3.fma(p3, a33);
      a34 = v4.fma(p3, a34);
    }
    a00.intoArray(acc, ao);
    a01.intoArray(acc, ao + L);
    a02.intoArray(acc, ao + 2 * L);
    a03.intoArray(acc, ao + 3 * L);
    a04.intoArray(acc, ao + 4 * L);
    a10.intoArray(acc, ao + hd);
    a11.intoArray(acc, ao + hd + L);
    a12.intoArray(acc, ao + hd + 2 * L);
    a13.intoArray(acc, ao + hd + 3 * L);
    a14.intoArray(acc, ao + hd + 4 * L);
    a20.intoArray(acc, ao + 2 * hd);
    a21.intoArray(acc, ao + 2 * hd + L);
    a22.intoArray(acc, ao + 2 * hd + 2 * L);
    a23.intoArray(acc, ao + 2 * hd + 3 * L);
    a24.intoArray(acc, ao + 2 * hd + 4 * L);
    a30.intoArray(acc, ao + 3 * hd);
    a31.intoArray(acc, ao + 3 * hd + L);
    a32.intoArray(acc, ao + 3 * hd + 2 * L);
    a33.intoArray(acc, ao + 3 * hd + 3 * L);
    a34.intoArray(acc, ao + 3 * hd + 4 * L);
  }
}
