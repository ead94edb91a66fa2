package dev.docproc.web.problem;

import jakarta.ws.rs.WebApplicationException;

/** A request the API answers with a problem of its own making. */
public class ProblemException extends WebApplicationException {

  private final Problem problem;

  public ProblemException(Problem problem) {
    super(problem.detail(), problem.status());
    this.problem = problem;
  }

  public Problem problem() {
    return problem;
  }

  public static ProblemException notFound(String detail) {
    return new ProblemException(Problem.ofStatus(404, detail));
  }

  public static ProblemException badRequest(String type, String title, String detail) {
    return new ProblemException(new Problem(type, title, 400, detail));
  }
}
