package dev.docproc.inference.ejb;

import dev.docproc.inference.engine.model.HubSettings;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.concurrent.ManagedExecutors;
import jakarta.enterprise.concurrent.ManagedTask;
import jakarta.inject.Inject;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * The inference engine of this server: one per process, owning the model, the processor and the
 * generator (see {@link InferenceService}). Deployment never waits for the model: it loads on the
 * managed executor, and until it is loaded (or if it cannot be) {@link #answer} fails at once with
 * the reason, which {@link #status()} shows too: to the admin API, and over JMX ({@link
 * InferenceEngineMXBean}) to monitoring tools and the readiness check. No method blocks its caller.
 */
@Singleton
@Startup
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class Inference {

  @Resource private ManagedExecutorService executor;
  @Inject private InferenceSettings settings;

  private InferenceService service;

  @PostConstruct
  void start() {
    service =
        new InferenceService(
            settings,
            HubSettings.fromEnvironment(),
            task ->
                executor.execute(
                    // loading and the worker loop run for minutes or for good: not hung tasks
                    ManagedExecutors.managedTask(
                        task, Map.of(ManagedTask.LONGRUNNING_HINT, "true"), null)));
    service.start();
    try {
      MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
      ObjectName name = new ObjectName(InferenceEngineMXBean.OBJECT_NAME);
      if (jmx.isRegistered(name)) {
        jmx.unregisterMBean(name); // left by a deployment that did not stop cleanly
      }
      jmx.registerMBean(new InferenceEngineJmx(service::status), name);
    } catch (JMException e) {
      throw new IllegalStateException("cannot register " + InferenceEngineMXBean.OBJECT_NAME, e);
    }
  }

  @PreDestroy
  void stop() {
    try {
      ManagementFactory.getPlatformMBeanServer()
          .unregisterMBean(new ObjectName(InferenceEngineMXBean.OBJECT_NAME));
    } catch (JMException e) {
      throw new IllegalStateException("cannot unregister " + InferenceEngineMXBean.OBJECT_NAME, e);
    } finally {
      service.close();
    }
  }

  /** Queues a question about a page; see {@link InferenceService#answer}. */
  public CompletionStage<PageAnswer> answer(PageQuestion question) {
    return service.answer(question);
  }

  /** The configured instruction the pipeline asks about every page. */
  public String prompt() {
    return settings.prompt();
  }

  public InferenceStatus status() {
    return service.status();
  }
}
