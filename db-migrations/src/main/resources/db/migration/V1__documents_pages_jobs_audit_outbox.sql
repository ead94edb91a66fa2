-- docproc schema v1. Every row that belongs to a tenant carries tenant_id; child tables
-- reference (tenant_id, document_id) together so a row can never point into another tenant.

create table tenants (
    id         text primary key check (id ~ '^[a-z0-9][a-z0-9_.-]{0,62}$'),
    created_at timestamptz not null default now()
);

create table documents (
    id              uuid primary key,
    tenant_id       text not null references tenants (id),
    filename        text not null,
    media_type      text not null
        check (media_type in ('application/pdf', 'image/png', 'image/jpeg', 'image/tiff')),
    size_bytes      bigint not null check (size_bytes > 0),
    sha256          text not null check (sha256 ~ '^[0-9a-f]{64}$'),
    page_count      integer not null check (page_count > 0),
    status          text not null check (status in ('RECEIVED', 'RENDERED', 'FAILED')),
    failure_reason  text,
    idempotency_key text,
    uploaded_by     text not null,
    created_at      timestamptz not null,
    updated_at      timestamptz not null,
    unique (tenant_id, id),
    unique (tenant_id, idempotency_key),
    check ((status = 'FAILED') = (failure_reason is not null))
);
create index documents_by_tenant_status on documents (tenant_id, status, created_at desc);
create index documents_by_tenant on documents (tenant_id, created_at desc);

create table document_content (
    document_id uuid primary key,
    tenant_id   text not null,
    bytes       bytea not null,
    foreign key (tenant_id, document_id) references documents (tenant_id, id) on delete cascade
);

create table pages (
    id          bigint generated always as identity primary key,
    tenant_id   text not null,
    document_id uuid not null,
    page_number integer not null check (page_number >= 1),
    width       integer not null check (width > 0),
    height      integer not null check (height > 0),
    image_png   bytea not null,
    created_at  timestamptz not null,
    -- one set of pages per document, whatever the number of deliveries of its event
    unique (document_id, page_number),
    foreign key (tenant_id, document_id) references documents (tenant_id, id) on delete cascade
);

create table jobs (
    id          bigint generated always as identity primary key,
    tenant_id   text not null,
    document_id uuid not null,
    kind        text not null check (kind in ('RENDER')),
    status      text not null check (status in ('QUEUED', 'DONE', 'FAILED')),
    attempts    integer not null default 0 check (attempts >= 0),
    created_at  timestamptz not null,
    started_at  timestamptz,
    finished_at timestamptz,
    error       text,
    unique (document_id, kind),
    foreign key (tenant_id, document_id) references documents (tenant_id, id) on delete cascade
);

-- Append-only, hash-chained per tenant: hash = sha256 over prev_hash and this row's fields
-- (see dev.docproc.domain.audit.AuditChain for the exact encoding). document_id has no
-- foreign key: a refused upload is audited although no document row exists.
create table audit_events (
    id          bigint generated always as identity primary key,
    tenant_id   text not null references tenants (id),
    seq         bigint not null check (seq >= 1),
    occurred_at timestamptz not null,
    actor       text not null,
    action      text not null,
    document_id uuid,
    details     text not null,
    prev_hash   text not null check (prev_hash ~ '^[0-9a-f]{64}$'),
    hash        text not null check (hash ~ '^[0-9a-f]{64}$'),
    unique (tenant_id, seq)
);
create index audit_events_by_document on audit_events (tenant_id, document_id, seq);

create function audit_events_refuse_change() returns trigger
    language plpgsql as
$$
begin
    raise exception 'audit_events is append-only: % refused', tg_op
        using errcode = 'integrity_constraint_violation';
end;
$$;

create trigger audit_events_append_only
    before update or delete on audit_events
    for each row execute function audit_events_refuse_change();

create trigger audit_events_no_truncate
    before truncate on audit_events
    for each statement execute function audit_events_refuse_change();

-- Transactional outbox: rows written in the same transaction as the state change they
-- announce; the relay publishes them in id order and deletes them.
create table outbox (
    id          bigint generated always as identity primary key,
    tenant_id   text not null references tenants (id),
    topic       text not null,
    message_key text not null,
    payload     text not null,
    created_at  timestamptz not null
);
