package dev.docproc.inference.engine.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Window index and segments against the worked examples of MODEL.md §4.3. */
class VisionGeometryTest {

  @Test
  void windowsOfA12By20Grid() {
    var w = VisionGeometry.windows(List.of(new Grid(1, 12, 20)), 112, 2, 14);
    assertArrayEquals(new int[] {0, 64, 128, 160, 192, 224, 240}, w.segments());
    assertArrayEquals(
        new int[] {0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23, 30, 31, 32, 33},
        java.util.Arrays.copyOf(w.index(), 16));
    assertArrayEquals(
        new int[] {8, 9, 18, 19, 28, 29, 38, 39, 40, 41, 42, 43, 50, 51, 52, 53},
        java.util.Arrays.copyOfRange(w.index(), 32, 48));
    assertEquals(60, w.index().length);
  }

  @Test
  void divisibleGridsDropTheEmptyPaddingWindows() {
    var w = VisionGeometry.windows(List.of(new Grid(1, 16, 16)), 112, 2, 14);
    assertArrayEquals(new int[] {0, 64, 128, 192, 256}, w.segments());
  }

  @Test
  void secondImageIsOffset() {
    var w = VisionGeometry.windows(List.of(new Grid(1, 4, 4), new Grid(1, 2, 4)), 112, 2, 14);
    assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5}, w.index());
    assertArrayEquals(new int[] {0, 16, 24}, w.segments());
    assertArrayEquals(
        new int[] {0, 16, 24},
        VisionGeometry.frames(List.of(new Grid(1, 4, 4), new Grid(1, 2, 4))));
  }

  @Test
  void rotaryAnglesFollowRowAndColumnOfEachPatch() {
    float[][] rot = VisionGeometry.rotary(List.of(new Grid(1, 4, 6)), 8); // dim 4: 2 + 2 angles
    // pixel_values row 5 = merge block (0, 1), patch (mh 0, mw 1) → patch row 0, column 3
    assertEquals(1f, rot[0][5 * 4], 0f); // cos(0 · f0)
    assertEquals((float) Math.cos(3f), rot[0][5 * 4 + 2], 1e-7f); // cos(3 · 1)
    assertEquals((float) Math.sin(3f * 0.01f), rot[1][5 * 4 + 3], 1e-7f); // sin(3 · 1/100)
  }
}
