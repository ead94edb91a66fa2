package dev.docproc.web.api;

import dev.docproc.domain.audit.AuditRecord;
import dev.docproc.domain.document.Answer;
import dev.docproc.domain.document.Document;
import dev.docproc.domain.document.DocumentStatus;
import dev.docproc.domain.document.Job;
import dev.docproc.domain.document.PageSummary;
import dev.docproc.inference.ejb.InferenceStatus;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The JSON shapes of the documents API (public: JSON-B reads them by reflection). */
public final class DocumentViews {

  private DocumentViews() {}

  static String hrefOf(Document d) {
    return "/api/v1/documents/" + d.id();
  }

  static String pageHref(Document d, int number) {
    return hrefOf(d) + "/pages/" + number;
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

  /**
   * The inference engine's answer about a page. Times are from the moment the engine accepted the
   * question: waiting in its queue, until the first answer token, until the whole answer.
   *
   * @param modelRevision the hub snapshot the model came from; null for a model directory
   */
  public record AnswerView(
      String text,
      String prompt,
      int promptTokens,
      int answerTokens,
      String stopReason,
      long queueMillis,
      long firstTokenMillis,
      long totalMillis,
      String model,
      String modelRevision,
      Instant answeredAt,
      String href) {

    static AnswerView of(Document d, Answer a) {
      return new AnswerView(
          a.text(),
          a.prompt(),
          a.promptTokens(),
          a.answerTokens(),
          a.stopReason(),
          a.queueMillis(),
          a.firstTokenMillis(),
          a.totalMillis(),
          a.model(),
          a.modelRevision(),
          a.createdAt(),
          pageHref(d, a.pageNumber()) + "/answer");
    }
  }

  /**
   * A rendered page and where its answer stands: ANSWERED (with the answer), PENDING (queued for
   * the inference engine; {@code reason} says why it waits when the engine is not ready) or
   * NOT_ANSWERED (the document failed; {@code reason} is its failure reason).
   */
  public record PageView(
      int number,
      int width,
      int height,
      String href,
      String state,
      String reason,
      AnswerView answer) {

    static PageView of(Document d, PageSummary p, Answer answer, InferenceStatus engine) {
      String href = pageHref(d, p.number());
      if (answer != null) {
        return new PageView(
            p.number(), p.width(), p.height(), href, "ANSWERED", null, AnswerView.of(d, answer));
      }
      if (d.status() == DocumentStatus.FAILED) {
        return new PageView(
            p.number(), p.width(), p.height(), href, "NOT_ANSWERED", d.failureReason(), null);
      }
      String waiting =
          engine.ready() ? null : "The inference engine is not ready: " + engine.reason();
      return new PageView(p.number(), p.width(), p.height(), href, "PENDING", waiting, null);
    }
  }

  /**
   * How long each step took: waiting for the renderer, rendering, answering every page (from the
   * end of rendering to the last answer). Null while a step has not happened.
   */
  public record Timings(
      Instant receivedAt,
      Instant renderStartedAt,
      Instant renderFinishedAt,
      Instant answeredAt,
      Long queuedMillis,
      Long renderMillis,
      Long answerMillis) {

    static Timings of(Document d, Job render) {
      Instant started = render == null ? null : render.startedAt();
      Instant finished = render == null ? null : render.finishedAt();
      Instant answered = d.status() == DocumentStatus.ANSWERED ? d.updatedAt() : null;
      return new Timings(
          d.createdAt(),
          started,
          finished,
          answered,
          started == null ? null : Duration.between(d.createdAt(), started).toMillis(),
          finished == null ? null : Duration.between(started, finished).toMillis(),
          answered == null || finished == null
              ? null
              : Duration.between(finished, answered).toMillis());
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
      int answeredPages,
      String uploadedBy,
      Instant createdAt,
      Instant updatedAt,
      List<PageView> pages,
      Timings timings,
      String auditHref) {

    /** A document just stored: no pages yet. */
    static Detail of(Document d) {
      return of(d, List.of(), null, List.of(), null);
    }

    static Detail of(
        Document d,
        List<PageSummary> pages,
        Job render,
        List<Answer> answers,
        InferenceStatus engine) {
      Map<Integer, Answer> byPage =
          answers.stream().collect(Collectors.toMap(Answer::pageNumber, Function.identity()));
      return new Detail(
          d.id().toString(),
          d.filename(),
          d.mediaType().mime(),
          d.sizeBytes(),
          d.sha256(),
          d.status().name(),
          d.failureReason(),
          d.pageCount(),
          answers.size(),
          d.uploadedBy(),
          d.createdAt(),
          d.updatedAt(),
          pages.stream().map(p -> PageView.of(d, p, byPage.get(p.number()), engine)).toList(),
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
