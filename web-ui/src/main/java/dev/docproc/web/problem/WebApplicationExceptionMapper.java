package dev.docproc.web.problem;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/**
 * Every HTTP error Jakarta REST raises (404 for an unknown path, 403 for a missing role, 405, 415,
 * …) and every {@link ProblemException}, as problem+json.
 */
@Provider
public class WebApplicationExceptionMapper implements ExceptionMapper<WebApplicationException> {

  @Override
  public Response toResponse(WebApplicationException e) {
    int status = e.getResponse().getStatus();
    String detail =
        switch (status) {
          case 403 -> "Your account lacks the role this request needs.";
          case 404 -> "There is nothing at this address.";
          default -> e.getMessage();
        };
    return Problem.ofStatus(status, detail).toResponse();
  }
}
