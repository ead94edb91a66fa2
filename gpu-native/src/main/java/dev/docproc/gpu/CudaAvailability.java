package dev.docproc.gpu;

import jcuda.driver.JCudaDriver;

/**
 * Whether the GPU backend can run here, decided once per process: the jar must carry the kernels
 * (built with nvcc), the CUDA driver must load, and GPU 0 must be Ampere or newer. Callers choose
 * the CPU backend when {@link Status#usable()} is false, and say so (once) in their own words.
 */
public final class CudaAvailability {
  private static Status status;

  /**
   * @param usable the GPU backend can start
   * @param description the device ("NVIDIA H100 80GB HBM3, sm_90, 132 SMs, 79.1 GiB") or, when not
   *     usable, the reason in words a user can act on
   */
  public record Status(boolean usable, String description) {}

  private CudaAvailability() {}

  public static synchronized Status probe() {
    if (status == null) {
      status = detect();
    }
    return status;
  }

  private static Status detect() {
    if (CudaAvailability.class.getResource(CudaContext.KERNELS_RESOURCE) == null) {
      return new Status(
          false,
          "this build has no CUDA kernels (gpu-native was built without nvcc;"
              + " run gpu-native/install-nvcc.sh and rebuild)");
    }
    try {
      JCudaDriver.setExceptionsEnabled(false);
    } catch (Throwable e) { // UnsatisfiedLinkError, or the wrapped form from a static initializer
      return new Status(false, "the CUDA driver cannot be loaded: " + loadFailure(e));
    }
    try (CudaContext context = CudaContext.open(0)) {
      long[] memory = context.memoryInfo();
      return new Status(
          true,
          String.format(
              "%s, sm_%d, %d SMs, %.1f GiB",
              context.deviceName(),
              context.computeCapability(),
              context.multiprocessors(),
              memory[1] / (double) (1L << 30)));
    } catch (CudaException e) {
      return new Status(false, e.getMessage());
    }
  }

  /** JCuda's message holds whole stack traces; keep the line that says what is missing. */
  private static String loadFailure(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    String message = String.valueOf(t.getMessage());
    for (String line : message.split("\\R")) {
      if (line.contains("cannot open shared object file")) {
        return "no NVIDIA driver on this machine ("
            + line.substring(line.indexOf(": ") + 2).trim()
            + ")";
      }
    }
    return t.getClass().getSimpleName() + ": " + message.lines().findFirst().orElse("");
  }
}
