package dev.docproc.gpu;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import jcuda.driver.JCudaDriver;

/**
 * Whether the GPU backend can run here, decided once per process: the jar must carry the kernels
 * (built with nvcc), the CUDA driver must load, and GPU 0 must be Ampere or newer. Callers choose
 * the CPU backend when {@link Status#usable()} is false, and say so (once) in their own words.
 */
public final class CudaAvailability {
  /** The NVIDIA driver's library, which JCuda's binding links against. */
  private static final String CUDA_DRIVER = "libcuda.so.1";

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
    String noDriver = driverLoadFailure();
    if (noDriver != null) {
      return new Status(
          false,
          "the CUDA driver cannot be loaded: no NVIDIA driver on this machine (" + noDriver + ")");
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

  /**
   * Why the driver's library cannot be opened (dlopen, through the FFM API), or null when it can.
   * Asked before JCuda's class is touched: on a server, JCuda is a module that outlives the
   * deployments, and a JCuda class that failed to initialize fails again in every later deployment
   * with a terse message instead of the missing library's name.
   */
  private static String driverLoadFailure() {
    try (Arena arena = Arena.ofConfined()) {
      SymbolLookup.libraryLookup(CUDA_DRIVER, arena);
      return null;
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
  }

  /** JCuda's message holds whole stack traces: keep the root cause's first line. */
  private static String loadFailure(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    String message = String.valueOf(t.getMessage());
    return t.getClass().getSimpleName() + ": " + message.lines().findFirst().orElse("");
  }
}
