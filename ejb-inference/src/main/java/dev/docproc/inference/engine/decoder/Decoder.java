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
 * GQA attention over a paged KV cache, SwiGLU MLP, final norm and (tied) lm_head. The whole forward
 * pass is {@link #forward}; {@link #prefill} runs it over one prompt, {@link #step} over the newest
 * token of each sequence of a batch.
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

  /** A pool of KV blocks for {@code tokens} positions over all the sequences it will hold. */
  public KvPool newPool(long tokens) {
    return new KvPool(ops, c.layers(), KvPool.blocksFor(tokens), c.kvHeads() * c.headDim());
  }

  /** A cache for one sequence of up to {@code capacity} positions, in a pool of its own. */
  public KvCache newCache(int capacity) {
    return newPool(capacity).allocate(capacity).owningPool();
  }

  /** Buffers for decode steps of up to {@code maxRows} sequences of {@code pool}. */
  public DecodeBatch newBatch(KvPool pool, int maxRows, int maxContext) {
    return new DecodeBatch(ops, c, pool, maxRows, maxContext);
  }

  /**
   * Runs the prompt: ids with runs of image tokens filled from {@code imageFeatures} [tokens,
   * hidden] (null without images). Returns logits [n, vocab] of every position when {@code
   * allLogits}, else [1, vocab] of the last; the caller closes them.
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
    int n = ids.length;
    int[][] pos = MRope.positions(ids, grids, imageTokenId, mergeSize);
    int[] slots = new int[n];
    for (int i = 0; i < n; i++) {
      slots[i] = cache.slot(i);
    }
    float[][] rot = mrope.tables(pos, 0, n);
    int rows = allLogits ? n : 1;
    Buf logits = ops.alloc(rows, c.vocabSize()); // [rows, vocab]
    try (Workspace ws = new Workspace(ops, c, n)) {
      ops.write(ws.ids, ids);
      ops.write(ws.cos, 0, rot[0]);
      ops.write(ws.sin, 0, rot[1]);
      ops.write(ws.slots, slots);
      forward(ws, n, cache.pool, new Prompt(ids, imageFeatures, allLogits), null, logits);
    } catch (RuntimeException e) {
      logits.close();
      throw e;
    }
    cache.ropeDelta = MRope.ropeDelta(pos);
    cache.length = n;
    return logits;
  }

  /**
   * One generated token of a single sequence → logits [1, vocab] of the next (valid until the next
   * step).
   */
  public Buf step(KvCache cache, int token) {
    if (cache.single == null) {
      cache.single = newBatch(cache.pool, 1, cache.capacity());
    }
    return step(cache.single, new KvCache[] {cache}, new int[] {token});
  }

  /**
   * The newest token of each of {@code caches.length} sequences → logits [rows, vocab] of their
   * next tokens, row b for sequence b (a view of the batch's buffer, valid until its next step).
   */
  public Buf step(DecodeBatch batch, KvCache[] caches, int[] tokens) {
    int n = caches.length;
    if (n < 1 || n > batch.maxRows || tokens.length != n) {
      throw new IllegalArgumentException(
          n + " sequences and " + tokens.length + " tokens for a batch of " + batch.maxRows);
    }
    int[] pos = new int[n];
    int[] slots = new int[n];
    int[] lengths = new int[n];
    for (int b = 0; b < n; b++) {
      KvCache cache = caches[b];
      if (cache.length >= cache.capacity()) {
        throw new IllegalStateException("context of " + cache.capacity() + " tokens is full");
      }
      pos[b] = cache.length + cache.ropeDelta;
      slots[b] = cache.slot(cache.length);
      lengths[b] = cache.length + 1;
    }
    float[][] rot = mrope.tables(new int[][] {pos, pos, pos}, 0, n);
    Workspace ws = batch.ws;
    ops.write(ws.ids, tokens);
    ops.write(ws.cos, 0, rot[0]);
    ops.write(ws.sin, 0, rot[1]);
    ops.write(ws.slots, slots);
    ops.write(batch.lengths, lengths);
    int[] table = batch.blockTableFor(caches, n);
    if (table != null) {
      ops.write(batch.blockTable, table);
    }
    Runnable body = () -> forward(ws, n, batch.pool, null, batch, batch.logits);
    if (taps.enabled()) {
      body.run(); // taps copy to the host: not something a recorded step may do
    } else {
      if (batch.steps[n] == null) {
        batch.steps[n] = ops.record(body);
      }
      batch.steps[n].run();
    }
    for (KvCache cache : caches) {
      cache.length++;
    }
    return ops.view(batch.logits, n, c.vocabSize());
  }

  /** A prompt's extras: its ids (for the image rows) and features, and which logits it wants. */
  private record Prompt(int[] ids, Buf imageFeatures, boolean allLogits) {}

  /**
   * The forward pass over n tokens whose ids, rotary tables and KV slots are in ws: a prompt
   * (attention among its own tokens, causal) or one new token per sequence of a decode batch
   * (attention over each sequence's cached positions). Logits go to {@code logits}.
   */
  private void forward(
      Workspace ws, int n, KvPool pool, Prompt prompt, DecodeBatch decode, Buf logits) {
    int heads = c.heads();
    int kvHeads = c.kvHeads();
    int hd = c.headDim();
    float eps = c.rmsNormEps();
    Buf x = ws.x;
    Buf xb = ws.xb;

    // token embeddings, image token rows replaced by the vision features in order
    ops.embedding(x, w.embed(), ws.ids, n);
    if (prompt != null) {
      scatterImageFeatures(x, prompt.ids(), prompt.imageFeatures());
    }
    taps.tap(ops, "text.inputs_embeds", x, n);

    for (int l = 0; l < c.layers(); l++) {
      DecoderWeights.Layer layer = w.layers().get(l);

      // attention
      ops.rmsNorm(xb, x, n, layer.inputNorm(), eps);
      linear(ws.q, xb, n, layer.q());
      linear(ws.k, xb, n, layer.k());
      linear(ws.v, xb, n, layer.v());
      ops.rope(ws.q, n, heads, hd, ws.cos, ws.sin);
      ops.rope(ws.k, n, kvHeads, hd, ws.cos, ws.sin);
      ops.storeKv(pool.k[l], pool.v[l], ws.k, ws.v, n, ws.slots);
      if (prompt != null) {
        ops.attention(ws.att, ws.q, ws.k, ws.v, new int[] {0, n}, heads, kvHeads, hd, true);
      } else {
        ops.decodeAttention(
            ws.att,
            ws.q,
            n,
            pool.k[l],
            pool.v[l],
            decode.blockTable,
            decode.maxBlocks,
            decode.lengths,
            KvPool.BLOCK_SIZE,
            heads,
            kvHeads,
            hd);
      }
      linear(xb, ws.att, n, layer.o());
      ops.add(x, xb, n);

      // SwiGLU MLP
      ops.rmsNorm(xb, x, n, layer.postNorm(), eps);
      linear(ws.gate, xb, n, layer.gate());
      linear(ws.up, xb, n, layer.up());
      ops.siluMul(ws.gate, ws.up, n);
      linear(xb, ws.gate, n, layer.down());
      ops.add(x, xb, n);
      taps.tap(ops, "text.layers." + l, x, n);
    }

    // final norm and lm_head, on every row or only a prompt's last
    int rows = n;
    if (prompt != null && !prompt.allLogits()) {
      ops.copyRows(x, 0, x, n - 1, 1);
      rows = 1;
    }
    ops.rmsNorm(xb, x, rows, w.norm(), eps);
    taps.tap(ops, "text.norm", xb, rows);
    linear(logits, xb, rows, w.lmHead());
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
