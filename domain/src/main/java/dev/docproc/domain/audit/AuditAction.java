package dev.docproc.domain.audit;

/** What an audit event records. */
public enum AuditAction {
  DOCUMENT_RECEIVED,
  UPLOAD_REJECTED,
  DOCUMENT_RENDERED,
  PAGE_ANSWERED,
  DOCUMENT_ANSWERED,
  DOCUMENT_FAILED
}
