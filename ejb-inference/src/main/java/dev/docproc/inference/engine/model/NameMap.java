package dev.docproc.inference.engine.model;

import java.util.List;

/**
 * How stored tensor names map to the canonical names the engine asks for (MODEL.md §2.3), as data:
 * the first rule whose prefix matches rewrites it. Like transformers' {@code
 * _checkpoint_conversion_mapping}, but in the reading direction.
 */
public record NameMap(List<Rule> rules) {

  /** A stored name starting with {@code storedPrefix} is read as {@code canonicalPrefix} + rest. */
  public record Rule(String storedPrefix, String canonicalPrefix) {}

  /**
   * Qwen2.5-VL: checkpoints saved by transformers before 4.52 use {@code visual.*}, {@code
   * model.*}, {@code lm_head.*} (canonical); later ones nest {@code model.visual.*} and {@code
   * model.language_model.*}.
   */
  public static final NameMap QWEN2_5_VL =
      new NameMap(
          List.of(
              new Rule("model.visual.", "visual."),
              new Rule("model.language_model.", "model."),
              new Rule("language_model.model.", "model."),
              new Rule("language_model.lm_head.", "lm_head.")));

  public String canonical(String stored) {
    for (Rule r : rules) {
      if (stored.startsWith(r.storedPrefix())) {
        return r.canonicalPrefix() + stored.substring(r.storedPrefix().length());
      }
    }
    return stored;
  }
}
