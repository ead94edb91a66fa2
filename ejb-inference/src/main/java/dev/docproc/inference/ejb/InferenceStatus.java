package dev.docproc.inference.ejb;

import java.time.Instant;

/**
 * Where the engine of this server stands, for health checks and administrators.
 *
 * @param model the configured model (hub id or directory)
 * @param modelRevision the hub snapshot loaded; null for a directory or before loading
 * @param backend the compute backend, e.g. "cpu (Vector API, 2 threads)"; null until loaded
 * @param reason why the engine is not READY, in words, with the engine's own message; null if it is
 * @param since when the engine entered {@code state}
 * @param queued questions waiting for the engine
 */
public record InferenceStatus(
    State state,
    String model,
    String modelRevision,
    String backend,
    String reason,
    Instant since,
    int queued,
    int queueCapacity,
    InferenceMetrics.Snapshot metrics) {

  /** The engine's life: LOADING → READY, or LOADING → UNAVAILABLE; STOPPED on undeploy. */
  public enum State {
    /** The model is being resolved (downloaded when online), mapped and checked. */
    LOADING,
    /** Questions are answered. */
    READY,
    /** The model could not be loaded; the reason says why. A restart tries again. */
    UNAVAILABLE,
    /** The application is stopping. */
    STOPPED
  }

  public boolean ready() {
    return state == State.READY;
  }
}
