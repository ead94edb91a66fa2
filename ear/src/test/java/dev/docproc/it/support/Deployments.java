package dev.docproc.it.support;

import java.io.File;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;

/** The deployments integration tests use: the real EAR as the build produced it. */
public final class Deployments {

  private Deployments() {}

  /**
   * target/docproc.ear, unchanged. Use it with {@code @Deployment(testable = false)}: tests are
   * clients over HTTP, JDBC and Kafka, like the users and systems around the platform.
   */
  public static EnterpriseArchive docprocEar() {
    String path = System.getProperty("docproc.it.ear");
    if (path == null || !new File(path).isFile()) {
      throw new IllegalStateException("no EAR at " + path + ": run the ITs with ./mvnw verify");
    }
    return ShrinkWrap.createFromZipFile(EnterpriseArchive.class, new File(path));
  }
}
