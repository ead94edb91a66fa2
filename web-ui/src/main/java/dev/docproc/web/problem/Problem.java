package dev.docproc.web.problem;

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
}
