package dev.docproc.inference.engine.text;

import java.util.Arrays;

/**
 * Turns generated token ids into text pieces as they arrive, never cutting a character in half.
 *
 * <p>Byte-level BPE splits multi-byte UTF-8 characters (accents, CJK, emoji) across tokens, so the
 * text of a token on its own can end in an incomplete sequence that decodes to U+FFFD. This keeps a
 * short window of ids and emits only the text that has grown past the window's prefix and does not
 * end in U+FFFD (the method of text-generation-inference's {@code decode_token} and {@code
 * tokenizers.decoders.DecodeStream}); each call decodes just that window, not the whole sequence.
 */
public final class StreamDecoder {

  private final QwenTokenizer tokenizer;
  private final boolean skipSpecialTokens;
  private int[] ids = new int[16]; // [count] the sequence so far
  private int count;
  private int prefixOffset; // start of the window decoded for context
  private int readOffset; // ids before this have been emitted

  StreamDecoder(QwenTokenizer tokenizer, boolean skipSpecialTokens) {
    this.tokenizer = tokenizer;
    this.skipSpecialTokens = skipSpecialTokens;
  }

  /** Adds one token; returns the text it completes, possibly empty. */
  public String next(int id) {
    if (count == ids.length) {
      ids = Arrays.copyOf(ids, count * 2);
    }
    ids[count++] = id;
    String prefixText = decode(prefixOffset, readOffset);
    String newText = decode(prefixOffset, count);
    if (newText.length() > prefixText.length() && !newText.endsWith("\uFFFD")) {
      prefixOffset = readOffset;
      readOffset = count;
      return newText.substring(prefixText.length());
    }
    return "";
  }

  /**
   * Text still held back at the end of the sequence (an incomplete character decodes as U+FFFD).
   */
  public String finish() {
    String prefixText = decode(prefixOffset, readOffset);
    String rest = decode(prefixOffset, count);
    prefixOffset = readOffset = count;
    return rest.length() > prefixText.length() ? rest.substring(prefixText.length()) : "";
  }

  private String decode(int from, int to) {
    return from == to ? "" : tokenizer.decode(Arrays.copyOfRange(ids, from, to), skipSpecialTokens);
  }
}
