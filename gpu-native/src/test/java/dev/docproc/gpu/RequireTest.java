package dev.docproc.gpu;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jcuda.driver.CUdeviceptr;
import org.junit.jupiter.api.Test;

/** The launchers' argument checks, on buffer descriptors that never touch a device. */
class RequireTest {
  private static DeviceBuffer buffer(long bytes, long offset) {
    return new DeviceBuffer(null, new CUdeviceptr(), bytes, offset, false);
  }

  @Test
  void matrixMustFitItsBuffer() {
    assertDoesNotThrow(() -> Require.matrix(buffer(2 * (3 * 16 + 10), 0), 4, 10, 16, 2, "x"));
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Require.matrix(buffer(100, 0), 4, 10, 16, 2, "x"));
    assertTrue(e.getMessage().startsWith("x: [4 × 10, ld 16] needs 116 bytes"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Require.matrix(buffer(1000, 0), 4, 10, 8, 2, "x"));
    assertTrue(e.getMessage().contains("row stride 8 < row length 10"), e.getMessage());
  }

  @Test
  void vectorRowsNeedAlignedStartAndStride() {
    assertDoesNotThrow(() -> Require.vectorRows(buffer(64, 32), 3424, 2, "w"));
    var e =
        assertThrows(
            IllegalArgumentException.class, () -> Require.vectorRows(buffer(64, 0), 3420, 2, "w"));
    assertTrue(e.getMessage().contains("multiple of 8 elements"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class, () -> Require.vectorRows(buffer(64, 8), 3424, 2, "w"));
    assertTrue(e.getMessage().contains("16-byte aligned"), e.getMessage());
  }

  @Test
  void viewsKeepTrackOfAlignment() {
    DeviceBuffer whole = buffer(4096, 0);
    assertTrue(whole.view(2048, 64).isAligned(16));
    assertTrue(!whole.view(2, 64).isAligned(16));
    assertThrows(IllegalArgumentException.class, () -> whole.view(4000, 200));
  }
}
