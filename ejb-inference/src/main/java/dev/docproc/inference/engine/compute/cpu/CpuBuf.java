package dev.docproc.inference.engine.compute.cpu;

import dev.docproc.inference.engine.compute.Buf;

/** A float32 activation buffer on the Java heap. */
final class CpuBuf implements Buf {
  final float[] data; // [rows, cols]
  private final int rows;
  private final int cols;

  CpuBuf(int rows, int cols) {
    this(new float[Math.multiplyExact(rows, cols)], rows, cols);
  }

  CpuBuf(float[] data, int rows, int cols) {
    this.data = data;
    this.rows = rows;
    this.cols = cols;
  }

  @Override
  public int rows() {
    return rows;
  }

  @Override
  public int cols() {
    return cols;
  }

  @Override
  public void close() {
    // heap memory: the garbage collector frees it
  }
}
