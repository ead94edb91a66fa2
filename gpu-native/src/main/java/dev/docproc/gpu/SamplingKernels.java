package dev.docproc.gpu;

/**
 * Next-token selection on the device: repetition penalty (via a seen-token mask), greedy argmax,
 * and temperature / top-k / top-p sampling with a per-row random stream advanced in place.
 */
public final class SamplingKernels {
  private final CudaContext cuda;

  public SamplingKernels(CudaContext cuda) {
    this.cuda = cuda;
  }

  /** {@code seen[b][ids[b][i]] = 1} for ids int32 [batch][n] (ids outside [0, vocab) ignored). */
  public void markSeen(
      DeviceBuffer seen, int ldSeen, DeviceBuffer ids, int n, int batch, int vocab) {
    Require.positive(n, "ids per row");
    Require.positive(batch, "batch");
    Require.matrix(seen, batch, vocab, ldSeen, 1, "seen");
    Require.matrix(ids, batch, n, n, 4, "ids");
    cuda.launch(
        "mark_seen", new int[] {(n + 255) / 256, batch}, 256, 0, seen, ldSeen, ids, n, vocab);
  }

  /**
   * fp32 logits from the bf16 lm_head output, with HF's repetition penalty on seen tokens.
   *
   * @param seen uint8 [batch][ldSeen] or null (no penalty)
   */
  public void prepareLogits(
      DeviceBuffer logits,
      int ldIn,
      DeviceBuffer out,
      int ldOut,
      DeviceBuffer seen,
      int ldSeen,
      float penalty,
      int batch,
      int vocab) {
    Require.positive(batch, "batch");
    Require.positive(vocab, "vocab");
    Require.matrix(logits, batch, vocab, ldIn, 2, "logits");
    Require.matrix(out, batch, vocab, ldOut, 4, "out");
    if (seen != null) {
      Require.matrix(seen, batch, vocab, ldSeen, 1, "seen");
    }
    if (!(penalty > 0)) {
      throw new IllegalArgumentException("repetition penalty must be > 0, got " + penalty);
    }
    cuda.launch(
        "prepare_logits",
        new int[] {(vocab + 255) / 256, batch},
        256,
        0,
        logits,
        ldIn,
        out,
        ldOut,
        seen,
        ldSeen,
        penalty,
        vocab);
  }

  /** {@code ids[b] = argmax_i x[b][i]} (first index on ties). */
  public void argmax(DeviceBuffer x, int ld, int batch, int vocab, DeviceBuffer ids) {
    Require.positive(batch, "batch");
    Require.matrix(x, batch, vocab, ld, 4, "logits");
    Require.matrix(ids, 1, batch, batch, 4, "ids");
    cuda.launch("argmax", new int[] {batch}, 1024, 0, x, ld, vocab, ids);
  }

  /**
   * Samples one id per row. topK ≤ 0 or ≥ vocab: no top-k; topP ≥ 1: no top-p.
   *
   * @param rngState uint64 [batch], advanced by one step per call (seed it once per request)
   */
  public void sample(
      DeviceBuffer x,
      int ld,
      int batch,
      int vocab,
      float temperature,
      int topK,
      float topP,
      DeviceBuffer rngState,
      DeviceBuffer ids) {
    Require.positive(batch, "batch");
    Require.matrix(x, batch, vocab, ld, 4, "logits");
    Require.matrix(rngState, 1, batch, batch, 8, "rng state");
    Require.aligned(rngState, 8, "rng state");
    Require.matrix(ids, 1, batch, batch, 4, "ids");
    if (!(temperature > 0)) {
      throw new IllegalArgumentException("temperature must be > 0 (use argmax for greedy)");
    }
    if (!(topP > 0)) {
      throw new IllegalArgumentException("top_p must be > 0, got " + topP);
    }
    cuda.launch(
        "sample_top_k_top_p",
        new int[] {batch},
        1024,
        0,
        x,
        ld,
        vocab,
        temperature,
        topK,
        topP,
        rngState,
        ids);
  }
}
