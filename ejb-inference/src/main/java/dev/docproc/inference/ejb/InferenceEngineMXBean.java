package dev.docproc.inference.ejb;

/**
 * The engine's state and counters over JMX, as MBean {@value #OBJECT_NAME} of the platform MBean
 * server: for monitoring tools, and for the readiness check, which lives in the EAR's library
 * (dev.docproc.domain.health.InferenceReadiness) where WildFly finds health checks, and reads these
 * attributes by name.
 */
public interface InferenceEngineMXBean {

  String OBJECT_NAME = "dev.docproc:type=InferenceEngine";

  /** LOADING, READY, UNAVAILABLE or STOPPED. */
  String getState();

  String getModel();

  /** Why the engine is not READY; null when it is. */
  String getReason();

  /** The compute backend, e.g. "cpu (Vector API, 2 threads)"; null until loaded. */
  String getBackend();

  /** Why that backend: the GPU that runs the model, or why none does; null until loaded. */
  String getBackendReason();

  int getQueued();

  /** Questions in the running batch. */
  int getAnswering();

  long getAnswered();

  long getFailed();

  long getAnswerTokens();

  double getMeanTimeToFirstTokenMillis();

  double getTokensPerSecond();
}
