#!/usr/bin/env bash
# The soak: front-end traffic, partners polling feeds and following /v1/changes, and the job every JOB_EVERY seconds
# on a directory that changes between runs, all at once; then checks that fail the run (bench/README.md lists them).
# Loopback only, bounded by DURATION.
#   bench/soak.sh                       DURATION=600 s on N=100000 synthetic documents (the job every 60 s)
#   DURATION=90 JOB_EVERY=6 N=20000 bench/soak.sh   the quick pass ./test.sh runs
# Results go to bench/results/<date>-soak-<N>-<DURATION>.md (or to OUT when given).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/postgres.sh
. bench/results.sh

N=${N:-100000}
DURATION=${DURATION:-600}
PORT=${SOAK_PG_PORT:-55434}
API_PORT=${SOAK_API_PORT:-5094}
WORK="$PWD/bench/.soak"
CORPUS="$PWD/bench/.corpus-$N"
OUT=${OUT:-$(next_result "soak-$N-$DURATION")}
mkdir -p "$(dirname "$OUT")"
base="http://127.0.0.1:$API_PORT"
if curl -s -o /dev/null "$base/"; then echo "something already listens on port $API_PORT; stop it first" >&2; exit 1; fi

ensure_postgres
as_pg "$PG_BIN/pg_ctl" -D "$WORK/pgdata" status >/dev/null 2>&1 && as_pg "$PG_BIN/pg_ctl" -D "$WORK/pgdata" -m fast -w stop >/dev/null
rm -rf "$WORK" && mkdir -p "$WORK"
# The API's pool may open 100 connections; the driver and the job need room beside it.
start_cluster "$WORK/pgdata" "$PORT" "-c max_connections=200"
api_pid=
cleanup() {
  [ -n "$api_pid" ] && { kill "$api_pid" 2>/dev/null || true; wait "$api_pid" 2>/dev/null || true; }
  as_pg "$PG_BIN/pg_ctl" -D "$WORK/pgdata" -m fast -w stop >/dev/null 2>&1 || true
}
trap cleanup EXIT
CS="Host=127.0.0.1;Port=$PORT;Username=postgres;Database=postgres"

echo "==> corpus: $N documents, copied to $WORK/docs/base (the soak edits the copy)"
[ -d "$CORPUS" ] || python3 bench/generate.py --count "$N" --out "$CORPUS"
mkdir -p "$WORK/docs" && cp -r "$CORPUS" "$WORK/docs/base"

echo "==> build"
dotnet build Articles.Api.sln -c Release -nologo > "$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }
JOB=$PWD/src/Articles.Ingest/bin/Release/net10.0/Articles.Ingest.dll
job() { dotnet "$JOB" "$@" --connection "$CS"; }
job migrate >/dev/null
echo "==> first load"
job ingest "$WORK/docs" > "$WORK/first-load.log" 2>&1 || [ $? -eq 1 ] || { tail -5 "$WORK/first-load.log"; exit 1; }
as_pg "$PG_BIN/psql" -h "$WORK/pgdata" -p "$PORT" -U postgres -X -q -c "VACUUM (ANALYZE)" postgres
keys=$(for p in 1 2 3 4; do job keys add "partner-$p" | tail -1; done | paste -sd, -)

start_api() {   # CACHE=true|false; production settings but the per-client and per-key limits (as bench/run.sh)
  ( cd src/Articles.Api/bin/Release/net10.0 && ConnectionStrings__Articles="$CS" ASPNETCORE_URLS="$base" \
    Feeds__RequireApiKey=true RateLimits__ClientPerMinute=1000000000 RateLimits__KeyPerMinute=1000000000 \
    Cache__Enabled="$1" exec dotnet Articles.Api.dll ) > "$WORK/api.log" 2>&1 &
  api_pid=$!
  for _ in $(seq 1 60); do curl -sf "$base/health/ready" >/dev/null && break; sleep 0.5; done
  kill -0 "$api_pid" 2>/dev/null || { echo "the API did not start:" >&2; tail -5 "$WORK/api.log" >&2; exit 1; }
}
SOAK="dotnet bench/Soak/bin/Release/net10.0/Soak.dll"

echo "==> uncached page-1 maximum"
start_api false
max=$($SOAK measure "$base/v1/articles" 5)
kill "$api_pid"; wait "$api_pid" 2>/dev/null || true
RATE=${SOAK_RATE:-$(( max / 2 ))}
echo "page 1 uncached: $max req/s; the soak schedules $RATE req/s"

echo "==> soak: $DURATION s"
start_api true
status=0
SOAK_API="$base" SOAK_CONNECTION="$CS" SOAK_DOCS="$WORK/docs" SOAK_JOB="$JOB" SOAK_OPENAPI="$PWD/openapi.json" \
  SOAK_API_PID="$api_pid" SOAK_KEYS="$keys" SOAK_OUT="$OUT" SOAK_API_LOG="$WORK/api.log" SOAK_RATE="$RATE" DURATION="$DURATION" \
  $SOAK run || status=$?
{ echo; echo "Uncached page-1 maximum before the soak (32 connections, 5 s): $max req/s. N=$N, commit $(git rev-parse --short HEAD)."; } >> "$OUT"
echo "results: $OUT"
exit $status
