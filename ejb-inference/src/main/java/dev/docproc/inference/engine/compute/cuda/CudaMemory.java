package dev.docproc.inference.engine.compute.cuda;

import dev.docproc.gpu.AttentionKernels;
import dev.docproc.gpu.MemoryPlan;
import dev.docproc.inference.engine.decoder.KvPool;
import dev.docproc.inference.engine.model.ModelConfig;
import dev.docproc.inference.engine.model.ModelConfig.TextConfig;
import dev.docproc.inference.engine.model.ModelConfig.VisionConfig;
import dev.docproc.inference.engine.model.QuantizationConfig;

/**
 * Device memory of a Qwen2.5-VL model on the CUDA backend, planned before anything is uploaded
 * (gpu-native {@link MemoryPlan}): the weights as CudaOps stores them (int4 text linears repacked,
 * the rest bf16 with rows padded to 8), the workspaces of the largest request the limits allow (an
 * image of max_pixels through the vision tower, a prompt of maxContext tokens, a decode batch of
 * maxBatch rows), and KV blocks with the rest. A model that does not fit fails here with the sizes.
 */
public final class CudaMemory {
  /** Slack per pooled activation buffer for its size-class rounding (2 MiB multiples). */
  private static final long ROUNDING = 2L << 20;

  private CudaMemory() {}

  /**
   * @param maxPixels preprocessor_config.json's max_pixels (the largest image a request can carry)
   * @param utilization fraction of the free memory this process may use
   * @param freeBytes the device's free memory (cuMemGetInfo)
   */
  public static MemoryPlan plan(
      ModelConfig config,
      long maxPixels,
      int maxBatch,
      int maxContext,
      double utilization,
      long freeBytes,
      String device) {
    TextConfig t = config.text();
    VisionConfig v = config.vision();
    MemoryPlan.Builder b = MemoryPlan.builder().utilization(utilization);
    weights(b, t, v, config.quantization());

    long patches = maxPixels / ((long) v.patchSize() * v.patchSize());
    long tokens = patches / ((long) v.spatialMergeSize() * v.spatialMergeSize());
    b.workspace("vision tower, " + patches + " patches", vision(v, patches));
    b.workspace(
        "image features, " + tokens + " tokens", bf16(tokens, v.outHiddenSize()) + ROUNDING);
    b.workspace(
        "prompt of " + maxContext + " tokens", rows(t, maxContext) + bf16(1, t.vocabSize()));
    int maxLen = KvPool.blocksFor(maxContext) * KvPool.BLOCK_SIZE;
    b.workspace(
        "decode batch of " + maxBatch,
        rows(t, maxBatch)
            + bf16(maxBatch, t.vocabSize())
            + 4L * maxBatch * KvPool.blocksFor(maxContext)
            // the attention workspace grows by doubling and keeps what it outgrew: at most 3×
            + 3 * AttentionKernels.decodeWorkspaceBytes(maxBatch, t.heads(), t.headDim(), maxLen));
    b.workspace("token selection, " + maxBatch + " rows", 9L * maxBatch * t.vocabSize());
    return b.kvCache(t.layers(), t.kvHeads(), t.headDim(), KvPool.BLOCK_SIZE, 2)
        .minKvTokens(maxContext)
        .plan(freeBytes, device);
  }

  private static void weights(
      MemoryPlan.Builder b, TextConfig t, VisionConfig v, QuantizationConfig q) {
    int d = t.hiddenSize();
    int hd = t.headDim();
    int qDim = t.heads() * hd;
    int kvDim = t.kvHeads() * hd;
    int inter = t.intermediateSize();
    long layer =
        linear(q, qDim, d)
            + 2 * linear(q, kvDim, d)
            + linear(q, d, qDim)
            + 2 * linear(q, inter, d)
            + linear(q, d, inter)
            + bf16(1, qDim)
            + 2 * bf16(1, kvDim)
            + 2 * bf16(1, d);
    b.weight("decoder, " + t.layers() + " layers", t.layers() * layer + bf16(1, d));
    b.weight("embedding [" + t.vocabSize() + ", " + d + "]", bf16(t.vocabSize(), d));
    if (!t.tieWordEmbeddings()) {
      b.weight("lm_head", bf16(t.vocabSize(), d));
    }
    int vd = v.hiddenSize();
    int vi = v.intermediateSize();
    long block =
        4 * bf16(vd, vd) + 2 * bf16(vi, vd) + bf16(vd, vi) + 7 * bf16(1, vd) + 2 * bf16(1, vi);
    int merged = vd * v.spatialMergeSize() * v.spatialMergeSize();
    b.weight(
        "vision tower, " + v.depth() + " blocks",
        bf16(vd, v.patchDim())
            + v.depth() * block
            + bf16(1, vd)
            + bf16(merged, merged)
            + bf16(1, merged)
            + bf16(v.outHiddenSize(), merged)
            + bf16(1, v.outHiddenSize()));
  }

  /**
   * A text linear [out, in]: int4 (packed nibbles, bf16 scales [in/group][out], act-order
   * permutation) when the checkpoint is quantized, else bf16.
   */
  private static long linear(QuantizationConfig q, int out, int in) {
    if (q == null) {
      return bf16(out, in);
    }
    int group = q.groupSize() == 0 ? in : q.groupSize();
    return (long) out * in / 2
        + 2L * out * (in / group)
        + ("group".equals(q.actorder()) ? 4L * in : 0);
  }

  /** The vision tower's activations for {@code n} patches (VisionEncoder.encode). */
  private static long vision(VisionConfig v, long n) {
    int d = v.hiddenSize();
    int merged = d * v.spatialMergeSize() * v.spatialMergeSize();
    long m = n / (v.spatialMergeSize() * v.spatialMergeSize());
    return bf16(n, v.patchDim())
        + 7 * bf16(n, d)
        + 2 * bf16(n, v.intermediateSize())
        + 2 * 4L * n * (v.headDim() / 2)
        + bf16(m, merged)
        + bf16(m, v.outHiddenSize())
        + 14 * ROUNDING;
  }

  /** The decoder's workspace for n rows (decoder.Workspace). */
  private static long rows(TextConfig t, long n) {
    int hd = t.headDim();
    return 2 * 4L * n
        + 2 * 4L * n * (hd / 2)
        + 2 * bf16(n, t.hiddenSize())
        + 2 * bf16(n, t.heads() * hd)
        + 2 * bf16(n, t.kvHeads() * hd)
        + 2 * bf16(n, t.intermediateSize())
        + 12 * ROUNDING;
  }

  /** bf16 [rows, cols] with rows padded to a multiple of 8 values. */
  private static long bf16(long rows, int cols) {
    return rows * ((cols + 7) / 8 * 8) * 2L;
  }
}
