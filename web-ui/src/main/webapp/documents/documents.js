// Documents of the signed-in user's tenant: list with status, upload, pages with their answers,
// audit trail.
// Plain DOM and fetch. The page is only reachable after the OIDC login, so API calls ride on
// that session; X-Requested-With makes an ended session answer 401 instead of a redirect.
"use strict";

const API = "/api/v1";
const PAGE_SIZE = 20;
let offset = 0;

const $ = (selector) => document.querySelector(selector);

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text ?? "";
  if (className) td.className = className;
  return td;
}

function showError(message) {
  const error = $("#error");
  error.textContent = message;
  error.hidden = !message;
}

/** fetch that turns problem+json answers into readable errors. */
async function api(path, options = {}) {
  const headers = { "Accept": "application/json", "X-Requested-With": "XMLHttpRequest",
    ...(options.headers || {}) };
  const response = await fetch(API + path, { credentials: "same-origin", ...options, headers });
  if (response.status === 401) {
    window.location.reload(); // session ended: the reload goes through the login again
    throw new Error("session ended");
  }
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    if ((response.headers.get("Content-Type") || "").includes("json")) {
      const problem = await response.json();
      message = `${problem.title || message}: ${problem.detail || ""}`;
    }
    throw new Error(message);
  }
  return response;
}

function formatBytes(n) {
  return n >= 1048576 ? (n / 1048576).toFixed(1) + " MB" : Math.max(1, Math.round(n / 1024)) + " KB";
}

function formatTime(iso) {
  return iso ? new Date(iso).toLocaleString() : "";
}

async function showList() {
  $("#list-view").hidden = false;
  $("#detail-view").hidden = true;
  const status = $("#status-filter").value;
  const query = `?offset=${offset}&limit=${PAGE_SIZE}` + (status ? `&status=${status}` : "");
  const listing = await (await api("/documents" + query)).json();
  const rows = listing.items.map((d) => {
    const tr = document.createElement("tr");
    const name = document.createElement("td");
    const link = document.createElement("a");
    link.href = "#/documents/" + d.id;
    link.textContent = d.filename;
    name.append(link);
    tr.append(name, cell(d.status, "status status-" + d.status), cell(d.pageCount),
      cell(formatBytes(d.sizeBytes)), cell(d.uploadedBy), cell(formatTime(d.createdAt)));
    return tr;
  });
  $("#documents tbody").replaceChildren(...rows);
  const last = Math.min(offset + PAGE_SIZE, listing.total);
  $("#list-count").textContent = listing.total
    ? `${offset + 1}–${last} of ${listing.total}` : "No documents yet";
  $("#prev").disabled = offset === 0;
  $("#next").disabled = last >= listing.total;
}

async function showDetail(id) {
  $("#list-view").hidden = true;
  $("#detail-view").hidden = false;
  const d = await (await api("/documents/" + encodeURIComponent(id))).json();
  $("#detail-title").textContent = d.filename;
  const facts = [
    ["Status", d.status], ["Type", d.mediaType], ["Size", formatBytes(d.sizeBytes)],
    ["Pages", d.pageCount], ["SHA-256", d.sha256], ["Uploaded by", d.uploadedBy],
    ["Uploaded", formatTime(d.timings.receivedAt)],
    ["Waited for rendering", d.timings.queuedMillis == null ? "" : d.timings.queuedMillis + " ms"],
    ["Rendering took", d.timings.renderMillis == null ? "" : d.timings.renderMillis + " ms"],
    ["Answered pages", `${d.answeredPages} of ${d.pageCount}`],
    ["Answering took", d.timings.answerMillis == null ? "" : d.timings.answerMillis + " ms"],
  ].flatMap(([term, value]) => {
    const dt = document.createElement("dt");
    dt.textContent = term;
    const dd = document.createElement("dd");
    dd.textContent = value ?? "";
    return [dt, dd];
  });
  $("#detail-facts").replaceChildren(...facts);
  $("#detail-failure").hidden = !d.failureReason;
  $("#detail-failure").textContent = d.failureReason ? "Failed: " + d.failureReason : "";
  $("#pages").replaceChildren(...d.pages.map((p) => {
    const figure = document.createElement("figure");
    const img = document.createElement("img");
    // fetched by script, not by src: only requests that say X-Requested-With ride on the session
    api(p.href.slice(API.length), { headers: { "Accept": "image/png" } })
      .then((response) => response.blob())
      .then((png) => { img.src = URL.createObjectURL(png); })
      .catch((error) => { img.alt = `Page ${p.number}: ${error.message}`; });
    img.alt = `Page ${p.number}`;
    img.width = p.width;
    img.height = p.height;
    const caption = document.createElement("figcaption");
    caption.textContent = `Page ${p.number} · ${p.width} × ${p.height} px`;
    figure.append(img, caption, pageAnswer(p));
    return figure;
  }));
  if (d.status === "RECEIVED" || d.status === "RENDERED") {
    setTimeout(() => location.hash === "#/documents/" + id && route(), 1000);
  }
  await showAudit(d);
}

