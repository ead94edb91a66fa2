package dev.docproc.inference.engine.decoder;

import dev.docproc.inference.engine.compute.Buf;
import dev.docproc.inference.engine.compute.Ops;
import java.util.BitSet;

/**
 * The KV cache of every sequence a decoder runs at once: per layer one K and one V buffer of {@code
 * blocks · blockSize} rows (post-RoPE keys and values, [slots, kvHeads·headDim]), handed out to
 * sequences as runs of consecutive blocks. Kernels address it through block tables (paged), and a
 * run is exactly what a sequence asked for (prompt + new tokens), so nothing is copied as it grows.
 */
public final class KvPool implements AutoCloseable {
  /** Tokens per block: one 64-key chunk of the GPU decode kernel. */
  public static final int BLOCK_SIZE = 64;

  final Buf[] k; // [layers] of [blocks·BLOCK_SIZE, kvDim]
  final Buf[] v; // [layers] of [blocks·BLOCK_SIZE, kvDim]
  private final int blocks;
  private final BitSet used;

  KvPool(Ops ops, int layers, int blocks, int kvDim) {
    if (blocks < 1) {
      throw new IllegalArgumentException("a KV pool needs at least one block, got " + blocks);
    }
    this.blocks = blocks;
    this.used = new BitSet(blocks);
    this.k = new Buf[layers];
    this.v = new Buf[layers];
    int rows = Math.multiplyExact(blocks, BLOCK_SIZE);
    for (int l = 0; l < layers; l++) {
      k[l] = ops.alloc(rows, kvDim);
      v[l] = ops.alloc(rows, kvDim);
    }
  }

  /** Blocks that hold {@code tokens} positions. */
  public static int blocksFor(long tokens) {
    return Math.toIntExact((tokens + BLOCK_SIZE - 1) / BLOCK_SIZE);
  }

  public int blocks() {
    return blocks;
  }

  /** Blocks not held by any sequence. */
  public synchronized int freeBlocks() {
    return blocks - used.cardinality();
  }

  /**
   * A cache for up to {@code capacity} positions, or null while no run of blocks that long is free.
   */
  public synchronized KvCache allocate(int capacity) {
    int need = blocksFor(capacity);
    if (need > blocks) {
      throw new IllegalArgumentException(
          "a sequence of "
              + capacity
              + " positions needs "
              + need
              + " KV blocks but the pool has "
              + blocks);
    }
    for (int start = used.nextClearBit(0); start + need <= blocks; ) {
      int busy = used.nextSetBit(start);
      if (busy < 0 || busy >= start + need) {
        used.set(start, start + need);
        return new KvCache(this, start, need, capacity);
      }
      start = used.nextClearBit(busy);
    }
    return null;
  }

  synchronized void release(int first, int count) {
    used.clear(first, first + count);
  }

  @Override
  public void close() {
    for (int l = 0; l < k.length; l++) {
      k[l].close();
      v[l].close();
    }
  }
}
