package dev.docproc.inference.engine.compute;

/**
 * How one sequence picks its tokens, in transformers' order (MODEL.md §1.4): repetition penalty on
 * every id seen so far, then for sampling temperature, top-k, top-p and a seeded draw; greedy takes
 * the first index of the maximum after the penalty.
 *
 * @param topK 0 disables top-k
 * @param topP 1 disables top-p
 * @param repetitionPenalty 1 disables it
 */
public record Sampling(
    boolean greedy, float temperature, int topK, float topP, float repetitionPenalty, long seed) {}
