package dev.docproc.web.problem;

import jakarta.json.Json;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Error page for the 401 and 403 that the container itself sends (missing, expired or invalid
 * token; see web.xml), so that API clients get problem+json there too. The WWW-Authenticate header
 * set by the OIDC mechanism stays.
 */
@WebServlet("/problem/*")
public class ContainerProblemServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    Object code = request.getAttribute("jakarta.servlet.error.status_code");
    int status = code instanceof Integer c ? c : HttpServletResponse.SC_NOT_FOUND;
    Problem problem =
        switch (status) {
          case HttpServletResponse.SC_UNAUTHORIZED ->
              Problem.of(
                  status,
                  "Unauthorized",
                  "This request needs a valid bearer token from Keycloak realm docproc"
                      + " (Authorization: Bearer <access token>).");
          case HttpServletResponse.SC_FORBIDDEN ->
              Problem.of(status, "Forbidden", "Your roles do not allow this request.");
          default -> Problem.of(status, "Not Found", "There is nothing at this address.");
        };
    response.setStatus(status);
    response.setContentType(Problem.MEDIA_TYPE);
    response.setCharacterEncoding("UTF-8");
    Json.createWriter(response.getWriter())
        .writeObject(
            Json.createObjectBuilder()
                .add("type", problem.type())
                .add("title", problem.title())
                .add("status", problem.status())
                .add("detail", problem.detail())
                .build());
  }
}
