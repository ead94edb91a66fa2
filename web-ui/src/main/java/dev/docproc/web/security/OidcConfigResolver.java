package dev.docproc.web.security;

import org.eclipse.microprofile.config.ConfigProvider;
import org.wildfly.security.http.oidc.OidcClientConfiguration;
import org.wildfly.security.http.oidc.OidcClientConfigurationBuilder;
import org.wildfly.security.http.oidc.OidcClientConfigurationResolver;
import org.wildfly.security.http.oidc.OidcHttpFacade;
import org.wildfly.security.http.oidc.OidcJsonConfiguration;

/**
 * Chooses the OIDC client configuration per request (web.xml names this class).
 *
 * <p>A deployment has one login-config, but the UI and the API need different behaviour without a
 * token: the browser is sent to Keycloak (authorization code + PKCE), an API client gets 401.
 * Keycloak's "autodetect bearer-only" guesses from the Accept header and sends curl ({@code Accept:
 * *}{@code /*}) to the login page, so the choice is made here instead: {@code /api/} requests are
 * bearer-only unless they come from the UI's own script ({@code X-Requested-With: XMLHttpRequest}),
 * which rides on the session its login created.
 */
public class OidcConfigResolver implements OidcClientConfigurationResolver {

  private static final String API_PATH = "/api/";
  private static final String X_REQUESTED_WITH = "X-Requested-With";
  private static final String XML_HTTP_REQUEST = "XMLHttpRequest";

  /** Built on first use: the resolver is created while the deployment starts. */
  private volatile Configurations configurations;

  private record Configurations(OidcClientConfiguration browser, OidcClientConfiguration api) {}

  @Override
  public OidcClientConfiguration resolve(OidcHttpFacade.Request request) {
    Configurations c = configurations();
    boolean api = request.getRelativePath().startsWith(API_PATH);
    boolean fromUi = XML_HTTP_REQUEST.equalsIgnoreCase(request.getHeader(X_REQUESTED_WITH));
    return api && !fromUi ? c.api() : c.browser();
  }

  private Configurations configurations() {
    Configurations c = configurations;
    if (c == null) {
      var settings = OidcSettings.from(ConfigProvider.getConfig(getClass().getClassLoader()));
      c = new Configurations(build(settings, false), build(settings, true));
      configurations = c;
    }
    return c;
  }

  private static OidcClientConfiguration build(OidcSettings settings, boolean bearerOnly) {
    var json = new OidcJsonConfiguration();
    json.setProviderUrl(settings.providerUrl());
    json.setClientId(settings.clientId());
    json.setPublicClient(true);
    json.setPkce(true);
    json.setBearerOnly(bearerOnly);
    // The UI's script gets 401 instead of a redirect when its session has ended.
    json.setAutodetectBearerOnly(true);
    json.setPrincipalAttribute("preferred_username");
    json.setSslRequired("external");
    return OidcClientConfigurationBuilder.build(json);
  }
}
