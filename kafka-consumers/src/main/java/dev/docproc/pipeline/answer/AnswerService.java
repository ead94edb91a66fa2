package dev.docproc.pipeline.answer;

import dev.docproc.domain.document.Answers;
import dev.docproc.domain.document.NewAnswer;
import dev.docproc.domain.outbox.PageTask;
import dev.docproc.inference.ejb.Inference;
import dev.docproc.inference.ejb.PageAnswer;
import dev.docproc.inference.ejb.PageQuestion;
import dev.docproc.inference.ejb.UnanswerableQuestionException;
import dev.docproc.pipeline.PipelineSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

/**
 * Answers a rendered page: asks the inference engine the configured question about the page image
 * and stores the answer, or fails the document when the page cannot be answered. A page answered
 * before, or of a document that is final, is left alone, so a redelivered task changes nothing.
 */
@ApplicationScoped
public class AnswerService {

  private static final Logger LOG = Logger.getLogger(AnswerService.class.getName());

  private Answers answers;
  private Inference inference;
  private Duration timeout;
  private final Set<CompletableFuture<PageAnswer>> waiting = ConcurrentHashMap.newKeySet();

  /** For the container's proxy. */
  protected AnswerService() {}

  @Inject
  public AnswerService(Answers answers, Inference inference, PipelineSettings settings) {
    this.answers = answers;
    this.inference = inference;
    this.timeout = settings.answerTimeout();
  }

  /** Whether the engine takes questions; until it does, page tasks wait in Kafka. */
  public boolean engineReady() {
    return inference.status().ready();
  }

  /**
   * @throws dev.docproc.inference.ejb.InferenceUnavailableException if the engine takes no
   *     questions now (try again once it is ready)
   * @throws TimeoutException if no answer came within docproc.pipeline.answer-timeout-ms
   */
  public void answer(PageTask task, int attempt)
      throws InterruptedException, TimeoutException, ExecutionException {
    Optional<byte[]> image =
        answers.awaitingAnswer(task.tenantId(), task.documentId(), task.pageNumber());
    if (image.isEmpty()) {
      LOG.fine(() -> "Page " + task.pageNumber() + " of " + task.documentId() + " needs no answer");
      return;
    }
    PageAnswer answer;
    try {
      answer = ask(new PageQuestion(image.get(), inference.prompt()));
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnanswerableQuestionException unanswerable) {
        answers.failPage(
            task.tenantId(),
            task.documentId(),
            task.pageNumber(),
            unanswerable.getMessage(),
            attempt);
        return;
      }
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
    answers.store(task.tenantId(), task.documentId(), task.pageNumber(), stored(answer));
  }

  /** Fails the document of a page task that was given up on, with the last failure. */
  public void giveUp(PageTask task, Exception cause, int attempts) {
    answers.failPage(
        task.tenantId(),
        task.documentId(),
        task.pageNumber(),
        "no answer after " + attempts + " tries; the last one failed with: " + cause,
        attempts);
  }

  /** Cancels the questions consumers wait for: the application stops. */
  public void cancelWaiting() {
    waiting.forEach(answer -> answer.cancel(true));
  }

  private PageAnswer ask(PageQuestion question)
      throws InterruptedException, TimeoutException, ExecutionException {
    CompletableFuture<PageAnswer> answer = inference.answer(question).toCompletableFuture();
    waiting.add(answer);
    try {
      return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      answer.cancel(true);
      throw new TimeoutException(
          "no answer within " + timeout + " (docproc.pipeline.answer-timeout-ms)");
    } finally {
      waiting.remove(answer);
    }
  }

  /** PostgreSQL text cannot hold U+0000, which a byte-level vocabulary can decode to. */
  private static NewAnswer stored(PageAnswer a) {
    return new NewAnswer(
        a.prompt(),
        a.text().replace('\u0000', '\uFFFD'),
        a.promptTokens(),
        a.answerTokens(),
        a.stopReason(),
        a.queueMillis(),
        a.firstTokenMillis(),
        a.totalMillis(),
        a.model(),
        a.modelRevision());
  }
}
