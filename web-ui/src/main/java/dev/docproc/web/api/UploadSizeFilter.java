package dev.docproc.web.api;

import dev.docproc.domain.document.DocumentIntake;
import dev.docproc.web.problem.UploadRejectedMapper;
import dev.docproc.web.security.CurrentUser;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.ext.Provider;

/**
 * Refuses an upload whose declared length is over the limit before its body is read: the multipart
 * reader would otherwise spool all of it to disk first (and stop with an error of its own at its
 * file limit). Uploads without a length are counted while spooled instead. Runs after the role
 * check.
 */
@Provider
@UploadSizeChecked
@Priority(Priorities.AUTHORIZATION + 1)
public class UploadSizeFilter implements ContainerRequestFilter {

  /** Room for the multipart boundaries and part headers around the file. */
  static final long MULTIPART_OVERHEAD = 64 * 1024;

  @Inject DocumentIntake intake;
  @Inject CurrentUser user;

  @Override
  public void filter(ContainerRequestContext request) {
    long declared = request.getLength();
    if (declared > intake.maxUploadBytes() + MULTIPART_OVERHEAD) {
      request.abortWith(
          UploadRejectedMapper.problemOf(
                  intake.refuseOversized(
                      new DocumentIntake.Upload(
                          user.tenantId(),
                          user.username(),
                          null,
                          request.getHeaderString("Idempotency-Key")),
                      declared))
              .toResponse());
    }
  }
}
