package dev.docproc.it.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.docproc.devservices.Keycloak;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

/** Keycloak's admin REST API, for tests that need users the demo realm does not have. */
public final class KeycloakAdmin {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private KeycloakAdmin() {}

  /**
   * Creates an enabled user in realm docproc with the given realm roles and, unless {@code tenant}
   * is null, the attribute {@code tenant}. Its password is {@code <username>-test}.
   */
  public static void createUser(String username, String tenant, List<String> roles) {
    String token = adminToken();
    ObjectNode user =
        MAPPER
            .createObjectNode()
            .put("username", username)
            .put("enabled", true)
            .put("firstName", "Test")
            .put("lastName", username)
            .put("email", username + "@test.example")
            .put("emailVerified", true);
    user.putArray("credentials")
        .addObject()
        .put("type", "password")
        .put("value", password(username))
        .put("temporary", false);
    if (tenant != null) {
      user.putObject("attributes").putArray("tenant").add(tenant);
    }
    HttpResponse<String> created = post(adminUrl("/users"), token, user.toString());
    expect(created, 201, "create user " + username);
    String location = created.headers().firstValue("Location").orElseThrow();
    var mappings = MAPPER.createArrayNode();
    for (String role : roles) {
      mappings.add(get(adminUrl("/roles/" + role), token));
    }
    expect(
        post(URI.create(location + "/role-mappings/realm"), token, mappings.toString()),
        204,
        "assign roles " + roles + " to " + username);
  }

  public static String password(String username) {
    return username + "-test";
  }

  private static String adminToken() {
    String master = TestServices.realmUrl().replace("/realms/docproc", "/realms/master");
    return Tokens.request(
            master + "/protocol/openid-connect/token",
            Map.of(
                "grant_type",
                "password",
                "client_id",
                "admin-cli",
                "username",
                Keycloak.ADMIN_USER,
                "password",
                Keycloak.ADMIN_PASSWORD))
        .value();
  }

  private static URI adminUrl(String path) {
    return URI.create(
        TestServices.realmUrl().replace("/realms/docproc", "/admin/realms/docproc") + path);
  }

  private static JsonNode get(URI uri, String token) {
    var response =
        Api.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token).build());
    expect(response, 200, "GET " + uri);
    return Json.parse(response.body());
  }

  private static HttpResponse<String> post(URI uri, String token, String json) {
    return Api.send(
        HttpRequest.newBuilder(uri)
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build());
  }

  private static void expect(HttpResponse<String> response, int status, String what) {
    if (response.statusCode() != status) {
      throw new IllegalStateException(
          what + ": Keycloak answered " + response.statusCode() + " " + response.body());
    }
  }
}
