package dev.docproc.domain.audit;

import dev.docproc.domain.tenant.Tenants;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Appends to, reads and verifies a tenant's hash-chained audit trail. */
@ApplicationScoped
public class AuditTrail {

  private EntityManager em;
  private Tenants tenants;

  /** For the container's proxy. */
  protected AuditTrail() {}

  @Inject
  public AuditTrail(EntityManager em, Tenants tenants) {
    this.em = em;
    this.tenants = tenants;
  }

  /**
   * Appends an event in the caller's transaction. The tenant row is locked until commit, so appends
   * of one tenant take turns and each links to the one committed before it; call this last in a
   * transaction to hold the lock briefly.
   */
  @Transactional(Transactional.TxType.MANDATORY)
  public AuditRecord append(
      String tenantId, String actor, AuditAction action, UUID documentId, String details) {
    tenants.lockForAudit(tenantId);
    AuditRecord previous =
        em.createQuery(
                "select e from AuditEvent e where e.tenantId = :tenant order by e.seq desc",
                AuditEvent.class)
            .setParameter("tenant", tenantId)
            .setMaxResults(1)
            .getResultStream()
            .findFirst()
            .map(AuditEvent::toRecord)
            .orElse(null);
    AuditRecord next =
        AuditChain.next(
            previous, tenantId, Instant.now(), actor, action.name(), documentId, details);
    em.persist(new AuditEvent(next));
    em.flush();
    return next;
  }

  /** A document's events, oldest first. */
  public List<AuditRecord> forDocument(String tenantId, UUID documentId) {
    return em.createQuery(
            "select e from AuditEvent e where e.tenantId = :tenant and e.documentId = :document"
                + " order by e.seq",
            AuditEvent.class)
        .setParameter("tenant", tenantId)
        .setParameter("document", documentId)
        .getResultStream()
        .map(AuditEvent::toRecord)
        .toList();
  }

  /** The result of checking a tenant's whole chain. */
  public record Verification(String tenantId, long events, Optional<AuditChain.Break> firstBreak) {
    public boolean intact() {
      return firstBreak.isEmpty();
    }
  }

  public Verification verify(String tenantId) {
    List<AuditRecord> events =
        em.createQuery(
                "select e from AuditEvent e where e.tenantId = :tenant order by e.seq",
                AuditEvent.class)
            .setParameter("tenant", tenantId)
            .getResultStream()
            .map(AuditEvent::toRecord)
            .toList();
    return new Verification(tenantId, events.size(), AuditChain.verify(events));
  }
}
