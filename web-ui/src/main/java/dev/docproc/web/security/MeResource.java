package dev.docproc.web.security;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;

@Path("me")
@RequestScoped
public class MeResource {

  /** The caller as the API sees it. */
  public record Me(String username, String tenantId, List<String> roles) {}

  @Inject CurrentUser currentUser;

  @GET
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(summary = "Who is calling: user name, tenant and roles from the token")
  public Me me() {
    return new Me(currentUser.username(), currentUser.tenantId(), currentUser.roles());
  }
}
