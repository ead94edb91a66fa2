package dev.docproc.inference.engine.compute.cuda;

import dev.docproc.gpu.CudaContext;
import dev.docproc.gpu.CudaException;
import dev.docproc.gpu.DeviceBuffer;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Device memory for activations, kept for reuse once freed (as PyTorch's caching allocator does):
 * cuMemFree waits for the whole device and cuMemAlloc costs far more than a kernel, so a request
 * that allocates its buffers per layer would otherwise stall the stream. Sizes are rounded to
 * classes (powers of two below 2 MiB, multiples of 2 MiB above) so that a freed buffer fits the
 * next request of about its size; when the device runs out, the cached buffers are freed and the
 * allocation tried again. Every buffer is used on the context's one stream, so a buffer given back
 * while kernels that use it are still queued is only reused by work queued after them.
 */
final class BufferPool implements AutoCloseable {
  private static final long LARGE = 2L << 20;

  private final CudaContext cuda;
  private final Map<Long, ArrayDeque<DeviceBuffer>> free = new HashMap<>();
  private long held; // bytes allocated from the device, free or in use

  BufferPool(CudaContext cuda) {
    this.cuda = cuda;
  }

  /** A buffer of at least {@code bytes}, reused when one of its size class is free. */
  DeviceBuffer take(long bytes) {
    long size = sizeClass(bytes);
    ArrayDeque<DeviceBuffer> list = free.get(size);
    if (list != null && !list.isEmpty()) {
      return list.pop();
    }
    DeviceBuffer b;
    try {
      b = cuda.allocate(size);
    } catch (CudaException e) {
      if (!e.outOfMemory()) {
        throw e;
      }
      release(); // cached buffers of other sizes may be what stands in the way
      try {
        b = cuda.allocate(size);
      } catch (CudaException again) {
        throw new CudaException(
            String.format(
                "out of device memory: %.1f MiB wanted, %.1f MiB held for activations and the KV"
                    + " cache (%s)",
                size / 1048576.0, held / 1048576.0, again.getMessage()));
      }
    }
    held += size;
    return b;
  }

  void give(DeviceBuffer b) {
    free.computeIfAbsent(b.bytes(), s -> new ArrayDeque<>()).push(b);
  }

  /** Bytes taken from the device so far (in use or cached). */
  long heldBytes() {
    return held;
  }

  static long sizeClass(long bytes) {
    if (bytes <= 0) {
      throw new IllegalArgumentException("allocation of " + bytes + " bytes");
    }
    if (bytes >= LARGE) {
      return (bytes + LARGE - 1) / LARGE * LARGE;
    }
    return Math.max(512, Long.highestOneBit(bytes - 1) << 1);
  }

  /** Frees the cached buffers (those in use stay). */
  private void release() {
    for (ArrayDeque<DeviceBuffer> list : free.values()) {
      for (DeviceBuffer b : list) {
        held -= b.bytes();
        b.close();
      }
    }
    free.clear();
  }

  @Override
  public void close() {
    release();
  }
}
