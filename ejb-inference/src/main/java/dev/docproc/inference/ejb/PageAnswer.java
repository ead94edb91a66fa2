package dev.docproc.inference.ejb;

/**
 * The engine's answer to a {@link PageQuestion}, and what it took. Times are measured from the
 * moment the question was accepted into the queue.
 *
 * @param text the answer, stop token and stop strings excluded
 * @param promptTokens tokens of the prompt, image tokens included
 * @param answerTokens tokens generated, a final stop token included
 * @param stopReason why generation ended: STOP_TOKEN, STOP_STRING, MAX_TOKENS or CONTEXT_FULL
 * @param queueMillis waiting in the queue for the engine
 * @param firstTokenMillis until the first answer token (queue, preprocessing, vision, prefill)
 * @param totalMillis until the answer was complete
 * @param tokensPerSecond decode speed over the tokens after the first
 * @param model the configured model: a hub id or a directory
 * @param modelRevision the hub snapshot (commit) the model was loaded from; null for a directory
 */
public record PageAnswer(
    String text,
    String prompt,
    int promptTokens,
    int answerTokens,
    String stopReason,
    long queueMillis,
    long firstTokenMillis,
    long totalMillis,
    double tokensPerSecond,
    String model,
    String modelRevision) {}
