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

  int getQueued();

  long getAnswered();

  long getFailed();

  long getAnswerTokens();

  double getMeanTimeToFirstTokenMillis();

  double getTokensPerSecond();
}
