package dev.docproc.domain.testing;

import dev.docproc.domain.audit.AuditTrail;
import dev.docproc.domain.document.Answers;
import dev.docproc.domain.document.Documents;
import dev.docproc.domain.outbox.Outbox;
import dev.docproc.domain.tenant.Tenants;
import dev.docproc.migrations.testing.TestDatabase;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;
import java.util.Map;
import java.util.function.Function;

/**
 * The "docproc" persistence unit booted by Hibernate outside the server, on the migrated test
 * database, with schema validation on: a mapping that does not match the Flyway schema fails here.
 * Transactions are resource-local; the services are wired by hand as CDI would.
 */
public final class Jpa {

  private static EntityManagerFactory factory;

  private Jpa() {}

  private static synchronized EntityManagerFactory factory() {
    if (factory == null) {
      factory =
          Persistence.createEntityManagerFactory(
              "docproc",
              Map.of(
                  "jakarta.persistence.transactionType", "RESOURCE_LOCAL",
                  "jakarta.persistence.nonJtaDataSource", TestDatabase.shared().dataSource(),
                  "hibernate.hbm2ddl.auto", "validate"));
    }
    return factory;
  }

  /** Runs {@code work} in one committed transaction (rolled back if it throws). */
  public static <T> T inTransaction(Function<EntityManager, T> work) {
    try (EntityManager em = factory().createEntityManager()) {
      em.getTransaction().begin();
      try {
        T result = work.apply(em);
        em.getTransaction().commit();
        return result;
      } catch (RuntimeException e) {
        if (em.getTransaction().isActive()) {
          em.getTransaction().rollback();
        }
        throw e;
      }
    }
  }

  /** The services over one entity manager, as the container would inject them. */
  public static Documents documents(EntityManager em) {
    Tenants tenants = new Tenants(em);
    return new Documents(em, tenants, new AuditTrail(em, tenants), new Outbox(em));
  }

  public static Answers answers(EntityManager em) {
    return new Answers(em, documents(em), auditTrail(em));
  }

  public static AuditTrail auditTrail(EntityManager em) {
    return new AuditTrail(em, new Tenants(em));
  }
}
