package dev.docproc.pipeline.answer;

import dev.docproc.domain.outbox.PageTask;
import dev.docproc.inference.ejb.InferenceUnavailableException;
import dev.docproc.pipeline.kafka.ConsumerLoop;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The inference consumer's side of {@link ConsumerLoop}: a page task from {@code docproc.pages} for
 * {@link AnswerService}. While the engine loads or cannot be had, tasks wait in Kafka; a task given
 * up on fails its document.
 */
public final class PageTaskHandler implements ConsumerLoop.Handler {

  private final AnswerService service;

  public PageTaskHandler(AnswerService service) {
    this.service = service;
  }

  @Override
  public void handle(ConsumerRecord<String, String> record, int attempt) throws Exception {
    try {
      service.answer(parse(record.value()), attempt);
    } catch (InferenceUnavailableException e) {
      throw new ConsumerLoop.NotReadyException(e.getMessage(), e);
    }
  }

  @Override
  public boolean ready() {
    return service.engineReady();
  }

  @Override
  public void parked(ConsumerRecord<String, String> record, Exception cause, int attempts) {
    if (!(cause instanceof ConsumerLoop.MalformedRecordException)) {
      service.giveUp(parse(record.value()), cause, attempts);
    }
  }

  private static PageTask parse(String value) {
    try {
      return PageTask.fromJson(value);
    } catch (IllegalArgumentException e) {
      throw new ConsumerLoop.MalformedRecordException("not a PageTask", e);
    }
  }
}
