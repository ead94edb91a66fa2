package dev.docproc.web.security;

import java.util.List;

/** The realm roles of Keycloak realm docproc, which are also the application's Jakarta roles. */
public final class Roles {

  public static final String UPLOADER = "uploader";
  public static final String REVIEWER = "reviewer";
  public static final String ADMIN = "admin";
  public static final String INTEGRATION = "integration";

  public static final List<String> ALL = List.of(UPLOADER, REVIEWER, ADMIN, INTEGRATION);

  private Roles() {}
}
