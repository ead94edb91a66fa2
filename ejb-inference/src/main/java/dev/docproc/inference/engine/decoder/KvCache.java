package dev.docproc.inference.engine.decoder;

import dev.docproc.inference.engine.compute.Buf;
import dev.docproc.inference.engine.compute.Ops;

/**
 * One sequence's state: post-RoPE keys and values of every layer for up to {@code capacity}
 * positions, how many are filled, and the M-RoPE offset of generated tokens.
 */
public final class KvCache implements AutoCloseable {
  final Buf[] k; // [layers] of [capacity, kvHeads·headDim]
  final Buf[] v; // [layers] of [capacity, kvHeads·headDim]
  private final int capacity;
  int length;
  int ropeDelta;

  KvCache(Ops ops, int layers, int capacity, int kvDim) {
    this.capacity = capacity;
    this.k = new Buf[layers];
    this.v = new Buf[layers];
    for (int l = 0; l < layers; l++) {
      k[l] = ops.alloc(capacity, kvDim);
      v[l] = ops.alloc(capacity, kvDim);
    }
  }

  public int capacity() {
    return capacity;
  }

  /** Positions filled so far (prompt + generated tokens). */
  public int length() {
    return length;
  }

  @Override
  public void close() {
    for (int l = 0; l < k.length; l++) {
      k[l].close();
      v[l].close();
    }
  }
}
