package dev.docproc.inference.engine.generate;

import dev.docproc.inference.engine.vision.Grid;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * One generation asked for: the prompt (ids with expanded image tokens), the images' pixel values
 * [patches, 1176] laid out by {@code grids}, how to pick tokens and stop, where to stream, and when
 * to give up.
 */
public record Request(
    int[] prompt,
    float[] pixels,
    List<Grid> grids,
    SamplingParams params,
    GenerationListener listener,
    BooleanSupplier cancelled) {

  public Request {
    prompt = prompt.clone();
    grids = List.copyOf(grids);
  }

  /** Positions its KV cache needs: the prompt and every new token, at most {@code maxContext}. */
  int capacity(int maxContext) {
    return (int) Math.min(maxContext, (long) prompt.length + params.maxTokens());
  }
}
