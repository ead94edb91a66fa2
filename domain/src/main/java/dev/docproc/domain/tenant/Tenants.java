package dev.docproc.domain.tenant;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

/**
 * The tenants known to the database. Tenants are defined in the identity provider (the token's
 * tenant claim); a row appears the first time a tenant stores something.
 */
@ApplicationScoped
public class Tenants {

  private EntityManager em;

  /** For the container's proxy. */
  protected Tenants() {}

  @Inject
  public Tenants(EntityManager em) {
    this.em = em;
  }

  public void register(String tenantId) {
    em.createNativeQuery("insert into tenants (id) values (?1) on conflict do nothing")
        .setParameter(1, tenantId)
        .executeUpdate();
  }

  /**
   * Locks the tenant's row until the transaction ends. "No key update" strength: it serialises
   * audit appends without blocking inserts that merely reference the tenant.
   */
  public void lockForAudit(String tenantId) {
    register(tenantId);
    em.createNativeQuery("select id from tenants where id = ?1 for no key update")
        .setParameter(1, tenantId)
        .getSingleResult();
  }
}
