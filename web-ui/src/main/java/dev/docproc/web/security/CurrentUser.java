package dev.docproc.web.security;

import dev.docproc.web.problem.ProblemException;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.wildfly.security.http.oidc.OidcSecurityContext;

/**
 * Who is calling: user name, tenant and roles from the Keycloak token of this request.
 *
 * <p>Every tenant-scoped query uses {@link #tenantId()}; a token without the {@value #TENANT_CLAIM}
 * claim is a 403 problem, never a request without a tenant.
 */
@RequestScoped
public class CurrentUser {

  public static final String TENANT_CLAIM = "tenant_id";

  @Inject HttpServletRequest request;

  /**
   * The {@code preferred_username} of the token: a user name, or service-account-&lt;client&gt;.
   */
  public String username() {
    return request.getUserPrincipal().getName();
  }

  public String tenantId() {
    var context = (OidcSecurityContext) request.getAttribute(OidcSecurityContext.class.getName());
    String tenant = context == null ? null : context.getToken().getClaimValueAsString(TENANT_CLAIM);
    if (tenant == null || tenant.isBlank()) {
      throw new ProblemException(
          403,
          "No tenant",
          "The token of '"
              + username()
              + "' carries no "
              + TENANT_CLAIM
              + " claim, so no tenant's data can be shown. An administrator sets the user"
              + " attribute 'tenant' in Keycloak realm docproc.");
    }
    return tenant;
  }

  /** The caller's roles among {@link Roles#ALL}, in that order. */
  public List<String> roles() {
    return Roles.ALL.stream().filter(request::isUserInRole).toList();
  }

  public boolean hasRole(String role) {
    return request.isUserInRole(role);
  }
}
