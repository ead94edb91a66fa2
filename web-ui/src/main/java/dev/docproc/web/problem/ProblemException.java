package dev.docproc.web.problem;

/** Ends a request with the given problem; {@link ProblemExceptionMapper} writes it. */
public class ProblemException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final Problem problem;

  public ProblemException(int status, String title, String detail) {
    this(Problem.of(status, title, detail));
  }

  /** A problem with a type of its own. */
  public ProblemException(Problem problem) {
    super(problem.title() + ": " + problem.detail());
    this.problem = problem;
  }

  public Problem problem() {
    return problem;
  }
}
