package dev.docproc.web.problem;

import dev.docproc.domain.intake.UploadRejectedException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** A refused upload, with the reason's own problem type and what to do about it. */
@Provider
public class UploadRejectedMapper implements ExceptionMapper<UploadRejectedException> {

  @Override
  public Response toResponse(UploadRejectedException e) {
    return problemOf(e).toResponse();
  }

  public static Problem problemOf(UploadRejectedException e) {
    return new Problem(
        e.rejection().type(), e.rejection().title(), e.rejection().status(), e.detail());
  }
}
