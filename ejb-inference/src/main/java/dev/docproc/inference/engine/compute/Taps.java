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
  /** System property with the regex of tap names to record (e.g. {@code "decoder\\.0\\..*"}). */
  public static final String PROPERTY = "docproc.taps";

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

  /** From the {@value #PROPERTY} system property, or {@link #OFF}. */
  public static Taps fromSystemProperty() {
    String regex = System.getProperty(PROPERTY);
    return regex == null || regex.isBlank() ? OFF : matching(regex);
  }

  public void tap(Ops ops, String tower, int layer, String name, Buf b, int n) {
    if (filter == null) {
      return;
    }
    String key = layer < 0 ? tower + "." + name : tower + "." + layer + "." + name;
    if (filter.matcher(key).matches()) {
      synchronized (recorded) {
        recorded.put(key, ops.read(b, 0, n));
      }
    }
  }

  /** The recorded taps by name, each [n, cols] row-major, latest call winning. */
  public Map<String, float[]> recorded() {
    synchronized (recorded) {
      return new LinkedHashMap<>(recorded);
    }
  }
}
