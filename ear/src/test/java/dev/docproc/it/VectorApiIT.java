package dev.docproc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.docproc.it.probe.VectorApiServlet;
import dev.docproc.it.support.Api;
import dev.docproc.it.support.TestServices;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The server runs with the Vector API that the inference engine computes with: the JVM resolves the
 * incubator module (bin/standalone.conf, arquillian.xml), and a deployment that declares a
 * dependency on module jdk.incubator.vector sees it (docproc.ear does so for ejb-inference in its
 * jboss-deployment-structure.xml).
 */
@ExtendWith(ArquillianExtension.class)
class VectorApiIT {

  @Deployment(testable = false)
  static WebArchive probe() {
    return ShrinkWrap.create(WebArchive.class, "vector-probe.war")
        .addClass(VectorApiServlet.class)
        .setManifest(
            new StringAsset("Manifest-Version: 1.0\nDependencies: jdk.incubator.vector\n"));
  }

  @Test
  void deploymentsCanUseTheVectorApi() {
    HttpResponse<String> response =
        Api.send(
            HttpRequest.newBuilder(TestServices.baseUrl().resolve("vector-probe/lanes")).build());

    assertEquals(200, response.statusCode(), response.body());
    assertTrue(Integer.parseInt(response.body().strip()) >= 4, response.body());
  }
}
