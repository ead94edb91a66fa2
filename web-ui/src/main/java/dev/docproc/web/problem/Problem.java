package dev.docproc.web.problem;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * An RFC 9457 problem detail: what went wrong ({@code type}, {@code title}), this time ({@code
 * detail}), with the HTTP status repeated in the body.
 */
public record Problem(String type, String title, int status, String detail) {

  public static final String MEDIA_TYPE = "application/problem+json";

  /** "about:blank" problems: the title is the status's reason phrase (RFC 9457 §4.2.1). */
  public static Problem ofStatus(int status, String detail) {
    Response.Status known = Response.Status.fromStatusCode(status);
    return new Problem(
        "about:blank", known == null ? "HTTP " + status : known.getReasonPhrase(), status, detail);
  }

  public Response toResponse() {
    return Response.status(status).type(MediaType.valueOf(MEDIA_TYPE)).entity(this).build();
  }
}
