package dev.docproc.inference.engine.generate;

import dev.docproc.inference.engine.QwenVL;
import dev.docproc.inference.engine.compute.Ops;
import dev.docproc.inference.engine.vision.Grid;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;

/**
 * One request at a time: the generate loop of {@link Scheduler} (images through the vision tower,
 * the prompt through the decoder, then one token at a time until a stop token, a stop string, the
 * token limit, cancellation or a full context) with a batch of one and a KV cache of exactly the
 * request's size.
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
    Request r = new Request(prompt, pixels, grids, params, listener, cancelled);
    Scheduler.validate(model, maxContext, r);
    try (Scheduler one =
        new Scheduler(
            model, ops, text, new Scheduler.Limits(1, maxContext, r.capacity(maxContext)))) {
      CompletableFuture<Generation> result = one.submit(r);
      one.runUntilIdle();
      return result.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
  }
}
