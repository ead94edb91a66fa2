package dev.docproc.inference.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The end-to-end part of the GPU check, run here on the CPU backend with float32 limits. */
class ReferenceCheckTest {
  private static final ReferenceCheck.Limits FP32 = new ReferenceCheck.Limits(1e-4, 1e-4, 0);
  private static final ReferenceCheck.Limits BF16 = new ReferenceCheck.Limits(5e-2, 3e-2, 1.0);

  @Test
  void everyCheckPassesOnTheCpu() {
    List<ReferenceCheck.Row> rows =
        ReferenceCheck.run(Path.of("src/test/resources/reference"), "cpu", FP32);
    String table = ReferenceCheck.table(rows);
    assertTrue(rows.stream().allMatch(ReferenceCheck.Row::passed), table);
    // 8 cases: vision (6), prompt and step logits, greedy and penalty tokens alone and batched,
    // plus one sampling row per model
    assertEquals(6 + 8 * 6 + 2, rows.size(), table);
    assertTrue(table.endsWith("end-to-end: 56 passed, 0 failed\n"), table);
  }

  @Test
  void tokensMayPartOnlyWhereTheMarginIsNotClear() {
    int[] ref = {5, 6, 7, 8};
    double[] margins = {3.0, 0.4, 2.0, 2.0};
    assertTrue(ReferenceCheck.tokens("c", "t", ref.clone(), ref, margins, BF16).passed());
    ReferenceCheck.Row parted =
        ReferenceCheck.tokens("c", "t", new int[] {5, 9, 1, 1}, ref, margins, BF16);
    assertTrue(parted.passed(), parted.detail());
    assertEquals(1, parted.value());
    ReferenceCheck.Row wrong =
        ReferenceCheck.tokens("c", "t", new int[] {5, 6, 9, 8}, ref, margins, BF16);
    assertFalse(wrong.passed());
    assertTrue(wrong.detail().contains("step 2: 9 where the reference has 7"), wrong.detail());
    assertFalse(ReferenceCheck.tokens("c", "t", new int[] {5, 6}, ref, margins, BF16).passed());
  }

  @Test
  void aNanOrAWrongRowFails() {
    float[] ref = {1, 2, 3, 4};
    assertEquals(0, ReferenceCheck.worstRow(ref.clone(), ref, 2));
    assertEquals(
        Double.POSITIVE_INFINITY,
        ReferenceCheck.worstRow(new float[] {1, 2, Float.NaN, 4}, ref, 2));
    double err = ReferenceCheck.worstRow(new float[] {1, 2, 3, 5}, ref, 2);
    assertEquals(0.2, err, 1e-9); // |(0, 1)| / |(3, 4)|, the second row's
  }
}
