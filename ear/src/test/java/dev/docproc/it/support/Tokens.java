package dev.docproc.it.support;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Real access tokens from the test Keycloak: for the demo users (password grant through the
 * test-only client docproc-tests) and for the ERP client erp-acme (client credentials). Tokens are
 * reused until a minute before they expire.
 */
public final class Tokens {

  public static final String ERP_CLIENT_ID = "erp-acme";
  public static final String ERP_CLIENT_SECRET = "erp-acme-demo-secret";
  private static final String TEST_CLIENT_ID = "docproc-tests";

  record Token(String value, Instant renewAfter) {}

  private static final Map<String, Token> CACHE = new ConcurrentHashMap<>();

  private Tokens() {}

  public static String of(DemoUser user) {
    return password(user.username(), user.password());
  }

  /** A token for any user of realm docproc, e.g. one a test created. */
  public static String password(String username, String password) {
    return cached(
        "user:" + username,
        Map.of(
            "grant_type", "password",
            "client_id", TEST_CLIENT_ID,
            "username", username,
            "password", password));
  }

  /** The ERP system of tenant acme: service account with role integration. */
  public static String erpAcme() {
    return cached(
        "client:" + ERP_CLIENT_ID,
        Map.of(
            "grant_type", "client_credentials",
            "client_id", ERP_CLIENT_ID,
            "client_secret", ERP_CLIENT_SECRET));
  }

  private static String cached(String key, Map<String, String> form) {
    Token token = CACHE.get(key);
    if (token == null || Instant.now().isAfter(token.renewAfter())) {
      token = request(TestServices.realmUrl() + "/protocol/openid-connect/token", form);
      CACHE.put(key, token);
    }
    return token.value();
  }

  /** POSTs a token request; fails with Keycloak's answer when it is not 200. */
  static Token request(String tokenUrl, Map<String, String> form) {
    var request =
        HttpRequest.newBuilder(URI.create(tokenUrl))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(formEncode(form)))
            .build();
    HttpResponse<String> response = Api.send(request);
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          "Keycloak refused a token for " + form.get("client_id") + ": " + response.body());
    }
    JsonNode body = Json.parse(response.body());
    long lifetime = body.get("expires_in").asLong();
    return new Token(
        body.get("access_token").asText(), Instant.now().plusSeconds(Math.max(0, lifetime - 60)));
  }

  static String formEncode(Map<String, String> form) {
    return form.entrySet().stream()
        .map(
            e ->
                URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)
                    + "="
                    + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
  }
}
