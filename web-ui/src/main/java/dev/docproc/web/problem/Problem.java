package dev.docproc.web.problem;

import jakarta.ws.rs.core.Response;

/**
 * An RFC 9457 problem detail, the body of every error the API returns.
 *
 * @param type a URI naming the kind of problem; {@code about:blank} when the status says it all
 * @param title short, the same for every occurrence of this kind
 * @param status the HTTP status code
 * @param detail what went wrong this time, written for a person
 */
public record Problem(String type, String title, int status, String detail) {

  public static final String MEDIA_TYPE = "application/problem+json";

  public static Problem of(int status, String title, String detail) {
    return new Problem("about:blank", title, status, detail);
  }

  /** An "about:blank" problem titled with the status's reason phrase (RFC 9457 §4.2.1). */
  public static Problem ofStatus(int status, String detail) {
    Response.Status known = Response.Status.fromStatusCode(status);
    return of(status, known == null ? "HTTP " + status : known.getReasonPhrase(), detail);
  }

  public Response toResponse() {
    return Response.status(status).type(MEDIA_TYPE).entity(this).build();
  }
}
