package dev.docproc.domain.health;

import jakarta.enterprise.context.ApplicationScoped;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness of the inference engine ({@code /health/ready} on the management port): UP once its
 * model is loaded; DOWN while it loads, when it cannot be loaded, or when it is not deployed, with
 * the state and the reason. Uploads and the UI keep working meanwhile; page tasks wait in Kafka.
 *
 * <p>Here in the EAR's library because WildFly collects health checks only from there, not from the
 * EAR's modules; so it reads the engine's MBean ({@code
 * dev.docproc.inference.ejb.InferenceEngineMXBean}, attributes by name) instead of calling the
 * inference EJB, whose classes a library cannot see.
 */
@Readiness
@ApplicationScoped
public class InferenceReadiness implements HealthCheck {

  static final String ENGINE_MBEAN = "dev.docproc:type=InferenceEngine";

  @Override
  public HealthCheckResponse call() {
    Map<String, Object> data = new LinkedHashMap<>();
    boolean ready = false;
    try {
      MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
      ObjectName engine = new ObjectName(ENGINE_MBEAN);
      if (jmx.isRegistered(engine)) {
        String state = (String) jmx.getAttribute(engine, "State");
        ready = "READY".equals(state);
        data.put("state", state);
        data.put("model", jmx.getAttribute(engine, "Model"));
        if (jmx.getAttribute(engine, "Reason") instanceof String reason) {
          data.put("reason", reason);
        }
      } else {
        data.put("reason", "the inference engine is not deployed");
      }
    } catch (JMException e) {
      data.put("reason", "the engine's MBean cannot be read: " + e);
    }
    return new HealthCheckResponse(
        "inference-engine",
        ready ? HealthCheckResponse.Status.UP : HealthCheckResponse.Status.DOWN,
        Optional.of(data));
  }
}
