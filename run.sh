#!/usr/bin/env bash
# Runs the service on http://localhost:5080 with the sample articles loaded.
# Uses ARTICLES_DB (a connection string) when set; otherwise a local PostgreSQL cluster in .pgdata/.
# The API itself connects with ARTICLES_API_DB when set (a read-only role), else as articles_api locally.
#   ./run.sh            start (again) — safe to repeat
#   ./run.sh stop-db    stop the local cluster this script started
set -euo pipefail
cd "$(dirname "$0")"
. scripts/postgres.sh

port=${ARTICLES_PG_PORT:-55432}
data="$PWD/.pgdata"

if [ "${1:-}" = "stop-db" ]; then
  ensure_postgres && as_pg "$PG_BIN/pg_ctl" -D "$data" -m fast stop
  exit
fi

local_cluster=
if [ -z "${ARTICLES_DB:-}" ]; then
  echo "==> local PostgreSQL in .pgdata on 127.0.0.1:$port"
  start_cluster "$data" "$port"
  create_database "$data" "$port" articles
  ARTICLES_DB="Host=127.0.0.1;Port=$port;Username=postgres;Database=articles"
  local_cluster=1
fi
export ConnectionStrings__Articles="$ARTICLES_DB"

echo "==> building"
build_log=$(mktemp)
dotnet build Articles.Api.sln -c Release -nologo > "$build_log" 2>&1 || { cat "$build_log"; rm -f "$build_log"; exit 1; }
rm -f "$build_log"

job() { dotnet src/Articles.Ingest/bin/Release/net10.0/Articles.Ingest.dll "$@"; }
echo "==> migrating"
job migrate
echo "==> loading samples/"
job ingest samples || [ $? -eq 1 ]   # 1 = some documents rejected: reported above, the rest loaded

# The API reads as a login role in articles_reader (created by the migrations), which cannot write.
if [ -n "$local_cluster" ]; then
  as_pg "$PG_BIN/psql" -h "$data" -p "$port" -U postgres -q -d articles -c "DO \$\$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'articles_api') THEN
      CREATE ROLE articles_api LOGIN IN ROLE articles_reader; END IF; END \$\$;"
  api_db="Host=127.0.0.1;Port=$port;Username=articles_api;Database=articles"
fi
export ConnectionStrings__Articles="${ARTICLES_API_DB:-${api_db:-$ARTICLES_DB}}"

cat <<MSG

==> Articles API on http://localhost:5080  (Ctrl-C stops it; the database keeps running: ./run.sh stop-db)
    http://localhost:5080/swagger          Swagger UI
    http://localhost:5080/health/ready     readiness (database + schema)
    http://localhost:5080/health/live      liveness

MSG
export ASPNETCORE_URLS=${ASPNETCORE_URLS:-http://localhost:5080}
# No load balancer to drain from here: Ctrl-C stops at once.
export Shutdown__DrainDelay=${Shutdown__DrainDelay:-00:00:00}
cd src/Articles.Api/bin/Release/net10.0
exec dotnet Articles.Api.dll
