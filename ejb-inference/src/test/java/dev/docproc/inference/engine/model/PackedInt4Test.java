package dev.docproc.inference.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.docproc.inference.engine.testing.RandomTensors;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pack-quantized layout, dequantization, g_idx, and refusals. */
class PackedInt4Test {
  @TempDir Path tmp;
  private final SplittableRandom random = new SplittableRandom();

  private byte[] randomQ(int n) {
    byte[] q = new byte[n];
    for (int i = 0; i < n; i++) {
      q[i] = (byte) (random.nextInt(16) - 8);
    }
    return q;
  }

  @Test
  void packMatchesCompressedTensorsBitLayout() {
    // nibble i of int32 column j is column 8j+i, stored as q + 8
    byte[] q = {-8, -7, -1, 0, 1, 2, 6, 7, 3};
    int[] packed = PackedInt4.pack(q, 1, 9);
    assertEquals(2, packed.length);
    assertEquals(0xFEA9_8710, packed[0]);
    assertEquals(0x0000_000B, packed[1]); // column 8: 3 + 8; padding columns stay 0
  }

  @Test
  void unpackRoundTripsOddShapes() {
    for (int[] shape : new int[][] {{3, 8}, {5, 13}, {1, 1}, {7, 130}}) {
      byte[] q = randomQ(shape[0] * shape[1]);
      float[] scales = new float[shape[0]];
      java.util.Arrays.fill(scales, 1f);
      PackedInt4 p = RandomTensors.packed("w", q, shape[0], shape[1], scales, 1, null, DType.F32);
      for (int r = 0; r < shape[0]; r++) {
        for (int c = 0; c < shape[1]; c++) {
          assertEquals(q[r * shape[1] + c], p.q(r, c), "at " + r + "," + c);
        }
      }
    }
  }

  @Test
  void dequantizeUsesTheGroupOrGIdxScale() {
    int rows = 3;
    int cols = 12;
    byte[] q = randomQ(rows * cols);
    float[] scales = {0.5f, 2f, 0.25f, 4f, 1f, 8f};
    PackedInt4 grouped = RandomTensors.packed("w", q, rows, cols, scales, 2, null, DType.BF16);
    int[] gIdx = {1, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 1};
    PackedInt4 shuffled = RandomTensors.packed("w", q, rows, cols, scales, 2, gIdx, DType.BF16);
    float[] row = new float[cols];
    float[] row2 = new float[cols];
    for (int r = 0; r < rows; r++) {
      grouped.dequantizeRow(r, row);
      shuffled.dequantizeRow(r, row2);
      for (int c = 0; c < cols; c++) {
        assertEquals(q[r * cols + c] * scales[r * 2 + c / 6], row[c]);
        assertEquals(q[r * cols + c] * scales[r * 2 + gIdx[c]], row2[c]);
      }
    }
  }

  @Test
  void loadChecksShapesAndRefusesZeroPointsAndBadGIdx() throws Exception {
    Path dir = tmp;
    new SafeTensorsWriter()
        .add("l.weight_packed", DType.I32, new long[] {4, 2}, s -> {})
        .add("l.weight_scale", DType.BF16, new long[] {4, 2}, s -> {})
        .add(
            "l.weight_shape",
            DType.I64,
            new long[] {2},
            s -> {
              s.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, 4);
              s.set(ValueLayout.JAVA_LONG_UNALIGNED, 8, 16);
            })
        .add("z.weight_packed", DType.I32, new long[] {4, 2}, s -> {})
        .add("z.weight_scale", DType.BF16, new long[] {4, 2}, s -> {})
        .add(
            "z.weight_zero_point",
            DType.I8,
            new long[] {4, 2},
            s -> s.set(ValueLayout.JAVA_BYTE, 3, (byte) 1))
        .add("g.weight_packed", DType.I32, new long[] {4, 2}, s -> {})
        .add("g.weight_scale", DType.BF16, new long[] {4, 2}, s -> {})
        .add(
            "g.weight_g_idx",
            DType.I32,
            new long[] {16},
            s -> s.set(ValueLayout.JAVA_INT_UNALIGNED, 8, 5))
        .write(dir.resolve("model.safetensors"));
    try (Checkpoint c = Checkpoint.open(dir, NameMap.QWEN2_5_VL)) {
      PackedInt4 ok = PackedInt4.load(c, "l", 4, 16);
      assertEquals(8, ok.groupSize());
      String shape =
          assertThrows(ModelFormatException.class, () -> PackedInt4.load(c, "l", 4, 24))
              .getMessage();
      assertTrue(shape.contains("l.weight_packed") && shape.contains("[4, 3]"), shape);
      String zp =
          assertThrows(ModelFormatException.class, () -> PackedInt4.load(c, "z", 4, 16))
              .getMessage();
      assertTrue(zp.contains("z.weight_zero_point") && zp.contains("asymmetric"), zp);
      String g =
          assertThrows(ModelFormatException.class, () -> PackedInt4.load(c, "g", 4, 16))
              .getMessage();
      assertTrue(g.contains("g.weight_g_idx") && g.contains("group 5"), g);
      String missing =
          assertThrows(ModelFormatException.class, () -> PackedInt4.load(c, "nope", 4, 16))
              .getMessage();
      assertTrue(missing.contains("nope.weight_packed"), missing);
    }
  }

  @Test
  void bf16RoundsToNearestEven() {
    assertEquals(1.0f, Floats.roundToBf16(1.0f + 0x1p-8f)); // exact tie → even (down)
    assertEquals(1.0f + 0x1p-6f, Floats.roundToBf16(1.0f + 0x3p-8f)); // tie → even (up)
    assertEquals(1.0f + 0x1p-7f, Floats.roundToBf16(1.0f + 0x1p-7f + 0x1p-12f));
    assertTrue(Float.isNaN(Floats.roundToBf16(Float.NaN)));
    assertEquals(Float.POSITIVE_INFINITY, Floats.roundToBf16(Float.MAX_VALUE));
    assertEquals(65504f, Floats.f16ToFloat(Floats.floatToF16(65504f)));
    assertEquals(0x1p-24f, Floats.f16ToFloat(Floats.floatToF16(0x1p-24f))); // subnormal
  }
}
