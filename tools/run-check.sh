#!/usr/bin/env bash
# The run command's promise, checked the way a newcomer would check it by hand:
#   1. `./mvnw -Prun install` brings the platform up;
#   2. the README's curl example uploads AzureInterior.pdf and its rendered page 1 is there
#      within a minute of the upload;
#   3. stopping it (SIGTERM, as Ctrl-C) stops everything it started, and starting it again keeps
#      the document (status, page count, the same page image).
# Its data lives in a scratch DOCPROC_VAR_DIR (removed at the end), so var/ is not touched; the
# default ports must be free. Needs curl and jq. Usage: tools/run-check.sh (from anywhere).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export DOCPROC_VAR_DIR="${DOCPROC_VAR_DIR:-$root/target/run-check-var}"
work=$(mktemp -d)
run_pid=
KC=http://127.0.0.1:8180/realms/docproc/protocol/openid-connect/token
API=http://127.0.0.1:8080/api/v1
PAGE_DEADLINE_S=60

say() { printf '[run-check %s] %s\n' "$(date +%T)" "$*"; }
fail() { say "FAILED: $*"; exit 1; }

stop_platform() {
  [ -n "$run_pid" ] || return 0
  kill -TERM "$run_pid" 2>/dev/null || true
  wait "$run_pid" 2>/dev/null || true
  run_pid=
}
cleanup() {
  stop_platform
  rm -rf "$work" "$DOCPROC_VAR_DIR"
}
trap cleanup EXIT

# Starts the run command in the background and waits (up to 10 minutes: the first start builds)
# for its "docproc is up" line.
start_platform() {
  local log=$1
  say "starting: ./mvnw -Prun install (log: $log)"
  ./mvnw -B -q -Prun install >"$log" 2>&1 &
  run_pid=$!
  for _ in $(seq 600); do
    grep -q '^docproc is up after' "$log" && { say "$(grep '^docproc is up after' "$log")"; return; }
    kill -0 "$run_pid" 2>/dev/null || { tail -30 "$log"; fail "the run command exited"; }
    sleep 1
  done
  fail "not up within 10 minutes (see $log)"
}

token() {
  curl -sf -d grant_type=password -d client_id=docproc-tests \
    -d username=alice -d password=alice-demo "$KC" | jq -r .access_token
}

# The document's status and page count, as the API shows them.
summary() {
  curl -sf -H "Authorization: Bearer $(token)" "$1" | jq -c '{status, pages: (.pages | length)}'
}

ports_free() {
  for port in 8080 9990 8180 9092 15432; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      fail "port $port is still (or already) taken"
    fi
  done
}

java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
"$java_bin" -version 2>&1 | grep -q 'version "25' \
  || fail "the Maven wrapper would run on $("$java_bin" -version 2>&1 | head -1); set JAVA_HOME to a JDK 25"
ports_free
rm -rf "$DOCPROC_VAR_DIR"
start_platform "$work/first-run.log"

TOKEN=$(token)
uploaded=$(date +%s)
DOC=$(curl -si -H "Authorization: Bearer $TOKEN" -H "Idempotency-Key: run-check-$uploaded" \
  -F file=@"$root/../shared/data/invoices/AzureInterior.pdf" "$API/documents" \
  | tr -d '\r' | sed -n 's/^[Ll]ocation: //p')
[ -n "$DOC" ] || fail "the upload returned no Location"
say "uploaded AzureInterior.pdf: $DOC"
until curl -sf -H "Authorization: Bearer $TOKEN" -o "$work/page1.png" "$DOC/pages/1"; do
  [ $(($(date +%s) - uploaded)) -lt $PAGE_DEADLINE_S ] \
    || fail "page 1 not rendered within $PAGE_DEADLINE_S s: $(summary "$DOC")"
  sleep 1
done
file "$work/page1.png" | grep -q 'PNG image data' || fail "page 1 is not a PNG"
say "page 1 rendered $(($(date +%s) - uploaded)) s after the upload: $(file -b "$work/page1.png")"
before=$(summary "$DOC")
say "document: $before"

say "stopping (SIGTERM)"
stop_platform
ports_free
say "stopped; every port is free"

start_platform "$work/second-run.log"
after=$(summary "$DOC")
say "after the restart: $after"
[ "$after" = "$before" ] || fail "the document changed across the restart: $before -> $after"
curl -sf -H "Authorization: Bearer $(token)" -o "$work/page1-again.png" "$DOC/pages/1"
cmp -s "$work/page1.png" "$work/page1-again.png" || fail "page 1 differs after the restart"
say "page 1 is the same image"
stop_platform
ports_free
say "PASSED: up, AzureInterior.pdf's page rendered within $PAGE_DEADLINE_S s, kept across a restart"
