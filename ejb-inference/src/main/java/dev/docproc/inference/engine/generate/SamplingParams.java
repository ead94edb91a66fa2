package dev.docproc.inference.engine.generate;

import dev.docproc.inference.engine.compute.Sampling;
import dev.docproc.inference.engine.model.GenerationConfig;
import java.util.List;

/**
 * How to pick tokens and when to stop. {@code greedy}: argmax after the repetition penalty (HF
 * {@code do_sample=False}); otherwise temperature, top-k, top-p and a seeded draw, in transformers'
 * order.
 *
 * @param topK 0 disables top-k
 * @param topP 1 disables top-p
 * @param repetitionPenalty 1 disables it; applies to every id in prompt and output so far
 */
public record SamplingParams(
    boolean greedy,
    float temperature,
    int topK,
    float topP,
    float repetitionPenalty,
    long seed,
    int maxTokens,
    int[] stopTokenIds,
    List<String> stopStrings) {

  public SamplingParams {
    if (maxTokens < 1) {
      throw new IllegalArgumentException("max tokens must be at least 1, got " + maxTokens);
    }
    if (!greedy && !(temperature > 0)) {
      throw new IllegalArgumentException("temperature must be > 0 when sampling");
    }
    if (topP <= 0 || topP > 1) {
      throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
    }
    if (topK < 0 || repetitionPenalty <= 0) {
      throw new IllegalArgumentException("top_k must be ≥ 0 and repetition_penalty > 0");
    }
    stopTokenIds = stopTokenIds.clone();
    stopStrings = List.copyOf(stopStrings);
  }

  /** How tokens are picked, without the stop and length settings. */
  public Sampling sampling() {
    return new Sampling(greedy, temperature, topK, topP, repetitionPenalty, seed);
  }

  /** The model's generation_config.json as defaults, with {@code maxTokens} new tokens. */
  public static SamplingParams defaults(GenerationConfig g, int maxTokens) {
    return new SamplingParams(
        !g.doSample(),
        g.temperature(),
        g.topK(),
        g.topP(),
        g.repetitionPenalty(),
        0,
        maxTokens,
        g.eosTokenIds(),
        List.of());
  }

  /** Plain greedy decoding (no penalty) with the given stop ids: what reference tests compare. */
  public static SamplingParams greedy(int maxTokens, int... stopTokenIds) {
    return new SamplingParams(true, 1, 0, 1, 1, 0, maxTokens, stopTokenIds, List.of());
  }

  public SamplingParams withSampling(float temperature, int topK, float topP, long seed) {
    return new SamplingParams(
        false,
        temperature,
        topK,
        topP,
        repetitionPenalty,
        seed,
        maxTokens,
        stopTokenIds,
        stopStrings);
  }

  public SamplingParams withGreedy() {
    return new SamplingParams(
        true,
        temperature,
        topK,
        topP,
        repetitionPenalty,
        seed,
        maxTokens,
        stopTokenIds,
        stopStrings);
  }

  public SamplingParams withRepetitionPenalty(float penalty) {
    return new SamplingParams(
        greedy, temperature, topK, topP, penalty, seed, maxTokens, stopTokenIds, stopStrings);
  }

  public SamplingParams withStopStrings(List<String> stops) {
    return new SamplingParams(
        greedy, temperature, topK, topP, repetitionPenalty, seed, maxTokens, stopTokenIds, stops);
  }
}
