package dev.docproc.inference.ejb;

import java.util.function.Supplier;

/** {@link InferenceEngineMXBean} over the current {@link InferenceStatus}. */
final class InferenceEngineJmx implements InferenceEngineMXBean {

  private final Supplier<InferenceStatus> status;

  InferenceEngineJmx(Supplier<InferenceStatus> status) {
    this.status = status;
  }

  @Override
  public String getState() {
    return status.get().state().name();
  }

  @Override
  public String getModel() {
    return status.get().model();
  }

  @Override
  public String getReason() {
    return status.get().reason();
  }

  @Override
  public int getQueued() {
    return status.get().queued();
  }

  @Override
  public long getAnswered() {
    return status.get().metrics().answered();
  }

  @Override
  public long getFailed() {
    return status.get().metrics().failed();
  }

  @Override
  public long getAnswerTokens() {
    return status.get().metrics().answerTokens();
  }

  @Override
  public double getMeanTimeToFirstTokenMillis() {
    return status.get().metrics().meanTimeToFirstTokenMillis();
  }

  @Override
  public double getTokensPerSecond() {
    return status.get().metrics().tokensPerSecond();
  }
}
