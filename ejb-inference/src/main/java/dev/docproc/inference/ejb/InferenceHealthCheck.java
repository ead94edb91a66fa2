package dev.docproc.inference.ejb;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness of the inference engine ({@code /health/ready} on the management port): UP once the
 * model is loaded; DOWN while it loads or when it cannot be loaded, with the state and the reason.
 * Uploads and the UI keep working meanwhile; page tasks wait until the engine is ready.
 */
@Readiness
@ApplicationScoped
public class InferenceHealthCheck implements HealthCheck {

  @Inject Inference inference;

  @Override
  public HealthCheckResponse call() {
    InferenceStatus status = inference.status();
    HealthCheckResponseBuilder response =
        HealthCheckResponse.named("inference-engine")
            .status(status.ready())
            .withData("state", status.state().name())
            .withData("model", status.model());
    if (status.reason() != null) {
      response.withData("reason", status.reason());
    }
    return response.build();
  }
}
