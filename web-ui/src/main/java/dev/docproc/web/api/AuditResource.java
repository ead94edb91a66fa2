package dev.docproc.web.api;

import dev.docproc.domain.audit.AuditChain;
import dev.docproc.domain.audit.AuditTrail;
import dev.docproc.web.security.CurrentUser;
import dev.docproc.web.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The tenant's audit trail as a whole. */
@Path("/audit")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "audit")
public class AuditResource {

  @Inject CurrentUser user;
  @Inject AuditTrail audit;

  /** The outcome of a verification; {@code firstBrokenSeq} and {@code reason} when broken. */
  public record VerificationView(
      String tenantId, long events, boolean intact, Long firstBrokenSeq, String reason) {}

  @GET
  @Path("/verify")
  @RolesAllowed(Roles.ADMIN)
  @Operation(
      summary = "Verify the tenant's audit hash chain",
      description =
          "Recomputes every event's hash and link. A changed, removed or reordered event"
              + " shows as the first broken sequence number.")
  @APIResponse(responseCode = "200", description = "Whether the chain holds")
  public VerificationView verify() {
    AuditTrail.Verification v = audit.verify(user.tenantId());
    return new VerificationView(
        v.tenantId(),
        v.events(),
        v.intact(),
        v.firstBreak().map(AuditChain.Break::seq).orElse(null),
        v.firstBreak().map(AuditChain.Break::reason).orElse(null));
  }
}
