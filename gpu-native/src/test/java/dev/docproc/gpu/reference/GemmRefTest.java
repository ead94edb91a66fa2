package dev.docproc.gpu.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.docproc.gpu.Bf16;
import dev.docproc.gpu.W4Layout;
import org.junit.jupiter.api.Test;

class GemmRefTest {
  @Test
  void linearAddsBiasAndRoundsOnce() {
    float[] x = {1, 2, 3, 4, 5, 6}; // [2][3]
    float[] w = {1, 0, -1, 0.5f, 0.5f, 0.5f}; // [2][3]
    float[] y = GemmRef.linear(x, w, new float[] {10, 0}, 2, 2, 3);
    assertArrayEquals(new float[] {1 - 3 + 10, 3, 4 - 6 + 10, 7.5f}, y);
    // 257 is not a bf16 value: the output rounds (ties to even) to 256
    assertEquals(256f, GemmRef.linear(new float[] {257}, new float[] {1}, null, 1, 1, 1)[0]);
  }

  @Test
  void dequantizeFollowsThePackQuantizedBitLayout() {
    // one row, 8 columns: word 0x76543210 holds u = 0..7 in nibbles 0..7 (column i = nibble i),
    // so q = u - 8 = -8..-1; scale 0.5 → -4, -3.5, ..., -0.5
    int[] packed = {0x76543210};
    short[] scales = {Bf16.fromFloat(0.5f)};
    W4Layout.Checkpoint c = new W4Layout.Checkpoint(1, 8, packed, scales, null);
    assertArrayEquals(
        new float[] {-4, -3.5f, -3, -2.5f, -2, -1.5f, -1, -0.5f}, GemmRef.dequantize(c));
  }

  @Test
  void dequantizeUsesGroupIndexWhenPresent() {
    int[] packed = {0x99999999, 0x99999999}; // q = 1 everywhere, 16 columns
    short[] scales = {Bf16.fromFloat(2f), Bf16.fromFloat(3f)}; // 2 groups of 8
    int[] gIdx = new int[16];
    gIdx[0] = 1; // column 0 belongs to group 1
    gIdx[15] = 1;
    float[] w = GemmRef.dequantize(new W4Layout.Checkpoint(1, 16, packed, scales, gIdx));
    assertEquals(3f, w[0]);
    assertEquals(2f, w[1]);
    assertEquals(3f, w[15]);
  }
}
