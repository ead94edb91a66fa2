package dev.docproc.inference.engine.decoder;

/**
 * One sequence's share of a {@link KvPool}: {@code blocks} consecutive blocks from {@code
 * firstBlock}, how many positions are filled, and the M-RoPE offset of generated tokens. Closing it
 * gives the blocks back (and closes the pool when the cache was made alone by {@link
 * Decoder#newCache}).
 */
public final class KvCache implements AutoCloseable {
  final KvPool pool;
  final int firstBlock;
  final int blocks;
  private final int capacity;
  int length;
  int ropeDelta;
  private boolean ownsPool;
  DecodeBatch single; // the batch of one that Decoder.step(cache, token) uses, made on first use
  private boolean closed;

  KvCache(KvPool pool, int firstBlock, int blocks, int capacity) {
    this.pool = pool;
    this.firstBlock = firstBlock;
    this.blocks = blocks;
    this.capacity = capacity;
  }

  KvCache owningPool() {
    ownsPool = true;
    return this;
  }

  public int capacity() {
    return capacity;
  }

  /** Positions filled so far (prompt + generated tokens). */
  public int length() {
    return length;
  }

  /** Cache row (in the pool's K and V buffers) of position p. */
  int slot(int p) {
    return firstBlock * KvPool.BLOCK_SIZE + p;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (single != null) {
      single.close();
    }
    pool.release(firstBlock, blocks);
    if (ownsPool) {
      pool.close();
    }
  }
}
