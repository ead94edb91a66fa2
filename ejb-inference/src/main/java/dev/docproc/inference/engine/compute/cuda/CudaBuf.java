package dev.docproc.inference.engine.compute.cuda;

import dev.docproc.gpu.DeviceBuffer;
import dev.docproc.inference.engine.compute.Buf;

/**
 * Activations on the device: [rows, cols] bf16 with a row stride {@code ld} rounded up to 8
 * elements (the kernels read rows as 16-byte vectors), or float32 with ld = cols (rotary tables).
 * {@code data} is exactly rows·ld elements; {@code block} is the pool's buffer behind it, given
 * back on close (null for views).
 */
final class CudaBuf implements Buf {
  final DeviceBuffer data;
  final int rows;
  final int cols;
  final int ld;
  final boolean f32;
  private final DeviceBuffer block;
  private final BufferPool pool;
  private boolean closed;

  private CudaBuf(
      DeviceBuffer data,
      int rows,
      int cols,
      int ld,
      boolean f32,
      DeviceBuffer block,
      BufferPool pool) {
    this.data = data;
    this.rows = rows;
    this.cols = cols;
    this.ld = ld;
    this.f32 = f32;
    this.block = block;
    this.pool = pool;
  }

  static CudaBuf bf16(BufferPool pool, int rows, int cols) {
    return allocate(pool, rows, cols, (cols + 7) / 8 * 8, false);
  }

  static CudaBuf f32(BufferPool pool, int rows, int cols) {
    return allocate(pool, rows, cols, cols, true);
  }

  private static CudaBuf allocate(BufferPool pool, int rows, int cols, int ld, boolean f32) {
    if (rows <= 0 || cols <= 0) {
      throw new IllegalArgumentException("buffer [" + rows + ", " + cols + "]");
    }
    long bytes = (long) rows * ld * (f32 ? 4 : 2);
    DeviceBuffer block = pool.take(bytes);
    return new CudaBuf(block.view(0, bytes), rows, cols, ld, f32, block, pool);
  }

  /** The same memory as [rows, cols] with row stride ld (no ownership). */
  CudaBuf view(int rows, int cols, int ld) {
    long bytes = ((long) (rows - 1) * ld + cols) * elementBytes();
    return new CudaBuf(data.view(0, bytes), rows, cols, ld, f32, null, null);
  }

  /** Rows [row, row + n) (no ownership). */
  CudaBuf rows(int row, int n) {
    long start = (long) row * ld * elementBytes();
    long bytes = ((long) (n - 1) * ld + cols) * elementBytes();
    return new CudaBuf(data.view(start, bytes), n, cols, ld, f32, null, null);
  }

  int elementBytes() {
    return f32 ? 4 : 2;
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
    if (!closed && block != null) {
      pool.give(block);
    }
    closed = true;
  }
}
