package dev.docproc.gpu.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GatherRefTest {
  @Test
  void gatherScatterAndColumns() {
    float[] src = {1, 2, 3, 4, 5, 6}; // [3][2]
    float[] g = GatherRef.gatherRows(src, 3, 2, new int[] {2, 0, 7});
    assertArrayEquals(new float[] {5, 6, 1, 2}, java.util.Arrays.copyOf(g, 4));
    assertTrue(Float.isNaN(g[4]) && Float.isNaN(g[5]), "an out-of-range index gives a NaN row");
    float[] dst = new float[6];
    GatherRef.scatterRows(new float[] {7, 8, 9, 9}, 2, new int[] {1, 5}, dst, 3);
    assertArrayEquals(new float[] {0, 0, 7, 8, 0, 0}, dst);
    assertArrayEquals(
        new float[] {2, 1, 4, 3, 6, 5}, GatherRef.gatherCols(src, 3, 2, new int[] {1, 0}));
  }
}
