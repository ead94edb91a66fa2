package dev.docproc.gpu.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SamplingRefTest {
  @Test
  void repetitionPenaltyAsHf() {
    byte[] seen = {1, 0, 1};
    float[] out = SamplingRef.prepareLogits(new float[] {2.1f, 3f, -1f}, seen, 1.05f, 3);
    assertArrayEquals(new float[] {2.1f / 1.05f, 3f, -1f * 1.05f}, out);
    byte[] mask = new byte[6];
    SamplingRef.markSeen(mask, new int[] {2, 9, 0, 0}, 2, 3); // [2 rows][2 ids], 9 out of range
    assertArrayEquals(new byte[] {0, 0, 1, 1, 0, 0}, mask);
  }

  @Test
  void argmaxTakesTheFirstMaximum() {
    assertEquals(1, SamplingRef.argmax(new float[] {0, 5, 5, 1}, 0, 4));
    assertEquals(
        2, SamplingRef.argmax(new float[] {9, 0, 5, 7, 1}, 1, 4), "offset selects the row");
  }

  @Test
  void topKOneIsGreedyAndTopPKeepsTheSmallestHead() {
    float[] x = {1, 3, 2, 0};
    SamplingRef.Distribution greedy = SamplingRef.distribution(x, 0, 4, 0.7f, 1, 1f);
    assertEquals(1.0, greedy.p()[1], 1e-12);
    // softmax(1,3,2,0) = .0871, .6439, .2369, .0321: top_p 0.7 keeps {3, 2} (0.64 < 0.7 ≤ 0.88)
    SamplingRef.Distribution p = SamplingRef.distribution(x, 0, 4, 1f, 0, 0.7f);
    assertEquals(0, p.p()[0]);
    assertEquals(0, p.p()[3]);
    assertEquals(Math.exp(3) / (Math.exp(3) + Math.exp(2)), p.p()[1], 1e-12);
    assertEquals(1, p.draw(0.0));
    assertEquals(2, p.draw(0.99));
    assertEquals(p.p()[1], p.cdfBefore(2), 1e-12);
  }

  @Test
  void uniformDrawsAreInUnitIntervalAndTheStreamAdvances() {
    long state = 42;
    double sum = 0;
    for (int i = 0; i < 1000; i++) {
      double u = SamplingRef.uniform(state);
      assertTrue(u >= 0 && u < 1);
      sum += u;
      state = SamplingRef.nextState(state);
    }
    assertEquals(0.5, sum / 1000, 0.05);
  }
}
