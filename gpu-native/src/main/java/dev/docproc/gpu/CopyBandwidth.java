package dev.docproc.gpu;

/**
 * The device's memory bandwidth as a large device-to-device copy measures it, counting bytes read
 * plus bytes written (as STREAM's copy does): what the decode floor (weight bytes per token ÷
 * bandwidth) is computed against.
 */
public final class CopyBandwidth {
  private CopyBandwidth() {}

  /** Best of {@code repeats} copies of {@code bytes} between two buffers, in GB/s (1e9 bytes/s). */
  public static double measure(CudaContext cuda, long bytes, int repeats) {
    try (DeviceBuffer src = cuda.allocate(bytes);
        DeviceBuffer dst = cuda.allocate(bytes)) {
      src.fill32(0x3f800000); // 1.0f everywhere: never time untouched or zero pages
      dst.copyFrom(src, bytes); // warm-up
      cuda.synchronize();
      double best = 0;
      for (int i = 0; i < repeats; i++) {
        long t0 = System.nanoTime();
        dst.copyFrom(src, bytes);
        cuda.synchronize();
        best = Math.max(best, 2.0 * bytes / ((System.nanoTime() - t0) / 1e9) / 1e9);
      }
      return best;
    }
  }
}
