package dev.docproc.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class Bf16Test {
  @Test
  void roundsToNearestEven() {
    // 1 + 2^-8 lies exactly between 1 and 1 + 2^-7: ties to the even mantissa (1.0)
    assertEquals(1.0f, Bf16.round(1.0f + 0x1p-8f));
    // 1 + 3·2^-8 lies between 1 + 2^-7 (odd) and 1 + 2^-6 (even): rounds up to the even one
    assertEquals(1.0f + 0x1p-6f, Bf16.round(1.0f + 3 * 0x1p-8f));
    assertEquals(1.0f + 0x1p-7f, Bf16.round(1.0f + 0x1p-7f + 0x1p-12f));
    assertEquals(-2.5f, Bf16.round(-2.5f));
  }

  @Test
  void keepsSpecialValues() {
    assertTrue(Float.isNaN(Bf16.toFloat(Bf16.fromFloat(Float.NaN))));
    assertEquals(Float.POSITIVE_INFINITY, Bf16.round(Float.POSITIVE_INFINITY));
    assertEquals(Float.POSITIVE_INFINITY, Bf16.round(Float.MAX_VALUE), "overflow rounds to inf");
    assertEquals((short) 0x3f80, Bf16.fromFloat(1.0f));
  }
}
