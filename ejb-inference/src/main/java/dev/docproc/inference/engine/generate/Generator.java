package dev.docproc.inference.engine.generate;

import dev.docproc.inference.engine.QwenVL;
import dev.docproc.inference.engine.compute.Buf;
import dev.docproc.inference.engine.compute.Ops;
import dev.docproc.inference.engine.decoder.Decoder;
import dev.docproc.inference.engine.decoder.KvCache;
import dev.docproc.inference.engine.vision.Grid;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The generate loop: images through the vision tower, the prompt through the decoder, then one
 * token at a time until a stop token, a stop string, the token limit, cancellation or a full
 * context.
 */
public final class Generator {

  /** Turns token ids into text (the model's tokenizer, e.g. {@code QwenTokenizer::decode}). */
  @FunctionalInterface
  public interface TextDecoder {
    String decode(int[] ids);
  }

  private final QwenVL model;
  private final Ops ops;
  private final TextDecoder text;
  private final int maxContext;

  /**
   * @param maxContext the most positions one sequence may hold (bounds the KV cache); at most the
   *     model's max_position_embeddings
   */
  public Generator(QwenVL model, Ops ops, TextDecoder text, int maxContext) {
    this.model = model;
    this.ops = ops;
    this.text = text;
    this.maxContext = Math.min(maxContext, model.config().text().maxPositionEmbeddings());
  }

  public int maxContext() {
    return maxContext;
  }

  /**
   * Generates the answer to {@code prompt} (ids with expanded image tokens) about the images in
   * {@code pixels} [patches, 1176] laid out by {@code grids}.
   */
  public Generation generate(
      int[] prompt,
      float[] pixels,
      List<Grid> grids,
      SamplingParams params,
      GenerationListener listener,
      BooleanSupplier cancelled) {
    if (prompt.length + 1 > maxContext) {
      throw new IllegalArgumentException(
          "prompt of "
              + prompt.length
              + " tokens does not fit the context of "
              + maxContext
              + " tokens");
    }
    int vocab = model.config().text().vocabSize();
    for (int id : prompt) {
      if (id < 0 || id >= vocab) {
        throw new IllegalArgumentException(
            "token id " + id + " outside the vocabulary of " + vocab);
      }
    }
    model.validateImages(pixels, grids);
    Decoder decoder = model.decoder();
    int capacity = Math.min(maxContext, prompt.length + params.maxTokens());
    Sampler sampler = new Sampler(params, vocab, prompt);
    StopStrings stops = new StopStrings(params.stopStrings());
    int[] out = new int[params.maxTokens()];
    int count = 0;
    Generation.StopReason reason = Generation.StopReason.MAX_TOKENS;
    long t0 = System.nanoTime();
    long visionNanos;
    long prefillNanos;
    try (KvCache cache = decoder.newCache(capacity)) {
      Buf logits;
      try (Buf image = model.encodeImages(pixels, grids)) {
        visionNanos = System.nanoTime() - t0;
        logits = decoder.prefill(cache, prompt, grids, image, false);
      }
      prefillNanos = System.nanoTime() - t0 - visionNanos;
      String emitted = "";
      while (true) {
        float[] row = ops.read(logits, 0, 1);
        logits.close();
        if (cancelled.getAsBoolean()) {
          reason = Generation.StopReason.CANCELLED;
          break;
        }
        listener.onLogits(count, row);
        int token = sampler.next(row);
        out[count++] = token;
        listener.onToken(count - 1, token);
        if (contains(params.stopTokenIds(), token)) {
          reason = Generation.StopReason.STOP_TOKEN;
          break;
        }
        String full = text.decode(Arrays.copyOf(out, count));
        int stopAt = stops.find(full);
        String safe = stopAt >= 0 ? full.substring(0, stopAt) : stops.safePrefix(full);
        if (safe.length() > emitted.length() && safe.startsWith(emitted)) {
          listener.onText(safe.substring(emitted.length()));
          emitted = safe;
        }
        if (stopAt >= 0) {
          reason = Generation.StopReason.STOP_STRING;
          break;
        }
        if (count == params.maxTokens()) {
          break;
        }
        if (cache.length() == cache.capacity()) {
          reason = Generation.StopReason.CONTEXT_FULL;
          break;
        }
        logits = decoder.step(cache, token);
      }
      int[] tokens = Arrays.copyOf(out, count);
      int textTokens = reason == Generation.StopReason.STOP_TOKEN ? count - 1 : count;
      String answer = text.decode(Arrays.copyOf(out, textTokens));
      int stopAt = stops.find(answer);
      if (stopAt >= 0) {
        answer = answer.substring(0, stopAt);
      }
      if (answer.length() > emitted.length() && answer.startsWith(emitted)) {
        listener.onText(answer.substring(emitted.length()));
      }
      long decodeNanos = System.nanoTime() - t0 - visionNanos - prefillNanos;
      return new Generation(
          tokens, answer, reason, prompt.length, visionNanos, prefillNanos, decodeNanos);
    }
  }

  private static boolean contains(int[] ids, int id) {
    for (int i : ids) {
      if (i == id) {
        return true;
      }
    }
    return false;
  }
}
