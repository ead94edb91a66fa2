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
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * The inference engine of this server: one per process, owning the model, the processor and the
 * generator (see {@link InferenceService}). Deployment never waits for the model: it loads on the
 * managed executor, and until it is loaded (or if it cannot be) {@link #answer} fails at once with
 * the reason, which {@link #status()} and the readiness check show too. No method blocks its
 * caller.
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
  }

  @PreDestroy
  void stop() {
    service.close();
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
