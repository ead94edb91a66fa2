package dev.docproc.domain.document;

/**
 * Where a document is in the pipeline: RECEIVED → RENDERED → ANSWERED, or FAILED from either of the
 * first two.
 */
public enum DocumentStatus {
  /** Stored and queued for rendering. */
  RECEIVED,
  /**
   * Every page rendered and stored, one question per page queued for the inference engine; answers
   * arrive page by page.
   */
  RENDERED,
  /** Every page has its answer. Final. */
  ANSWERED,
  /** Stopped for good; the reason is on the document. Final. */
  FAILED
}
