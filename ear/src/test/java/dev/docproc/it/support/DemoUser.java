package dev.docproc.it.support;

import java.util.List;
import java.util.Locale;

/** The demo users of realm docproc (tools/devservices/src/main/resources/keycloak). */
public enum DemoUser {
  ALICE("acme", List.of("uploader", "reviewer")),
  CAROL("acme", List.of("admin")),
  BOB("globex", List.of("uploader", "reviewer")),
  DAVE("globex", List.of("reviewer"));

  private final String tenant;
  private final List<String> roles;

  DemoUser(String tenant, List<String> roles) {
    this.tenant = tenant;
    this.roles = roles;
  }

  public String username() {
    return name().toLowerCase(Locale.ROOT);
  }

  public String password() {
    return username() + "-demo";
  }

  public String tenant() {
    return tenant;
  }

  /** Realm roles, in the order of dev.docproc.web.security.Roles.ALL. */
  public List<String> roles() {
    return roles;
  }
}
