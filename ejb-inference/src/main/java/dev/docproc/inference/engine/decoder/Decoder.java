package dev.docproc.inference.engine.decoder;

import dev.docproc.inference.engine.compute.Buf;
import dev.docproc.inference.engine.compute.Ops;
import dev.docproc.inference.engine.compute.Taps;
import dev.docproc.inference.engine.model.Linears.Linear;
import dev.docproc.inference.engine.model.ModelConfig.TextConfig;
import dev.docproc.inference.engine.vision.Grid;
import java.util.List;

/**
 * The Qwen2.5-VL text decoder (MODEL.md §5): embeddings with image features scattered in, M-RoPE,
 * GQA attention over a KV cache, SwiGLU MLP, final norm and (tied) lm_head. The whole forward pass
 * is {@link #forward}; {@link #prefill} and {@link #step} set up its positions.
 */
public final class Decoder {
  private final Ops ops;
  private final TextConfig c;
  private final DecoderWeights w;
  private final MRope mrope;
  private final int imageTokenId;
  private final int mergeSize;
  private final Taps taps;

  public Decoder(
      Ops ops,
      TextConfig config,
      DecoderWeights weights,
      int imageTokenId,
      int mergeSize,
      Taps taps) {
    this.ops = ops;
    this.c = config;
    this.w = weights;
    this.mrope = new MRope(config.headDim(), config.ropeTheta(), config.mropeSection());
    this.imageTokenId = imageTokenId;
    this.mergeSize = mergeSize;
    this.taps = taps;
  }

  public TextConfig config() {
    return c;
  }

  public KvCache newCache(int capacity) {
    return new KvCache(ops, c.layers(), capacity, c.kvHeads() * c.headDim());
  }

  /**
   * Runs the prompt: ids with runs of image tokens filled from {@code imageFeatures} [tokens,
   * hidden] (null without images). Returns logits [n, vocab] of every position when {@code
   * allLogits}, else [1, vocab] of the last.
   */
  public Buf prefill(
      KvCache cache, int[] ids, List<Grid> grids, Buf imageFeatures, boolean allLogits) {
    if (cache.length != 0) {
      throw new IllegalStateException("prefill needs an empty cache");
    }
    if (ids.length == 0) {
      throw new IllegalArgumentException("empty prompt");
    }
    if (ids.length > cache.capacity()) {
      throw new IllegalArgumentException(
          "prompt of " + ids.length + " tokens exceeds the context of " + cache.capacity());
    }
    int[][] pos = MRope.positions(ids, grids, imageTokenId, mergeSize);
    cache.ropeDelta = MRope.ropeDelta(pos);
    return forward(cache, ids, pos, imageFeatures, allLogits);
  }

  /** One generated token → logits [1, vocab] of the next. */
  public Buf step(KvCache cache, int token) {
    if (cache.length >= cache.capacity()) {
      throw new IllegalStateException("context of " + cache.capacity() + " tokens is full");
    }
    int p = cache.length + cache.ropeDelta;
    return forward(cache, new int[] {token}, new int[][] {{p}, {p}, {p}}, null, false);
  }

  private Buf forward(KvCache cache, int[] ids, int[][] pos, Buf imageFeatures, boolean allLogits) {
    int n = ids.length;
    int start = cache.length;
    int d = c.hiddenSize();
    int heads = c.heads();
    int kvHeads = c.kvHeads();
    int hd = c.headDim();
    float[][] rot = mrope.tables(pos, 0, n);
    try (Buf x = ops.alloc(n, d); // [n, hidden] residual stream
        Buf xb = ops.alloc(n, d); // [n, hidden]
        Buf q = ops.alloc(n, heads * hd); // [n, heads·hd]
        Buf k = ops.alloc(n, kvHeads * hd); // [n, kvHeads·hd]
        Buf v = ops.alloc(n, kvHeads * hd);
        Buf att = ops.alloc(n, heads * hd);
        Buf gate = ops.alloc(n, c.intermediateSize()); // [n, intermediate]
        Buf up = ops.alloc(n, c.intermediateSize());
        Buf cos = ops.alloc(n, hd / 2); // [n, hd/2]
        Buf sin = ops.alloc(n, hd / 2)) {
      ops.write(cos, 0, rot[0]);
      ops.write(sin, 0, rot[1]);

      // token embeddings, image token rows replaced by the vision features in order
      ops.embedding(x, w.embed(), ids);
      scatterImageFeatures(x, ids, imageFeatures);
      taps.tap(ops, "text.inputs_embeds", x, n);

      for (int l = 0; l < c.layers(); l++) {
        DecoderWeights.Layer layer = w.layers().get(l);

        // attention
        ops.rmsNorm(xb, x, n, layer.inputNorm(), c.rmsNormEps());
        linear(q, xb, n, layer.q());
        linear(k, xb, n, layer.k());
        linear(v, xb, n, layer.v());
        ops.rope(q, n, heads, hd, cos, sin);
        ops.rope(k, n, kvHeads, hd, cos, sin);
        ops.copyRows(cache.k[l], start, k, 0, n);
        ops.copyRows(cache.v[l], start, v, 0, n);
        ops.causalAttention(att, q, n, cache.k[l], cache.v[l], start, heads, kvHeads, hd);
        linear(xb, att, n, layer.o());
        ops.add(x, xb, n);

        // SwiGLU MLP
        ops.rmsNorm(xb, x, n, layer.postNorm(), c.rmsNormEps());
        linear(gate, xb, n, layer.gate());
        linear(up, xb, n, layer.up());
        ops.siluMul(gate, up, n);
        linear(xb, gate, n, layer.down());
        ops.add(x, xb, n);
        taps.tap(ops, "text.layers." + l, x, n);
      }
      cache.length = start + n;

      // final norm and lm_head, on every row or only the last
      int rows = allLogits ? n : 1;
      if (!allLogits) {
        ops.copyRows(x, 0, x, n - 1, 1);
      }
      ops.rmsNorm(xb, x, rows, w.norm(), c.rmsNormEps());
      taps.tap(ops, "text.norm", xb, rows);
      Buf logits = ops.alloc(rows, c.vocabSize()); // [rows, vocab]
      linear(logits, xb, rows, w.lmHead());
      return logits;
    }
  }

  private void scatterImageFeatures(Buf x, int[] ids, Buf features) {
    int count = 0;
    for (int id : ids) {
      if (id == imageTokenId) {
        count++;
      }
    }
    int available = features == null ? 0 : features.rows();
    if (count != available) {
      throw new IllegalArgumentException(
          "the prompt has "
              + count
              + " image tokens but the images give "
              + available
              + " features");
    }
    int used = 0;
    for (int i = 0; i < ids.length; ) {
      if (ids[i] != imageTokenId) {
        i++;
        continue;
      }
      int run = 0;
      while (i + run < ids.length && ids[i + run] == imageTokenId) {
        run++;
      }
      ops.copyRows(x, i, features, used, run);
      used += run;
      i += run;
    }
  }

  private void linear(Buf out, Buf in, int n, Linear l) {
    ops.linear(out, in, n, l.weight(), l.bias());
  }
}
