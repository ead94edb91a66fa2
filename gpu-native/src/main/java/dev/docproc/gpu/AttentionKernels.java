package dev.docproc.gpu;

import java.util.Set;

/**
 * Attention: prefill over variable-length segments (tensor cores) and decode over a paged KV cache
 * (split over the sequence, then combined). Head dims 16, 32 (the tiny test models), 64, 80 and
 * 128; query heads per kv head ≤ 8.
 */
public final class AttentionKernels {
  /** Keys per decode split (one block each); see attention_decode.cu. */
  public static final int DECODE_CHUNK = 64;

  private static final Set<Integer> HEAD_DIMS = Set.of(16, 32, 64, 80, 128);
  private final CudaContext cuda;

  public AttentionKernels(CudaContext cuda) {
    this.cuda = cuda;
  }

  /** Bytes of the decode workspace for batch rows, query heads and a maximum sequence length. */
  public static long decodeWorkspaceBytes(int batch, int hq, int headDim, int maxSeqLen) {
    return 4L * batch * hq * maxSplits(maxSeqLen) * (headDim + 2);
  }

  public static int maxSplits(int maxSeqLen) {
    return (maxSeqLen + DECODE_CHUNK - 1) / DECODE_CHUNK;
  }

  /**
   * Segments [cu[s], cu[s+1]) of the T rows of q/k/v attend within themselves (causal or not). Head
   * h of q/o is at column h·d; kv head h / (hq/hkv) of k/v likewise.
   *
   * @param cuSeqlens int32 [segments + 1], starting at 0
   * @param maxSeqLen the longest segment (sizes the grid; longer segments would be cut short)
   */
  public void prefill(
      DeviceBuffer q,
      int ldq,
      DeviceBuffer k,
      int ldk,
      DeviceBuffer v,
      int ldv,
      DeviceBuffer o,
      int ldo,
      DeviceBuffer cuSeqlens,
      int segments,
      int totalRows,
      int maxSeqLen,
      int hq,
      int hkv,
      int d,
      float scale,
      boolean causal) {
    heads(hq, hkv, d);
    Require.positive(segments, "segments");
    Require.positive(maxSeqLen, "max segment length");
    Require.matrix(cuSeqlens, 1, segments + 1, segments + 1, 4, "cu_seqlens");
    rows(q, totalRows, hq * d, ldq, "q");
    rows(k, totalRows, hkv * d, ldk, "k");
    rows(v, totalRows, hkv * d, ldv, "v");
    rows(o, totalRows, hq * d, ldo, "o");
    cuda.launch(
        "attention_prefill_d" + d,
        new int[] {(maxSeqLen + 63) / 64, hq, segments},
        128,
        0,
        q,
        ldq,
        k,
        ldk,
        v,
        ldv,
        o,
        ldo,
        cuSeqlens,
        hq,
        hkv,
        scale,
        causal ? 1 : 0);
  }

  /**
   * Writes t new (post-RoPE) K and V rows of width row = hkv·d into their cache slots.
   *
   * @param slots int32 [t]: block · blockSize + offset, negative to skip a row
   */
  public void kvAppend(
      DeviceBuffer k,
      int ldk,
      DeviceBuffer v,
      int ldv,
      DeviceBuffer slots,
      int t,
      DeviceBuffer kCache,
      DeviceBuffer vCache,
      int row) {
    Require.positive(t, "tokens");
    Require.multiple(row, 8, "kv row width");
    rows(k, t, row, ldk, "k");
    rows(v, t, row, ldv, "v");
    Require.matrix(slots, 1, t, t, 4, "slots");
    Require.aligned(kCache, 16, "k cache");
    Require.aligned(vCache, 16, "v cache");
    if (kCache.bytes() != vCache.bytes() || kCache.bytes() / 2 % row != 0) {
      throw new IllegalArgumentException(
          "k and v caches must be equal [slots]["
              + row
              + "] bf16 buffers, got "
              + kCache.bytes()
              + " and "
              + vCache.bytes()
              + " bytes");
    }
    cuda.launch(
        "kv_cache_append", new int[] {t}, 128, 0, k, ldk, v, ldv, slots, kCache, vCache, row);
  }

  /**
   * One query row per sequence attends over its cached keys 0..seqLens[b]-1.
   *
   * @param blockTable int32 [batch][maxBlocks]
   * @param seqLens int32 [batch]; a length over maxSeqLen yields a NaN output row
   * @param workspace at least {@link #decodeWorkspaceBytes} bytes
   */
  public void decode(
      DeviceBuffer q,
      int ldq,
      DeviceBuffer kCache,
      DeviceBuffer vCache,
      DeviceBuffer blockTable,
      int maxBlocks,
      DeviceBuffer seqLens,
      int batch,
      int blockSize,
      int hq,
      int hkv,
      int d,
      float scale,
      int maxSeqLen,
      DeviceBuffer workspace,
      DeviceBuffer o,
      int ldo) {
    heads(hq, hkv, d);
    Require.positive(batch, "batch");
    Require.positive(blockSize, "block size");
    Require.matrix(q, batch, hq * d, ldq, 2, "q");
    Require.matrix(o, batch, hq * d, ldo, 2, "o");
    Require.matrix(blockTable, batch, maxBlocks, maxBlocks, 4, "block table");
    Require.matrix(seqLens, 1, batch, batch, 4, "sequence lengths");
    Require.aligned(kCache, 16, "k cache");
    Require.aligned(vCache, 16, "v cache");
    if ((long) maxBlocks * blockSize < maxSeqLen) {
      throw new IllegalArgumentException(
          "block table of " + maxBlocks + " blocks × " + blockSize + " < max length " + maxSeqLen);
    }
    if (workspace == null || workspace.bytes() < decodeWorkspaceBytes(batch, hq, d, maxSeqLen)) {
      throw new IllegalArgumentException(
          "decode workspace needs " + decodeWorkspaceBytes(batch, hq, d, maxSeqLen) + " bytes");
    }
    int splits = maxSplits(maxSeqLen);
    cuda.launch(
        "attention_decode_split_d" + d,
        new int[] {hkv, batch, splits},
        128,
        0,
        q,
        ldq,
        kCache,
        vCache,
        blockTable,
        maxBlocks,
        seqLens,
        blockSize,
        hq,
        hkv,
        scale,
        workspace,
        splits);
    cuda.launch(
        "attention_decode_combine_d" + d,
        new int[] {hq, batch},
        128,
        0,
        workspace,
        splits,
        seqLens,
        hq,
        o,
        ldo);
  }

  private static void heads(int hq, int hkv, int d) {
    if (!HEAD_DIMS.contains(d)) {
      throw new IllegalArgumentException("head dim " + d + " not compiled; available " + HEAD_DIMS);
    }
    Require.positive(hq, "query heads");
    Require.positive(hkv, "kv heads");
    if (hq % hkv != 0 || hq / hkv > 8) {
      throw new IllegalArgumentException(
          "query heads "
              + hq
              + " must be a multiple of kv heads "
              + hkv
              + ", at most 8 per kv head");
    }
  }

  private static void rows(DeviceBuffer buf, int rows, int cols, int ld, String name) {
    Require.positive(rows, name + " rows");
    Require.matrix(buf, rows, cols, ld, 2, name);
    Require.vectorRows(buf, ld, 2, name);
  }
}
