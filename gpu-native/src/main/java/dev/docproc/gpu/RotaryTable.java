package dev.docproc.gpu;

/**
 * Which position row and which inverse frequency each rotary index j (0 ≤ j < half = headDim/2)
 * uses: the data that lets one rope kernel serve multimodal (M-RoPE) and per-axis (2-D) variants.
 *
 * @param row position row of index j, {@code [half]}
 * @param freq inverse frequency of index j, {@code [half]}
 * @param rows number of position rows
 */
public record RotaryTable(int[] row, float[] freq, int rows) {

  public RotaryTable {
    if (row.length != freq.length || row.length == 0) {
      throw new IllegalArgumentException("row and freq must have the same, non-zero length");
    }
    for (int r : row) {
      if (r < 0 || r >= rows) {
        throw new IllegalArgumentException("row index " + r + " outside [0, " + rows + ")");
      }
    }
  }

  public int half() {
    return row.length;
  }

  /**
   * Multimodal RoPE: index j takes row i of the first section that contains it and keeps its own
   * frequency {@code invFreq[j]} (Qwen2-VL M-RoPE, sections e.g. [16, 24, 24] over half = 64).
   */
  public static RotaryTable multimodal(int[] sections, float[] invFreq) {
    int[] row = rowsOf(sections, invFreq.length);
    return new RotaryTable(row, invFreq.clone(), sections.length);
  }

  /**
   * Per-axis RoPE: each section is a full rotary embedding of its own axis, so the frequency index
   * restarts at 0 in each section (Qwen2-VL vision 2-D RoPE: sections [20, 20], invFreq of 20).
   */
  public static RotaryTable perAxis(int[] sections, float[] invFreq) {
    int half = 0;
    for (int s : sections) {
      if (s > invFreq.length) {
        throw new IllegalArgumentException(
            "section " + s + " longer than invFreq " + invFreq.length);
      }
      half += s;
    }
    int[] row = rowsOf(sections, half);
    float[] freq = new float[half];
    int j = 0;
    for (int s : sections) {
      for (int i = 0; i < s; i++) {
        freq[j++] = invFreq[i];
      }
    }
    return new RotaryTable(row, freq, sections.length);
  }

  /** {@code 1 / base^(2i / dim)} for i < dim/2 in float arithmetic, as torch computes inv_freq. */
  public static float[] inverseFrequencies(double base, int dim) {
    float[] inv = new float[dim / 2];
    for (int i = 0; i < inv.length; i++) {
      inv[i] = 1.0f / (float) Math.pow(base, (float) (2 * i) / dim);
    }
    return inv;
  }

  private static int[] rowsOf(int[] sections, int half) {
    int[] row = new int[half];
    int j = 0;
    for (int s = 0; s < sections.length; s++) {
      for (int i = 0; i < sections[s]; i++) {
        if (j == half) {
          throw new IllegalArgumentException("sections add up to more than " + half);
        }
        row[j++] = s;
      }
    }
    if (j != half) {
      throw new IllegalArgumentException("sections add up to " + j + ", expected " + half);
    }
    return row;
  }
}
