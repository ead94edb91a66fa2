package dev.docproc.inference.engine.compute.cuda;

import dev.docproc.gpu.DeviceBuffer;
import dev.docproc.inference.engine.compute.IntBuf;

/** An int32 vector on the device, from the pool. */
final class CudaInts implements IntBuf {
  final DeviceBuffer data; // exactly length ints
  private final int length;
  private final DeviceBuffer block;
  private final BufferPool pool;
  private boolean closed;

  CudaInts(BufferPool pool, int length) {
    if (length <= 0) {
      throw new IllegalArgumentException("int vector of " + length);
    }
    this.length = length;
    this.pool = pool;
    this.block = pool.take(4L * length);
    this.data = block.view(0, 4L * length);
  }

  @Override
  public int length() {
    return length;
  }

  @Override
  public void close() {
    if (!closed) {
      pool.give(block);
    }
    closed = true;
  }
}
