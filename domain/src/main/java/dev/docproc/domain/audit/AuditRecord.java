package dev.docproc.domain.audit;

import java.time.Instant;
import java.util.UUID;

/**
 * One audit event as it is chained: {@code hash} covers {@code prevHash} and every other field.
 *
 * @param seq 1, 2, 3, … within the tenant
 * @param occurredAt truncated to microseconds, the precision PostgreSQL keeps
 * @param documentId null for events about no stored document (a refused upload)
 * @param details JSON text, hashed exactly as stored
 */
public record AuditRecord(
    String tenantId,
    long seq,
    Instant occurredAt,
    String actor,
    String action,
    UUID documentId,
    String details,
    String prevHash,
    String hash) {}
