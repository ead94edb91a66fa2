package dev.docproc.inference.engine.cli;

import java.util.stream.IntStream;

/** A STREAM-like copy: the memory bandwidth the decode floor is measured against. */
final class Bandwidth {
  private Bandwidth() {}

  /**
   * Best of five copies of 512 MiB between two float arrays split over {@code threads} threads,
   * counted as STREAM counts copy: bytes read + bytes written per second, in GB/s.
   */
  static double copyGBps(int threads) {
    int n = 1 << 27; // 128 Mi floats = 512 MiB per array
    float[] src = new float[n];
    float[] dst = new float[n];
    java.util.Arrays.fill(src, 1f);
    int chunk = n / threads;
    double best = 0;
    for (int it = 0; it < 5; it++) {
      long t0 = System.nanoTime();
      IntStream.range(0, threads)
          .parallel()
          .forEach(
              t ->
                  System.arraycopy(
                      src, t * chunk, dst, t * chunk, t == threads - 1 ? n - t * chunk : chunk));
      double seconds = (System.nanoTime() - t0) / 1e9;
      best = Math.max(best, 2.0 * n * Float.BYTES / seconds / 1e9);
    }
    return best;
  }
}
