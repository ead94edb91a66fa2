package dev.docproc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.docproc.it.support.Api;
import dev.docproc.it.support.DemoUser;
import dev.docproc.it.support.Deployments;
import dev.docproc.it.support.Json;
import dev.docproc.it.support.KeycloakAdmin;
import dev.docproc.it.support.TestServices;
import dev.docproc.it.support.Tokens;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.stream.StreamSupport;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The walking skeleton: the EAR on WildFly, tokens from the real Keycloak, /api/v1/me. */
@ExtendWith(ArquillianExtension.class)
class SecuritySmokeIT {

  @Deployment(testable = false)
  static EnterpriseArchive ear() {
    return Deployments.docprocEar();
  }

  @ParameterizedTest
  @EnumSource(DemoUser.class)
  void meShowsTheDemoUsersNameTenantAndRoles(DemoUser user) {
    HttpResponse<String> response = Api.get("/me", Tokens.of(user));

    assertEquals(200, response.statusCode(), response.body());
    JsonNode me = Json.parse(response.body());
    assertEquals(user.username(), me.get("username").asText());
    assertEquals(user.tenant(), me.get("tenantId").asText());
    assertEquals(user.roles(), strings(me.get("roles")));
  }

  @Test
  void erpClientIsTheIntegrationOfAcme() {
    HttpResponse<String> response = Api.get("/me", Tokens.erpAcme());

    assertEquals(200, response.statusCode(), response.body());
    JsonNode me = Json.parse(response.body());
    assertEquals("service-account-erp-acme", me.get("username").asText());
    assertEquals("acme", me.get("tenantId").asText());
    assertEquals(List.of("integration"), strings(me.get("roles")));
  }

  @Test
  void withoutTokenTheApiAnswers401ProblemNotALoginRedirect() {
    HttpResponse<String> response =
        Api.send(Api.request("/me", null).header("Accept", "*/*").GET().build());

    assertProblem(response, 401, "Unauthorized");
    assertTrue(response.headers().firstValue("Location").isEmpty());
  }

  @Test
  void theUisOwnCallWithoutSessionGets401SoItCanLogInAgain() {
    HttpResponse<String> response =
        Api.send(
            Api.request("/me", null).header("X-Requested-With", "XMLHttpRequest").GET().build());

    assertProblem(response, 401, "Unauthorized");
  }

  @Test
  void aBrowserWithoutSessionIsSentToKeycloakWithPkce() {
    HttpResponse<String> response =
        Api.send(
            HttpRequest.newBuilder(TestServices.baseUrl())
                .header("Accept", "text/html")
                .GET()
                .build());

    assertEquals(302, response.statusCode());
    String location = response.headers().firstValue("Location").orElse("");
    assertTrue(location.startsWith(TestServices.realmUrl() + "/protocol/openid-connect/auth"));
    assertTrue(location.contains("code_challenge_method=S256"), location);
  }

  @Test
  void aTokenThatIsNotOneIsRejectedWith401Problem() {
    assertProblem(Api.get("/me", "not-a-token"), 401, "Unauthorized");
  }

  @Test
  void aTokenWithoutTenantIsRejectedWith403Problem() {
    KeycloakAdmin.createUser("nomad", null, List.of("reviewer"));
    String token = Tokens.password("nomad", KeycloakAdmin.password("nomad"));

    HttpResponse<String> response = Api.get("/me", token);

    assertProblem(response, 403, "No tenant");
    assertTrue(Json.parse(response.body()).get("detail").asText().contains("nomad"));
  }

  @Test
  void theOpenApiDocumentDescribesTheApi() {
    HttpResponse<String> response =
        Api.send(
            HttpRequest.newBuilder(TestServices.baseUrl().resolve("openapi?format=JSON"))
                .GET()
                .build());

    assertEquals(200, response.statusCode(), response.body());
    JsonNode document = Json.parse(response.body());
    assertEquals("docproc API", document.at("/info/title").asText());
    JsonNode paths = document.get("paths");
    for (String path :
        List.of(
            "/api/v1/me",
            "/api/v1/documents",
            "/api/v1/documents/{id}",
            "/api/v1/documents/{id}/pages/{number}",
            "/api/v1/documents/{id}/pages/{number}/answer",
            "/api/v1/documents/{id}/audit",
            "/api/v1/audit/verify",
            "/api/v1/admin/inference")) {
      assertTrue(paths.has(path), path + " in " + paths);
    }
    assertTrue(
        paths
            .at(
                "/~1api~1v1~1documents/post/requestBody/content/multipart~1form-data/schema/properties")
            .has("file"),
        "the upload's multipart body is described");
  }

  private static void assertProblem(HttpResponse<String> response, int status, String title) {
    assertEquals(status, response.statusCode(), response.body());
    String contentType = response.headers().firstValue("Content-Type").orElse("");
    assertEquals("application/problem+json", contentType.split(";")[0].strip(), contentType);
    JsonNode problem = Json.parse(response.body());
    assertEquals(status, problem.get("status").asInt());
    assertEquals(title, problem.get("title").asText());
    assertTrue(problem.hasNonNull("detail"));
  }

  private static List<String> strings(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
  }
}
