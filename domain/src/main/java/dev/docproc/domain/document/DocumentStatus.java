package dev.docproc.domain.document;

/** Where a document is in the pipeline. */
public enum DocumentStatus {
  /** Stored and queued for rendering. */
  RECEIVED,
  /** Every page rendered and stored; page tasks queued. */
  RENDERED,
  /** Stopped for good; the reason is on the document. */
  FAILED
}
