package dev.docproc.web.problem;

/** Ends a request with the given problem; {@link ProblemExceptionMapper} writes it. */
public class ProblemException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final Problem problem;

  public ProblemException(int status, String title, String detail) {
    super(title + ": " + detail);
    this.problem = Problem.of(status, title, detail);
  }

  public Problem problem() {
    return problem;
  }
}
