package dev.docproc.gpu;

import static dev.docproc.gpu.CudaException.check;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.JCudaDriver;

/**
 * Device memory: an allocation (closing frees it) or a view into one (closing does nothing).
 * Uploads and downloads go through the context's stream, after the work already queued there, and
 * return when the copy is done; fills are queued on the stream.
 */
public final class DeviceBuffer implements AutoCloseable {
  private final CudaContext context;
  private final CUdeviceptr ptr;
  private final long bytes;
  private final long offset; // from the start of the allocation (allocations are 256-byte aligned)
  private final boolean owner;
  private boolean closed;

  DeviceBuffer(CudaContext context, CUdeviceptr ptr, long bytes, long offset, boolean owner) {
    this.context = context;
    this.ptr = ptr;
    this.bytes = bytes;
    this.offset = offset;
    this.owner = owner;
  }

  public long bytes() {
    return bytes;
  }

  /** Whether the device address is a multiple of {@code alignment} (a power of two ≤ 256). */
  public boolean isAligned(int alignment) {
    return offset % alignment == 0;
  }

  /** The device address (for kernel arguments). */
  public CUdeviceptr pointer() {
    requireOpen();
    return ptr;
  }

  /** A non-owning view of {@code [offset, offset + length)} bytes. */
  public DeviceBuffer view(long offset, long length) {
    requireOpen();
    if (offset < 0 || length < 0 || offset + length > bytes) {
      throw new IllegalArgumentException(
          "view ["
              + offset
              + ", "
              + (offset + length)
              + ") outside a buffer of "
              + bytes
              + " bytes");
    }
    return new DeviceBuffer(
        context, ptr.withByteOffset(offset), length, this.offset + offset, false);
  }

  public DeviceBuffer upload(short[] data) {
    return upload(Pointer.to(data), 2L * data.length);
  }

  public DeviceBuffer upload(int[] data) {
    return upload(Pointer.to(data), 4L * data.length);
  }

  public DeviceBuffer upload(float[] data) {
    return upload(Pointer.to(data), 4L * data.length);
  }

  public DeviceBuffer upload(byte[] data) {
    return upload(Pointer.to(data), data.length);
  }

  public DeviceBuffer upload(long[] data) {
    return upload(Pointer.to(data), 8L * data.length);
  }

  public short[] downloadShorts(int count) {
    short[] out = new short[count];
    download(Pointer.to(out), 2L * count);
    return out;
  }

  public int[] downloadInts(int count) {
    int[] out = new int[count];
    download(Pointer.to(out), 4L * count);
    return out;
  }

  public float[] downloadFloats(int count) {
    float[] out = new float[count];
    download(Pointer.to(out), 4L * count);
    return out;
  }

  public long[] downloadLongs(int count) {
    long[] out = new long[count];
    download(Pointer.to(out), 8L * count);
    return out;
  }

  /** Fills the buffer with a byte (queued on the stream). */
  public void fill8(byte pattern) {
    requireOpen();
    context.bind();
    check(JCudaDriver.cuMemsetD8Async(ptr, pattern, bytes, context.stream()), "cuMemsetD8Async");
  }

  /**
   * Copies the first {@code length} bytes of {@code src} to the start of this buffer, queued on the
   * stream after the work already there (device to device; the ranges must not overlap).
   */
  public void copyFrom(DeviceBuffer src, long length) {
    requireFits(length);
    src.requireFits(length);
    context.bind();
    check(
        JCudaDriver.cuMemcpyDtoDAsync(ptr, src.pointer(), length, context.stream()),
        "cuMemcpyDtoDAsync");
  }

  /** Fills the buffer with a 16-bit pattern (e.g. {@link Bf16#NAN} to poison an output). */
  public void fill16(short pattern) {
    requireSize(2, "fill16");
    context.bind();
    check(
        JCudaDriver.cuMemsetD16Async(ptr, pattern, bytes / 2, context.stream()),
        "cuMemsetD16Async");
  }

  /** Fills the buffer with a 32-bit pattern (e.g. a float NaN, or -1 in int buffers). */
  public void fill32(int pattern) {
    requireSize(4, "fill32");
    context.bind();
    check(
        JCudaDriver.cuMemsetD32Async(ptr, pattern, bytes / 4, context.stream()),
        "cuMemsetD32Async");
  }

  @Override
  public void close() {
    if (!closed && owner) {
      context.bind();
      check(JCudaDriver.cuMemFree(ptr), "cuMemFree");
    }
    closed = true;
  }

  private DeviceBuffer upload(Pointer host, long length) {
    requireFits(length);
    context.bind();
    check(JCudaDriver.cuMemcpyHtoDAsync(ptr, host, length, context.stream()), "cuMemcpyHtoDAsync");
    check(JCudaDriver.cuStreamSynchronize(context.stream()), "cuStreamSynchronize");
    return this;
  }

  private void download(Pointer host, long length) {
    requireFits(length);
    context.bind();
    check(JCudaDriver.cuMemcpyDtoHAsync(host, ptr, length, context.stream()), "cuMemcpyDtoHAsync");
    check(JCudaDriver.cuStreamSynchronize(context.stream()), "cuStreamSynchronize");
  }

  private void requireFits(long length) {
    requireOpen();
    if (length > bytes) {
      throw new IllegalArgumentException(length + " bytes do not fit a buffer of " + bytes);
    }
  }

  private void requireSize(int unit, String what) {
    requireOpen();
    if (bytes % unit != 0) {
      throw new IllegalArgumentException(what + " needs a size that is a multiple of " + unit);
    }
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("device buffer already closed");
    }
  }
}
