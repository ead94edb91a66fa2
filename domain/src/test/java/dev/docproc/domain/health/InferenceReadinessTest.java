package dev.docproc.domain.health;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.Optional;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The readiness check against an engine MBean with the inference EJB's attribute names. */
class InferenceReadinessTest {

  /** The attributes the check reads, as dev.docproc.inference.ejb.InferenceEngineMXBean has. */
  public interface EngineMXBean {
    String getState();

    String getModel();

    String getReason();
  }

  record Engine(String state, String model, String reason) implements EngineMXBean {
    @Override
    public String getState() {
      return state;
    }

    @Override
    public String getModel() {
      return model;
    }

    @Override
    public String getReason() {
      return reason;
    }
  }

  private final MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();

  @AfterEach
  void unregister() throws Exception {
    ObjectName name = new ObjectName(InferenceReadiness.ENGINE_MBEAN);
    if (jmx.isRegistered(name)) {
      jmx.unregisterMBean(name);
    }
  }

  private HealthCheckResponse checkWith(Engine engine) throws Exception {
    jmx.registerMBean(engine, new ObjectName(InferenceReadiness.ENGINE_MBEAN));
    return new InferenceReadiness().call();
  }

  @Test
  void aReadyEngineIsUp() throws Exception {
    HealthCheckResponse response = checkWith(new Engine("READY", "org/model", null));

    assertEquals(HealthCheckResponse.Status.UP, response.getStatus());
    assertEquals("inference-engine", response.getName());
    assertEquals(Optional.of(Map.of("state", "READY", "model", "org/model")), response.getData());
  }

  @Test
  void anEngineWithoutItsModelIsDownWithTheReason() throws Exception {
    String reason = "the model 'org/model' could not be loaded: HF_HUB_OFFLINE is set";

    HealthCheckResponse response = checkWith(new Engine("UNAVAILABLE", "org/model", reason));

    assertEquals(HealthCheckResponse.Status.DOWN, response.getStatus());
    assertEquals(
        Optional.of(Map.of("state", "UNAVAILABLE", "model", "org/model", "reason", reason)),
        response.getData());
  }

  @Test
  void noEngineIsDown() {
    HealthCheckResponse response = new InferenceReadiness().call();

    assertEquals(HealthCheckResponse.Status.DOWN, response.getStatus());
    assertEquals(
        Optional.of(Map.of("reason", "the inference engine is not deployed")), response.getData());
  }
}
