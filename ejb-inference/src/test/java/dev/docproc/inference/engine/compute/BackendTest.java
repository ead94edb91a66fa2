package dev.docproc.inference.engine.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.docproc.gpu.CudaAvailability;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class BackendTest {
  private static final CudaAvailability.Status H100 =
      new CudaAvailability.Status(true, "NVIDIA H100 80GB HBM3, sm_90, 132 SMs, 79.1 GiB");
  private static final CudaAvailability.Status NO_DRIVER =
      new CudaAvailability.Status(
          false,
          "the CUDA driver cannot be loaded: no NVIDIA driver on this machine (libcuda.so.1)");
  private static final CudaAvailability.Status NO_KERNELS =
      new CudaAvailability.Status(
          false, "this build has no CUDA kernels (gpu-native was built without nvcc; ...)");

  private static Supplier<CudaAvailability.Status> never() {
    return () -> {
      throw new AssertionError("the GPU must not be probed");
    };
  }

  @Test
  void autoTakesAUsableGpuElseTheCpuSayingWhy() {
    Backend.Choice gpu = Backend.choose("auto", () -> H100);
    assertEquals(Backend.Kind.CUDA, gpu.kind());
    assertEquals("compute backend: cuda (" + H100.description() + ")", gpu.describe());
    Backend.Choice cpu = Backend.choose("auto", () -> NO_DRIVER);
    assertEquals(Backend.Kind.CPU, cpu.kind());
    assertEquals(
        "compute backend: cpu (no usable GPU: " + NO_DRIVER.description() + ")", cpu.describe());
    assertTrue(Backend.choose("auto", () -> NO_KERNELS).describe().contains("built without nvcc"));
  }

  @Test
  void cpuIsTakenWithoutLookingForAGpu() {
    Backend.Choice c = Backend.choose("cpu", never());
    assertEquals(Backend.Kind.CPU, c.kind());
    assertEquals("compute backend: cpu (docproc.compute=cpu)", c.describe());
  }

  @Test
  void cudaWithoutAUsableGpuFailsWithTheReason() {
    assertEquals(Backend.Kind.CUDA, Backend.choose("cuda", () -> H100).kind());
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> Backend.choose("cuda", () -> NO_DRIVER));
    assertEquals(
        "docproc.compute=cuda but no usable GPU: " + NO_DRIVER.description(), e.getMessage());
    IllegalArgumentException bad =
        assertThrows(IllegalArgumentException.class, () -> Backend.choose("gpu", never()));
    assertEquals("docproc.compute must be auto, cpu or cuda, got 'gpu'", bad.getMessage());
  }

  @Test
  void onThisMachineAutoFallsBackToTheCpuWithAnActionableReason() {
    assumeFalse(Files.exists(Path.of("/dev/nvidiactl")), "this machine has an NVIDIA GPU");
    Backend.Choice c = Backend.choose("auto", CudaAvailability::probe);
    assertEquals(Backend.Kind.CPU, c.kind());
    assertTrue(
        c.reason().contains("no NVIDIA driver on this machine")
            || c.reason().contains("built without nvcc"),
        c.reason());
  }
}
