-- docproc schema v2: the inference engine's answers, one per page.
--
-- Document statuses: RECEIVED (stored, waiting for rendering) -> RENDERED (pages stored, one
-- question per page queued for the inference engine) -> ANSWERED (every page has its answer);
-- FAILED (for good, with the reason) from RECEIVED or RENDERED.

alter table documents drop constraint documents_status_check;
alter table documents add constraint documents_status_check
    check (status in ('RECEIVED', 'RENDERED', 'ANSWERED', 'FAILED'));

create table page_answers (
    id                 bigint generated always as identity primary key,
    tenant_id          text not null,
    document_id        uuid not null,
    page_number        integer not null check (page_number >= 1),
    prompt             text not null,
    answer             text not null,
    prompt_tokens      integer not null check (prompt_tokens > 0),
    answer_tokens      integer not null check (answer_tokens > 0),
    stop_reason        text not null,
    -- milliseconds from the moment the engine accepted the question
    queue_millis       bigint not null check (queue_millis >= 0),
    first_token_millis bigint not null check (first_token_millis >= queue_millis),
    total_millis       bigint not null check (total_millis >= first_token_millis),
    model_id           text not null,
    -- the hub snapshot (commit) the model came from; null for a model directory
    model_revision     text,
    created_at         timestamptz not null,
    -- one answer per page, however often its task is delivered
    unique (document_id, page_number),
    foreign key (document_id, page_number) references pages (document_id, page_number)
        on delete cascade,
    foreign key (tenant_id, document_id) references documents (tenant_id, id) on delete cascade
);
