package dev.docproc.gpu;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CudaAvailabilityTest {
  @Test
  void withoutAGpuTheBackendIsAbsentWithAReason() {
    assumeFalse(Files.exists(Path.of("/dev/nvidiactl")), "this machine has an NVIDIA GPU");
    CudaAvailability.Status status = CudaAvailability.probe();
    assertFalse(status.usable());
    String reason = status.description();
    assertTrue(
        reason.contains("no NVIDIA driver on this machine") && reason.contains("libcuda.so.1")
            || reason.contains("no CUDA kernels")
            || reason.contains("cuInit"),
        "the reason names what is missing: " + reason);
    assertSame(status, CudaAvailability.probe(), "decided once per process");
  }
}
