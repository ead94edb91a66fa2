package dev.docproc.inference.engine.compute;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Named debug taps on intermediates, as llama.cpp's {@code cb(cur, "attn_norm", il)}: the model
 * code calls {@link #tap} after each step; when a tap's name (e.g. {@code "vision.7.attn_out"})
 * matches the setting, the rows are copied to the host and kept, so a run can be compared layer by
 * layer with the reference. Off (the default) costs one branch per call.
 */
public final class Taps {
  public static final Taps OFF = new Taps(null);

  private final Pattern filter;
  private final Map<String, float[]> recorded = new LinkedHashMap<>();

  private Taps(Pattern filter) {
    this.filter = filter;
  }

  /** Records the taps whose names match {@code regex}. */
  public static Taps matching(String regex) {
    return new Taps(Pattern.compile(regex));
  }

  /** Whether any tap is recorded (each then copies its rows to the host). */
  public boolean enabled() {
    return filter != null;
  }

  /** Records rows [0, n) of {@code b} as tap {@code name} if the setting selects it. */
  public void tap(Ops ops, String name, Buf b, int n) {
    tap(ops, name, b, n, null);
  }

  /**
   * As {@link #tap(Ops, String, Buf, int)}, the rows put in the reference's order first: row i of
   * the record is row {@code rowOrder[i]} of {@code b} (e.g. vision blocks run in window order).
   */
  public void tap(Ops ops, String name, Buf b, int n, int[] rowOrder) {
    if (filter == null || !filter.matcher(name).matches()) {
      return;
    }
    float[] rows = ops.read(b, 0, n);
    if (rowOrder != null) {
      int c = b.cols();
      float[] ordered = new float[rows.length];
      for (int i = 0; i < n; i++) {
        System.arraycopy(rows, rowOrder[i] * c, ordered, i * c, c);
      }
      rows = ordered;
    }
    synchronized (recorded) {
      recorded.put(name, rows);
    }
  }

  /** The recorded taps by name, each [n, cols] row-major, latest call winning. */
  public Map<String, float[]> recorded() {
    synchronized (recorded) {
      return new LinkedHashMap<>(recorded);
    }
  }
}
