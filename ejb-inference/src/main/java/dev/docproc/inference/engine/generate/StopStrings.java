package dev.docproc.inference.engine.generate;

import java.util.List;

/** Finds stop strings in generated text and how much of the text is safe to stream. */
final class StopStrings {
  private final List<String> stops;

  StopStrings(List<String> stops) {
    this.stops = stops.stream().filter(s -> !s.isEmpty()).toList();
  }

  /** Index of the earliest stop string in {@code text}, or −1. */
  int find(String text) {
    int best = -1;
    for (String s : stops) {
      int i = text.indexOf(s);
      if (i >= 0 && (best < 0 || i < best)) {
        best = i;
      }
    }
    return best;
  }

  /**
   * The text without a tail that could still grow into a stop string, and without a trailing U+FFFD
   * (a character whose bytes have not all been generated yet).
   */
  String safePrefix(String text) {
    int end = text.length();
    while (end > 0 && text.charAt(end - 1) == '\uFFFD') {
      end--;
    }
    int cut = end;
    for (String s : stops) {
      for (int k = Math.min(s.length() - 1, end); k > 0; k--) {
        if (text.regionMatches(end - k, s, 0, k)) {
          cut = Math.min(cut, end - k);
          break;
        }
      }
    }
    return text.substring(0, cut);
  }
}
