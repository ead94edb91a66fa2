package dev.docproc.web.security;

import org.eclipse.microprofile.config.Config;

/**
 * Settings of the OIDC login (MicroProfile Config: system property, or the environment variable in
 * upper case with underscores, e.g. {@code DOCPROC_OIDC_PROVIDER_URL}).
 *
 * @param providerUrl {@value #PROVIDER_URL}: the Keycloak realm's issuer URL; default {@value
 *     #DEFAULT_PROVIDER_URL}
 * @param clientId {@value #CLIENT_ID}: the public client the UI logs in with; default {@value
 *     #DEFAULT_CLIENT_ID}
 */
public record OidcSettings(String providerUrl, String clientId) {

  public static final String PROVIDER_URL = "docproc.oidc.provider-url";
  public static final String DEFAULT_PROVIDER_URL = "http://127.0.0.1:8180/realms/docproc";
  public static final String CLIENT_ID = "docproc.oidc.client-id";
  public static final String DEFAULT_CLIENT_ID = "docproc-ui";

  public static OidcSettings from(Config config) {
    String providerUrl =
        config.getOptionalValue(PROVIDER_URL, String.class).orElse(DEFAULT_PROVIDER_URL);
    if (!providerUrl.startsWith("http://") && !providerUrl.startsWith("https://")) {
      throw new IllegalArgumentException(
          PROVIDER_URL + "=" + providerUrl + " is not an http(s) URL of a Keycloak realm");
    }
    return new OidcSettings(
        providerUrl, config.getOptionalValue(CLIENT_ID, String.class).orElse(DEFAULT_CLIENT_ID));
  }
}
