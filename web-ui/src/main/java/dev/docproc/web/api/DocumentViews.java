package dev.docproc.web.api;

import dev.docproc.domain.audit.AuditRecord;
import dev.docproc.domain.document.Document;
import dev.docproc.domain.document.Job;
import dev.docproc.domain.document.PageSummary;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** The JSON shapes of the documents API (public: JSON-B reads them by reflection). */
public final class DocumentViews {

  private DocumentViews() {}

  static String hrefOf(Document d) {
    return "/api/v1/documents/" + d.id();
  }

  /** A document in a list. */
  public record Summary(
      String id,
      String filename,
      String mediaType,
      long sizeBytes,
      String status,
      int pageCount,
      String uploadedBy,
      Instant createdAt,
      String href) {

    static Summary of(Document d) {
      return new Summary(
          d.id().toString(),
          d.filename(),
          d.mediaType().mime(),
          d.sizeBytes(),
          d.status().name(),
          d.pageCount(),
          d.uploadedBy(),
          d.createdAt(),
          hrefOf(d));
    }
  }

  /** One slice of a tenant's documents. */
  public record Listing(List<Summary> items, long total, int offset, int limit) {}

  /** A rendered page. */
  public record PageView(int number, int width, int height, String href) {}

  /**
   * How long each step took: waiting for the renderer, rendering. Null while a step has not
   * happened.
   */
  public record Timings(
      Instant receivedAt,
      Instant renderStartedAt,
      Instant renderFinishedAt,
      Long queuedMillis,
      Long renderMillis) {

    static Timings of(Document d, Job render) {
      Instant started = render == null ? null : render.startedAt();
      Instant finished = render == null ? null : render.finishedAt();
      return new Timings(
          d.createdAt(),
          started,
          finished,
          started == null ? null : Duration.between(d.createdAt(), started).toMillis(),
          finished == null ? null : Duration.between(started, finished).toMillis());
    }
  }

  /** A document with its pages and timings. */
  public record Detail(
      String id,
      String filename,
      String mediaType,
      long sizeBytes,
      String sha256,
      String status,
      String failureReason,
      int pageCount,
      String uploadedBy,
      Instant createdAt,
      Instant updatedAt,
      List<PageView> pages,
      Timings timings,
      String auditHref) {

    static Detail of(Document d, List<PageSummary> pages, Job render) {
      return new Detail(
          d.id().toString(),
          d.filename(),
          d.mediaType().mime(),
          d.sizeBytes(),
          d.sha256(),
          d.status().name(),
          d.failureReason(),
          d.pageCount(),
          d.uploadedBy(),
          d.createdAt(),
          d.updatedAt(),
          pages.stream()
              .map(
                  p ->
                      new PageView(
                          p.number(), p.width(), p.height(), hrefOf(d) + "/pages/" + p.number()))
              .toList(),
          Timings.of(d, render),
          hrefOf(d) + "/audit");
    }
  }

  /** An audit event, with the links of its chain. */
  public record AuditView(
      long seq,
      Instant occurredAt,
      String actor,
      String action,
      String documentId,
      JsonObject details,
      String prevHash,
      String hash) {

    static AuditView of(AuditRecord r) {
      return new AuditView(
          r.seq(),
          r.occurredAt(),
          r.actor(),
          r.action(),
          r.documentId() == null ? null : r.documentId().toString(),
          Json.createReader(new StringReader(r.details())).readObject(),
          r.prevHash(),
          r.hash());
    }
  }
}
