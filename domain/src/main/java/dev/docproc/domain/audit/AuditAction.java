package dev.docproc.domain.audit;

/** What an audit event records. */
public enum AuditAction {
  DOCUMENT_RECEIVED,
  UPLOAD_REJECTED,
  DOCUMENT_RENDERED,
  DOCUMENT_FAILED
}
