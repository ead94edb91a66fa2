package dev.docproc.inference.engine.decoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.docproc.inference.engine.vision.Grid;
import java.util.List;
import org.junit.jupiter.api.Test;

/** M-RoPE positions against MODEL.md §5.3. */
class MRopeTest {
  private static final int IMG = 151655;

  @Test
  void imageTokensLieOnTheirGridAndTextResumesPastIt() {
    // 3 text tokens, an image of 2×3 merged tokens (grid 4×6), 2 text tokens
    int[] ids = {1, 2, 3, IMG, IMG, IMG, IMG, IMG, IMG, 4, 5};
    int[][] pos = MRope.positions(ids, List.of(new Grid(1, 4, 6)), IMG, 2);
    assertArrayEquals(new int[] {0, 1, 2, 3, 3, 3, 3, 3, 3, 6, 7}, pos[0]);
    assertArrayEquals(new int[] {0, 1, 2, 3, 3, 3, 4, 4, 4, 6, 7}, pos[1]);
    assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 3, 4, 5, 6, 7}, pos[2]);
    assertEquals(8 - 11, MRope.ropeDelta(pos));
  }

  @Test
  void tokenCountMustMatchTheGrids() {
    int[] ids = {1, IMG, IMG, 2};
    assertThrows(
        IllegalArgumentException.class,
        () -> MRope.positions(ids, List.of(new Grid(1, 4, 6)), IMG, 2));
    assertThrows(IllegalArgumentException.class, () -> MRope.positions(ids, List.of(), IMG, 2));
  }

  @Test
  void sectionsPickTheAxisPerFrequency() {
    MRope m = new MRope(16, 10000, new int[] {2, 3, 3});
    int[][] pos = {{1}, {2}, {3}};
    float[][] t = m.tables(pos, 0, 1);
    float inv3 = 1f / (float) Math.pow(10000, 6f / 16);
    assertEquals((float) Math.cos(1f), t[0][0], 1e-7f); // j=0 from t
    assertEquals((float) Math.cos(2f * inv3), t[0][3], 1e-7f); // j=3 from h
    float inv6 = 1f / (float) Math.pow(10000, 12f / 16);
    assertEquals((float) Math.sin(3f * inv6), t[1][6], 1e-7f); // j=6 from w
  }
}
