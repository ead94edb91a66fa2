package dev.docproc.gpu.reference;

import java.util.Arrays;

/**
 * Next-token selection as HF generate does it: fp32 logits, repetition penalty on every token seen
 * so far, temperature (a division), top-k (keep values ≥ the k-th largest), top-p (keep the largest
 * values whose probability mass reaches top_p, ties at the threshold kept), then one draw.
 */
public final class SamplingRef {
  private SamplingRef() {}

  /** {@code s < 0 ? s · penalty : s / penalty} where seen[b][i] != 0; returns a new array. */
  public static float[] prepareLogits(float[] logits, byte[] seen, float penalty, int vocab) {
    float[] out = logits.clone();
    for (int i = 0; i < out.length; i++) {
      if (seen != null && seen[i] != 0) {
        out[i] = out[i] < 0 ? out[i] * penalty : out[i] / penalty;
      }
    }
    return out;
  }

  /** Marks {@code seen[b][ids[b][i]] = 1}; ids outside [0, vocab) are ignored. */
  public static void markSeen(byte[] seen, int[] ids, int perRow, int vocab) {
    for (int i = 0; i < ids.length; i++) {
      int b = i / perRow;
      if (ids[i] >= 0 && ids[i] < vocab) {
        seen[b * vocab + ids[i]] = 1;
      }
    }
  }

  /** First index of the maximum of row b (torch.argmax's tie rule). */
  public static int argmax(float[] x, int offset, int vocab) {
    int best = 0;
    for (int i = 1; i < vocab; i++) {
      if (x[offset + i] > x[offset + best]) {
        best = i;
      }
    }
    return best;
  }

  /** The sampling distribution of one row after temperature, top-k and top-p. */
  public record Distribution(double[] p) {
    /** Probability mass of indices below i. */
    public double cdfBefore(int i) {
      double s = 0;
      for (int j = 0; j < i; j++) {
        s += p[j];
      }
      return s;
    }

    /** The index an inverse-CDF draw with u in [0, 1) selects (index order). */
    public int draw(double u) {
      double s = 0;
      int last = -1;
      for (int i = 0; i < p.length; i++) {
        if (p[i] > 0) {
          s += p[i];
          last = i;
          if (s > u) {
            return i;
          }
        }
      }
      return last;
    }
  }

  /** topK ≤ 0 or ≥ vocab and topP ≥ 1 switch the filters off. */
  public static Distribution distribution(
      float[] x, int offset, int vocab, float temperature, int topK, float topP) {
    float[] s = new float[vocab];
    for (int i = 0; i < vocab; i++) {
      s[i] = x[offset + i] / temperature;
    }
    float[] desc = s.clone();
    Arrays.sort(desc);
    reverse(desc);
    float floor = Float.NEGATIVE_INFINITY;
    if (topK > 0 && topK < vocab) {
      floor = desc[topK - 1];
    }
    double max = desc[0];
    double z = 0;
    for (float v : desc) {
      if (v >= floor) {
        z += Math.exp(v - max);
      }
    }
    if (topP < 1f) {
      double cum = 0;
      for (float v : desc) {
        if (v < floor) {
          break;
        }
        cum += Math.exp(v - max);
        if (cum >= topP * z) {
          floor = v;
          break;
        }
      }
    }
    double[] p = new double[vocab];
    double kept = 0;
    for (int i = 0; i < vocab; i++) {
      if (s[i] >= floor) {
        p[i] = Math.exp(s[i] - max);
        kept += p[i];
      }
    }
    for (int i = 0; i < vocab; i++) {
      p[i] /= kept;
    }
    return new Distribution(p);
  }

  /** The uniform draw in [0, 1) the kernel derives from a row's state (24 random bits). */
  public static double uniform(long state) {
    return (splitmix64(state) >>> 40) * (1.0 / (1 << 24));
  }

  /** The row's state after one draw. */
  public static long nextState(long state) {
    return state + 0x9e3779b97f4a7c15L;
  }

  static long splitmix64(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  private static void reverse(float[] a) {
    for (int i = 0, j = a.length - 1; i < j; i++, j--) {
      float t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}
