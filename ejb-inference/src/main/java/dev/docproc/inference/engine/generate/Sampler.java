package dev.docproc.inference.engine.generate;

import dev.docproc.inference.engine.compute.Sampling;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from float32 logits as transformers' {@code generate} does: repetition
 * penalty (s < 0 ? s·p : s/p on every id seen), then for sampling temperature, top-k, top-p and a
 * draw from the softmax of what is left; for greedy the first index of the maximum.
 */
public final class Sampler {
  private final Sampling p;
  private final SplittableRandom random;
  private final boolean[] seen; // [vocab] ids in prompt or output so far

  public Sampler(Sampling params, int vocab, int[] prompt) {
    this.p = params;
    this.random = new SplittableRandom(params.seed());
    this.seen = new boolean[vocab];
    for (int id : prompt) {
      seen[id] = true;
    }
  }

  /** Chooses the next token; {@code logits} is modified. */
  public int next(float[] logits) {
    if (p.repetitionPenalty() != 1f) {
      for (int i = 0; i < logits.length; i++) {
        if (seen[i]) {
          logits[i] =
              logits[i] < 0 ? logits[i] * p.repetitionPenalty() : logits[i] / p.repetitionPenalty();
        }
      }
    }
    int token = p.greedy() ? argmax(logits) : sample(logits);
    seen[token] = true;
    return token;
  }

  static int argmax(float[] x) {
    int best = 0;
    for (int i = 1; i < x.length; i++) {
      if (x[i] > x[best]) {
        best = i;
      }
    }
    return best;
  }

  private int sample(float[] logits) {
    int n = logits.length;
    for (int i = 0; i < n; i++) {
      logits[i] /= p.temperature();
    }
    if (p.topK() > 0 && p.topK() < n) {
      // keep every logit ≥ the k-th largest (ties kept, as TopKLogitsWarper)
      float[] sorted = logits.clone();
      Arrays.sort(sorted);
      float kth = sorted[n - p.topK()];
      for (int i = 0; i < n; i++) {
        if (logits[i] < kth) {
          logits[i] = Float.NEGATIVE_INFINITY;
        }
      }
    }
    Integer[] order = candidates(logits);
    double[] prob = softmax(logits, order);
    int keepFrom = 0; // order is ascending; drop the low tail whose mass ≤ 1 − top_p
    if (p.topP() < 1f) {
      double cumulative = 0;
      while (keepFrom < order.length - 1) {
        cumulative += prob[keepFrom];
        if (cumulative > 1 - p.topP()) {
          break;
        }
        keepFrom++;
      }
    }
    double total = 0;
    for (int i = keepFrom; i < order.length; i++) {
      total += prob[i];
    }
    double r = random.nextDouble() * total;
    for (int i = keepFrom; i < order.length; i++) {
      r -= prob[i];
      if (r < 0) {
        return order[i];
      }
    }
    return order[order.length - 1];
  }

  /** Ids with finite logits, ascending by logit. */
  private static Integer[] candidates(float[] logits) {
    return java.util.stream.IntStream.range(0, logits.length)
        .filter(i -> logits[i] != Float.NEGATIVE_INFINITY)
        .boxed()
        .sorted((a, b) -> Float.compare(logits[a], logits[b]))
        .toArray(Integer[]::new);
  }

  private static double[] softmax(float[] logits, Integer[] order) {
    double max = logits[order[order.length - 1]];
    double[] prob = new double[order.length];
    double sum = 0;
    for (int i = 0; i < order.length; i++) {
      prob[i] = Math.exp(logits[order[i]] - max);
      sum += prob[i];
    }
    for (int i = 0; i < order.length; i++) {
      prob[i] /= sum;
    }
    return prob;
  }
}
