package dev.docproc.domain.document;

/**
 * An answer about to be stored: the engine's text and counts, and the times from the moment the
 * engine accepted the question (queue ≤ first token ≤ total, in milliseconds).
 *
 * @param modelRevision the hub snapshot the model came from; null for a model directory
 */
public record NewAnswer(
    String prompt,
    String text,
    int promptTokens,
    int answerTokens,
    String stopReason,
    long queueMillis,
    long firstTokenMillis,
    long totalMillis,
    String model,
    String modelRevision) {}
