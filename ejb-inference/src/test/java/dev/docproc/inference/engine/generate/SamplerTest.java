package dev.docproc.inference.engine.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.docproc.inference.engine.compute.Sampling;
import java.util.List;
import org.junit.jupiter.api.Test;

class SamplerTest {
  private static Sampling sampling(float t, int k, float p, long seed) {
    return SamplingParams.greedy(10).withSampling(t, k, p, seed).sampling();
  }

  @Test
  void greedyTakesTheFirstMaximum() {
    Sampler s = new Sampler(SamplingParams.greedy(10).sampling(), 4, new int[0]);
    assertEquals(1, s.next(new float[] {1, 3, 3, -2}));
  }

  @Test
  void repetitionPenaltyDividesPositiveAndMultipliesNegativeLogits() {
    // token 0 was in the prompt: 2.0 / 2 = 1.0 < 1.5; token 2: -1 · 2 = -2
    Sampler s =
        new Sampler(
            SamplingParams.greedy(10).withRepetitionPenalty(2f).sampling(), 4, new int[] {0, 2});
    float[] logits = {2f, 1.5f, -1f, 0f};
    assertEquals(1, s.next(logits));
    assertEquals(1f, logits[0]);
    assertEquals(-2f, logits[2]);
    // token 1 was just generated, so now it is penalised too
    float[] again = {0f, 1.8f, 0f, 1f};
    assertEquals(3, s.next(again));
  }

  @Test
  void topKOfOneAndTinyTopPAreArgmax() {
    for (long seed = 0; seed < 20; seed++) {
      assertEquals(
          2, new Sampler(sampling(1, 1, 1, seed), 4, new int[0]).next(new float[] {1, 2, 3, 0}));
      assertEquals(
          2,
          new Sampler(sampling(1, 0, 0.001f, seed), 4, new int[0]).next(new float[] {1, 2, 3, 0}));
    }
  }

  @Test
  void samplesFollowTheSoftmaxAndTheSeed() {
    int[] counts = new int[3];
    Sampler s = new Sampler(sampling(1, 0, 1, 42), 3, new int[0]);
    int n = 30000;
    for (int i = 0; i < n; i++) {
      counts[s.next(new float[] {0, (float) Math.log(2), Float.NEGATIVE_INFINITY})]++;
    }
    assertEquals(0, counts[2]);
    assertEquals(1 / 3.0, counts[0] / (double) n, 0.015);
    assertEquals(2 / 3.0, counts[1] / (double) n, 0.015);
    // temperature 0.5 squares the odds: 1 : 4
    Sampler hot = new Sampler(sampling(0.5f, 0, 1, 7), 2, new int[0]);
    int ones = 0;
    for (int i = 0; i < n; i++) {
      ones += hot.next(new float[] {0, (float) Math.log(2)});
    }
    assertEquals(0.8, ones / (double) n, 0.015);
  }

  @Test
  void sameSeedSameDrawsOtherSeedOtherDraws() {
    float[] flat = new float[1000];
    StringBuilder a = new StringBuilder();
    StringBuilder b = new StringBuilder();
    StringBuilder c = new StringBuilder();
    Sampler sa = new Sampler(sampling(1, 0, 1, 5), 1000, new int[0]);
    Sampler sb = new Sampler(sampling(1, 0, 1, 5), 1000, new int[0]);
    Sampler sc = new Sampler(sampling(1, 0, 1, 6), 1000, new int[0]);
    for (int i = 0; i < 20; i++) {
      a.append(sa.next(flat.clone())).append(',');
      b.append(sb.next(flat.clone())).append(',');
      c.append(sc.next(flat.clone())).append(',');
    }
    assertEquals(a.toString(), b.toString());
    assertNotEquals(a.toString(), c.toString());
  }

  @Test
  void topPKeepsTheSmallestHeadWithEnoughMass() {
    // probabilities 0.5, 0.3, 0.2: top_p 0.7 keeps {0.5, 0.3}; token 2 never drawn
    float[] logits = {(float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.2)};
    Sampler s = new Sampler(sampling(1, 0, 0.7f, 3), 3, new int[0]);
    int[] counts = new int[3];
    for (int i = 0; i < 5000; i++) {
      counts[s.next(logits.clone())]++;
    }
    assertEquals(0, counts[2]);
    assertEquals(0.625, counts[0] / 5000.0, 0.03);
  }

  @Test
  void invalidSettingsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> SamplingParams.greedy(0));
    assertThrows(IllegalArgumentException.class, () -> sampling(0, 0, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> sampling(1, 0, 1.5f, 0));
  }

  @Test
  void stopStringsHoldBackWhatCouldBecomeOne() {
    StopStrings s = new StopStrings(List.of("</answer>", "STOP"));
    assertEquals(-1, s.find("no stop here"));
    assertEquals(3, s.find("abcSTOPdef</answer>"));
    assertEquals("result ", s.safePrefix("result </ans"));
    assertEquals("result ", s.safePrefix("result ST"));
    assertEquals("café", s.safePrefix("café\uFFFD"));
  }
}
