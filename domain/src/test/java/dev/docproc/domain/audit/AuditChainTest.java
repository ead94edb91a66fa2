package dev.docproc.domain.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class AuditChainTest {

  private final Random random = new Random(42);

  private List<AuditRecord> chain(int length) {
    List<AuditRecord> events = new ArrayList<>();
    AuditRecord previous = null;
    for (int i = 0; i < length; i++) {
      previous =
          AuditChain.next(
              previous,
              "acme",
              Instant.ofEpochSecond(1_800_000_000L + i, random.nextInt(1_000_000_000)),
              "alice",
              "DOCUMENT_RECEIVED",
              i % 3 == 0 ? null : UUID.randomUUID(),
              "{\"n\":" + random.nextInt() + "}");
      events.add(previous);
    }
    return events;
  }

  @Test
  void aFreshChainVerifies() {
    List<AuditRecord> events = chain(20);
    assertEquals(AuditChain.GENESIS, events.getFirst().prevHash());
    assertEquals(1, events.getFirst().seq());
    assertEquals(events.get(4).hash(), events.get(5).prevHash());
    assertEquals(Optional.empty(), AuditChain.verify(events));
  }

  @Test
  void timestampsAreKeptAtMicrosecondsLikePostgres() {
    AuditRecord e = chain(1).getFirst();
    assertEquals(0, e.occurredAt().getNano() % 1000);
  }

  @Test
  void changingAnyFieldBreaksTheChainAtThatRow() {
    List<AuditRecord> events = chain(10);
    AuditRecord e = events.get(6);
    List<AuditRecord> tampered =
        List.of(
            new AuditRecord(
                e.tenantId(),
                e.seq(),
                e.occurredAt(),
                "mallory",
                e.action(),
                e.documentId(),
                e.details(),
                e.prevHash(),
                e.hash()),
            new AuditRecord(
                e.tenantId(),
                e.seq(),
                e.occurredAt().plusSeconds(1),
                e.actor(),
                e.action(),
                e.documentId(),
                e.details(),
                e.prevHash(),
                e.hash()),
            new AuditRecord(
                e.tenantId(),
                e.seq(),
                e.occurredAt(),
                e.actor(),
                "X",
                e.documentId(),
                e.details(),
                e.prevHash(),
                e.hash()),
            new AuditRecord(
                e.tenantId(),
                e.seq(),
                e.occurredAt(),
                e.actor(),
                e.action(),
                UUID.randomUUID(),
                e.details(),
                e.prevHash(),
                e.hash()),
            new AuditRecord(
                e.tenantId(),
                e.seq(),
                e.occurredAt(),
                e.actor(),
                e.action(),
                e.documentId(),
                "{}",
                e.prevHash(),
                e.hash()),
            new AuditRecord(
                "globex",
                e.seq(),
                e.occurredAt(),
                e.actor(),
                e.action(),
                e.documentId(),
                e.details(),
                e.prevHash(),
                e.hash()));
    for (AuditRecord changed : tampered) {
      List<AuditRecord> copy = new ArrayList<>(events);
      copy.set(6, changed);
      Optional<AuditChain.Break> found = AuditChain.verify(copy);
      assertTrue(found.isPresent(), changed.toString());
      assertEquals(7, found.get().seq());
    }
  }

  @Test
  void rehashingAChangedRowStillBreaksTheNextLink() {
    List<AuditRecord> events = chain(10);
    AuditRecord e = events.get(3);
    AuditRecord forged =
        AuditChain.next(
            events.get(2),
            e.tenantId(),
            e.occurredAt(),
            "mallory",
            e.action(),
            e.documentId(),
            e.details());
    assertNotEquals(e.hash(), forged.hash());
    List<AuditRecord> copy = new ArrayList<>(events);
    copy.set(3, forged);
    assertEquals(5, AuditChain.verify(copy).orElseThrow().seq());
  }

  @Test
  void aRemovedRowIsAGap() {
    List<AuditRecord> events = new ArrayList<>(chain(10));
    events.remove(8);
    AuditChain.Break found = AuditChain.verify(events).orElseThrow();
    assertEquals(9, found.seq());
    assertTrue(found.reason().contains("missing"));
  }

  @Test
  void fieldBoundariesMatter() {
    // the same characters split differently between actor and action must hash differently
    Instant at = Instant.parse("2026-11-27T10:00:00Z");
    AuditRecord a = AuditChain.next(null, "acme", at, "ab", "c", null, "{}");
    AuditRecord b = AuditChain.next(null, "acme", at, "a", "bc", null, "{}");
    assertNotEquals(a.hash(), b.hash());
  }
}
