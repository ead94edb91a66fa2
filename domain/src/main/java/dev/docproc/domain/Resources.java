package dev.docproc.domain;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;

/** Makes the persistence context injectable with {@code @Inject}, as the quickstarts do. */
@ApplicationScoped
public class Resources {

  @Produces
  @PersistenceContext(unitName = "docproc")
  private EntityManager em;
}
