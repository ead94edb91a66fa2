package dev.docproc.gpu.check;

import dev.docproc.gpu.W4Layout;
import dev.docproc.gpu.reference.ActivationRef;
import dev.docproc.gpu.reference.AttentionRef;
import dev.docproc.gpu.reference.GatherRef;
import dev.docproc.gpu.reference.GemmRef;
import dev.docproc.gpu.reference.NormRef;
import dev.docproc.gpu.reference.RopeRef;
import dev.docproc.gpu.reference.SamplingRef;

/** The kernels' CPU references behind the runner interface: what a correct GPU would return. */
class ReferenceRunner implements KernelRunner {
  @Override
  public float[] w4a16(float[] x, int m, W4Layout w, float[] bias) {
    return GemmRef.linear(x, GemmRef.dequantize(w.unpack()), bias, m, w.n(), w.k());
  }

  @Override
  public float[] bf16Linear(float[] x, int m, float[] w, int n, int k, float[] bias) {
    return GemmRef.linear(x, w, bias, m, n, k);
  }

  @Override
  public float[] rmsNorm(float[] x, float[] w, int m, int h, float eps) {
    return NormRef.rmsNorm(x, w, m, h, eps);
  }

  @Override
  public float[][] addRmsNorm(float[] x, float[] y, float[] w, int m, int h, float eps) {
    float[] out = NormRef.addRmsNorm(x, y, w, m, h, eps);
    return new float[][] {x, out};
  }

  @Override
  public float[] siluMul(float[] gate, float[] up, int m, int n) {
    return ActivationRef.siluMul(gate, up);
  }

  @Override
  public float[] gelu(float[] x, int m, int n) {
    return ActivationRef.gelu(x);
  }

  @Override
  public float[] rope(float[] x, int t, int nHeads, int half, float[] cos, float[] sin) {
    float[] y = x.clone();
    RopeRef.apply(y, nHeads * 2 * half, t, nHeads, half, cos, sin);
    return y;
  }

  @Override
  public float[] add(float[] x, float[] y, int m, int n) {
    return ActivationRef.add(x, y);
  }

  @Override
  public float[] attentionPrefill(
      float[] q,
      float[] k,
      float[] v,
      int[] cu,
      int hq,
      int hkv,
      int d,
      float scale,
      boolean causal) {
    return AttentionRef.prefill(q, k, v, cu, hq, hkv, d, scale, causal);
  }

  @Override
  public float[] attentionDecode(
      float[] q,
      float[] k,
      float[] v,
      int[] slots,
      int cacheSlots,
      int[] blockTable,
      int maxBlocks,
      int[] seqLens,
      int blockSize,
      int hq,
      int hkv,
      int d,
      float scale,
      int maxSeqLen) {
    float[] kCache = new float[cacheSlots * hkv * d];
    float[] vCache = new float[cacheSlots * hkv * d];
    AttentionRef.kvAppend(k, v, slots, kCache, vCache, hkv * d);
    return AttentionRef.decode(
        q, kCache, vCache, blockTable, maxBlocks, seqLens, blockSize, hq, hkv, d, scale);
  }

  @Override
  public float[] gatherRows(float[] src, int srcRows, int width, int[] idx) {
    return GatherRef.gatherRows(src, srcRows, width, idx);
  }

  @Override
  public float[] scatterRows(float[] src, int width, int[] idx, float[] dst, int dstRows) {
    float[] out = dst.clone();
    GatherRef.scatterRows(src, width, idx, out, dstRows);
    return out;
  }

  @Override
  public float[] gatherCols(float[] src, int rows, int width, int[] perm) {
    return GatherRef.gatherCols(src, rows, width, perm);
  }

  @Override
  public float[] prepareLogits(
      float[] logits, int batch, int vocab, int[] seenIds, int idsPerRow, float penalty) {
    byte[] seen = new byte[batch * vocab];
    SamplingRef.markSeen(seen, seenIds, idsPerRow, vocab);
    return SamplingRef.prepareLogits(logits, seen, penalty, vocab);
  }

  @Override
  public int[] argmax(float[] x, int batch, int vocab) {
    int[] ids = new int[batch];
    for (int b = 0; b < batch; b++) {
      ids[b] = SamplingRef.argmax(x, b * vocab, vocab);
    }
    return ids;
  }

  @Override
  public int[] sample(
      float[] x, int batch, int vocab, float temperature, int topK, float topP, long[] state) {
    int[] ids = new int[batch];
    for (int b = 0; b < batch; b++) {
      ids[b] =
          SamplingRef.distribution(x, b * vocab, vocab, temperature, topK, topP)
              .draw(SamplingRef.uniform(state[b]));
      state[b] = SamplingRef.nextState(state[b]);
    }
    return ids;
  }
}
