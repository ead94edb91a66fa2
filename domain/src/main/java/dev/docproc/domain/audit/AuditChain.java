package dev.docproc.domain.audit;

import dev.docproc.domain.Sha256;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The hash chain over a tenant's audit events.
 *
 * <p>{@code hash = SHA-256(prevHash ‖ tenantId ‖ seq ‖ occurredAt ‖ actor ‖ action ‖ documentId ‖
 * details)}, each field written with its length first (so no two different rows encode alike),
 * timestamps as epoch microseconds. The first event's {@code prevHash} is {@link #GENESIS}.
 * Changing, removing or reordering any stored row breaks the chain from that row on.
 */
public final class AuditChain {

  public static final String GENESIS = "0".repeat(64);

  private AuditChain() {}

  /** The record that follows {@code previous} (null for a tenant's first event). */
  public static AuditRecord next(
      AuditRecord previous,
      String tenantId,
      Instant occurredAt,
      String actor,
      String action,
      UUID documentId,
      String details) {
    long seq = previous == null ? 1 : previous.seq() + 1;
    String prevHash = previous == null ? GENESIS : previous.hash();
    Instant at = occurredAt.truncatedTo(ChronoUnit.MICROS);
    return new AuditRecord(
        tenantId,
        seq,
        at,
        actor,
        action,
        documentId,
        details,
        prevHash,
        hash(prevHash, tenantId, seq, at, actor, action, documentId, details));
  }

  /** A break in the chain: the first row whose sequence, link or hash is wrong. */
  public record Break(long seq, String reason) {}

  /** The first break in a tenant's events (ordered by seq), or empty if the chain holds. */
  public static Optional<Break> verify(List<AuditRecord> events) {
    String prevHash = GENESIS;
    long expectedSeq = 1;
    for (AuditRecord e : events) {
      if (e.seq() != expectedSeq) {
        return Optional.of(
            new Break(expectedSeq, "event " + expectedSeq + " is missing (found " + e.seq() + ")"));
      }
      if (!e.prevHash().equals(prevHash)) {
        return Optional.of(new Break(e.seq(), "does not link to the event before it"));
      }
      String recomputed =
          hash(
              e.prevHash(),
              e.tenantId(),
              e.seq(),
              e.occurredAt(),
              e.actor(),
              e.action(),
              e.documentId(),
              e.details());
      if (!recomputed.equals(e.hash())) {
        return Optional.of(new Break(e.seq(), "content does not match its hash"));
      }
      prevHash = e.hash();
      expectedSeq++;
    }
    return Optional.empty();
  }

  static String hash(
      String prevHash,
      String tenantId,
      long seq,
      Instant occurredAt,
      String actor,
      String action,
      UUID documentId,
      String details) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      field(out, prevHash);
      field(out, tenantId);
      out.writeLong(seq);
      out.writeLong(ChronoUnit.MICROS.between(Instant.EPOCH, occurredAt));
      field(out, actor);
      field(out, action);
      field(out, documentId == null ? "" : documentId.toString());
      field(out, details);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Sha256.hex(bytes.toByteArray());
  }

  private static void field(DataOutputStream out, String value) throws IOException {
    byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
    out.writeInt(utf8.length);
    out.write(utf8);
  }
}
