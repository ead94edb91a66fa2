package dev.docproc.domain.outbox;

/**
 * The Kafka topics of the pipeline. Records are keyed by document id, so a document's stay in
 * order.
 */
public final class Topics {

  /** One {@link DocumentReceived} per stored upload, for the render consumer. */
  public static final String DOCUMENTS = "docproc.documents";

  /** One {@link PageTask} per rendered page, for the inference consumer. */
  public static final String PAGES = "docproc.pages";

  /** Where a consumer parks a record it gave up on. */
  public static String deadLetter(String topic) {
    return topic + ".dlq";
  }

  private Topics() {}
}
