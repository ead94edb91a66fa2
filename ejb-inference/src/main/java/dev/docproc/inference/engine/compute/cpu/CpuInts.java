package dev.docproc.inference.engine.compute.cpu;

import dev.docproc.inference.engine.compute.IntBuf;

/** An int vector on the Java heap. */
final class CpuInts implements IntBuf {
  final int[] data;

  CpuInts(int n) {
    this.data = new int[n];
  }

  @Override
  public int length() {
    return data.length;
  }

  @Override
  public void close() {
    // heap memory: the garbage collector frees it
  }
}
