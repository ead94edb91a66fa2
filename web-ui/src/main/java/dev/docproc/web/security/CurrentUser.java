package dev.docproc.web.security;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.servlet.http.HttpServletRequest;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * STAND-IN, branch app only: infra's CurrentUser (same package and methods) replaces it at merge.
 * Reads the caller from the bearer token that elytron-oidc-client already verified.
 */
@RequestScoped
public class CurrentUser {

  @Inject HttpServletRequest request;

  public String username() {
    return request.getUserPrincipal().getName();
  }

  public String tenantId() {
    String token = request.getHeader("Authorization").substring("Bearer ".length());
    String payload = token.split("\\.")[1];
    JsonObject claims =
        Json.createReader(
                new StringReader(
                    new String(Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8)))
            .readObject();
    return claims.getString("tenant_id");
  }
}