/** The page's answer with what it took, or why there is none (yet). */
function pageAnswer(p) {
  const section = document.createElement("div");
  section.className = "answer answer-" + p.state;
  if (p.answer) {
    const text = document.createElement("pre");
    text.textContent = p.answer.text;
    const facts = document.createElement("p");
    facts.className = "answer-facts";
    facts.textContent = `${p.answer.promptTokens} prompt + ${p.answer.answerTokens} answer tokens`
      + ` · first token after ${p.answer.firstTokenMillis} ms (queued ${p.answer.queueMillis} ms)`
      + ` · ${p.answer.totalMillis} ms in all · ${p.answer.model}`;
    section.append(text, facts);
  } else {
    const state = document.createElement("p");
    state.textContent = p.state === "PENDING" ? "Waiting for the answer…" : "Not answered";
    section.append(state);
    if (p.reason) {
      const reason = document.createElement("p");
      reason.className = "answer-reason";
      reason.textContent = p.reason;
      section.append(reason);
    }
  }
  return section;
}

async function showAudit(d) {
  $("#audit tbody").replaceChildren();
  try {
    const events = await (await api("/documents/" + d.id + "/audit")).json();
    $("#audit-message").textContent = "";
    $("#audit tbody").replaceChildren(...events.map((e) => {
      const tr = document.createElement("tr");
      tr.append(cell(e.seq), cell(formatTime(e.occurredAt)), cell(e.actor), cell(e.action),
        cell(JSON.stringify(e.details)), cell(e.hash.slice(0, 16) + "…", "hash"));
      return tr;
    }));
  } catch (error) {
    $("#audit-message").textContent = error.message;
  }
}

async function upload(event) {
  event.preventDefault();
  const file = $("#upload-file").files[0];
  const message = $("#upload-message");
  message.className = "";
  message.textContent = "Uploading " + file.name + "…";
  const form = new FormData();
  form.append("file", file);
  try {
    const response = await api("/documents", {
      method: "POST",
      body: form,
      headers: { "Idempotency-Key": crypto.randomUUID() },
    });
    const d = await response.json();
    message.textContent =
      `${d.filename} uploaded (${d.pageCount} page${d.pageCount === 1 ? "" : "s"}); rendering and answering…`;
    $("#upload").reset();
    offset = 0;
    await showList();
  } catch (error) {
    message.className = "failure";
    message.textContent = error.message;
  }
}

async function route() {
  showError("");
  const match = location.hash.match(/^#\/documents\/([0-9a-fA-F-]+)$/);
  try {
    if (match) await showDetail(match[1]);
    else await showList();
  } catch (error) {
    showError(error.message);
  }
}

$("#upload").addEventListener("submit", upload);
$("#status-filter").addEventListener("change", () => { offset = 0; route(); });
$("#prev").addEventListener("click", () => { offset = Math.max(0, offset - PAGE_SIZE); route(); });
$("#next").addEventListener("click", () => { offset += PAGE_SIZE; route(); });
window.addEventListener("hashchange", route);
route();
