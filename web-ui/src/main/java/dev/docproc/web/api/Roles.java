package dev.docproc.web.api;

/** The realm roles, as Jakarta security roles. */
final class Roles {
  static final String UPLOADER = "uploader";
  static final String REVIEWER = "reviewer";
  static final String ADMIN = "admin";

  /** ERP systems, through client credentials. */
  static final String INTEGRATION = "integration";

  private Roles() {}
}
