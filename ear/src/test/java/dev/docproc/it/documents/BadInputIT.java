package dev.docproc.it.documents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.docproc.domain.testing.SampleFiles;
import dev.docproc.domain.testing.Sql;
import dev.docproc.it.support.DemoUser;
import dev.docproc.it.support.Deployments;
import dev.docproc.it.support.Json;
import dev.docproc.it.support.TestDatabase;
import dev.docproc.it.support.Tokens;
import java.net.http.HttpResponse;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each kind of bad upload: a 4xx problem+json a person understands, an audit event, and nothing
 * else stored.
 */
@ExtendWith(ArquillianExtension.class)
class BadInputIT {

  private static final Sql SQL = new Sql(TestDatabase::connect);

  /** One byte over the default limit of 50 MB, random so that nothing compresses it. */
  private static byte[] overTheSizeLimit() {
    byte[] bytes = new byte[50 * 1024 * 1024 + 1];
    new Random(1).nextBytes(bytes);
    return bytes;
  }

  @Deployment(testable = false)
  static EnterpriseArchive ear() {
    return Deployments.docprocEar();
  }

  static Stream<Arguments> badUploads() {
    return Stream.of(
        Arguments.of("empty.pdf", new byte[0], 400, "empty-file"),
        Arguments.of("invoice.pdf", SampleFiles.textFile(), 415, "unsupported-type"),
        Arguments.of("locked.pdf", SampleFiles.encryptedPdf(), 422, "encrypted-pdf"),
        Arguments.of("half.pdf", SampleFiles.truncatedPdf(), 422, "corrupt-file"),
        Arguments.of("noise.pdf", SampleFiles.corruptPdf(), 422, "corrupt-file"),
        Arguments.of("huge.pdf", overTheSizeLimit(), 413, "file-too-large"),
        Arguments.of("long.pdf", SampleFiles.pdf(201, PDRectangle.A6), 422, "too-many-pages"),
        Arguments.of(
            "poster.pdf",
            SampleFiles.pdf(1, new PDRectangle(14_400, 14_400)),
            422,
            "page-too-large"),
        Arguments.of("frames.tiff", SampleFiles.multiFrameTiff(3), 422, "too-many-pages"));
  }

  @ParameterizedTest(name = "{0} → {2} {3}")
  @MethodSource("badUploads")
  void isRefusedWithAProblemAnAuditEventAndNothingStored(
      String filename, byte[] content, int status, String problem) {
    String token = Tokens.of(DemoUser.BOB);
    long documents = SQL.count("select count(*) from documents where tenant_id = 'globex'");
    long outbox = SQL.count("select count(*) from outbox where tenant_id = 'globex'");
    String rejections =
        "select count(*) from audit_events where tenant_id = 'globex'"
            + " and action = 'UPLOAD_REJECTED' and details like ?";
    long audited = SQL.count(rejections, "%urn:docproc:problem:" + problem + "%");

    HttpResponse<String> response = Documents.upload(token, filename, content, null);

    assertEquals(status, response.statusCode(), response.body());
    assertEquals(
        "application/problem+json", response.headers().firstValue("Content-Type").orElse(null));
    JsonNode body = Json.parse(response.body());
    assertEquals("urn:docproc:problem:" + problem, body.get("type").asText());
    assertEquals(status, body.get("status").asInt());
    assertFalse(body.get("title").asText().isBlank());
    assertFalse(body.get("detail").asText().isBlank());
    assertEquals(audited + 1, SQL.count(rejections, "%urn:docproc:problem:" + problem + "%"));
    assertEquals(documents, SQL.count("select count(*) from documents where tenant_id = 'globex'"));
    // the relay may meanwhile have published older rows; a refusal adds none
    assertTrue(SQL.count("select count(*) from outbox where tenant_id = 'globex'") <= outbox);
  }
}
