#!/usr/bin/env bash
# The benchmark suite: ingestion against a COPY-restore baseline, re-ingestion, and the API under wrk
# against pgbench running the list's own SQL. Loopback only, every step bounded in time.
#   bench/run.sh                      N=100000 documents, 32 connections, 10 s per load run
#   N=20000 DURATION=5 bench/run.sh   a quicker pass
# Results go to bench/results/<date>-<N>.md; copy the table into bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/postgres.sh
. bench/results.sh

N=${N:-100000}
CONC=${CONC:-32}
DURATION=${DURATION:-10}
PORT=${BENCH_PG_PORT:-55433}
API_PORT=${BENCH_API_PORT:-5090}
DATA="$PWD/bench/.pgdata"
CORPUS="$PWD/bench/.corpus-$N"
OUT=$(next_result "$N")
mkdir -p bench/results

ensure_postgres
command -v wrk >/dev/null || apt_install wrk
# pg_stat_statements counts the statements a run of 304s causes (none but the content version's). The API's pool
# may open 100 connections, PostgreSQL's default limit: the suite's own psql and pgbench need room beside it.
as_pg "$PG_BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1 && as_pg "$PG_BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
start_cluster "$DATA" "$PORT" "-c shared_preload_libraries=pg_stat_statements -c max_connections=200"
PGBENCH="$PG_BIN/pgbench"
psql_() { as_pg "$PG_BIN/psql" -h "$DATA" -p "$PORT" -U postgres -X -q "$@"; }
for db in bench restored restored_fk; do
  psql_ -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
done
CS="Host=127.0.0.1;Port=$PORT;Username=postgres;Database=bench"

echo "==> corpus: $N documents in $CORPUS"
[ -d "$CORPUS" ] || python3 bench/generate.py --count "$N" --out "$CORPUS"

echo "==> build"
dotnet build Articles.Api.sln -c Release -nologo > /tmp/bench-build.log 2>&1 || { cat /tmp/bench-build.log; exit 1; }
job() { dotnet src/Articles.Ingest/bin/Release/net10.0/Articles.Ingest.dll "$@"; }
job migrate --connection "$CS" >/dev/null
job migrate --connection "${CS/Database=bench/Database=restored}" >/dev/null
job migrate --connection "${CS/Database=bench/Database=restored_fk}" >/dev/null

now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.2f}')"; }

echo "==> ingest $N new documents"
t0=$(now); job ingest "$CORPUS" --connection "$CS" --report /tmp/bench-ingest.json >/dev/null 2>&1 || [ $? -eq 1 ]; t1=$(now)
ingest_s=$(secs "$t0" "$t1")

echo "==> baseline: restore exactly the rows the job wrote with COPY"
tables="providers provider_logos topics articles article_topics article_images related_links article_changes source_files ingestion_runs rejected_documents"
dump_args=(); for t in $tables; do dump_args+=(-t "$t"); done
as_pg "$PG_BIN/pg_dump" -h "$DATA" -p "$PORT" -U postgres --data-only "${dump_args[@]}" bench > /tmp/bench-dump.sql
# article_search is written by a trigger on articles: restored as rows only where triggers are off.
as_pg "$PG_BIN/pg_dump" -h "$DATA" -p "$PORT" -U postgres --data-only -t article_search bench > /tmp/bench-dump-search.sql
# Triggers off (replica mode skips the foreign-key triggers, as pg_dump --disable-triggers would): the floor.
t0=$(now); PGOPTIONS="-c session_replication_role=replica" psql_ -d restored -v ON_ERROR_STOP=1 -f /tmp/bench-dump.sql -f /tmp/bench-dump-search.sql >/dev/null; t1=$(now)
restore_s=$(secs "$t0" "$t1")
# The same rows with the schema's triggers (foreign keys, the search copy) on, as they are for the job.
t0=$(now); psql_ -d restored_fk -v ON_ERROR_STOP=1 -f /tmp/bench-dump.sql >/dev/null; t1=$(now)
restore_fk_s=$(secs "$t0" "$t1")

echo "==> re-ingest the same $N documents"
psql_ -d bench -c "SELECT pg_stat_reset()" >/dev/null
t0=$(now); job ingest "$CORPUS" --connection "$CS" --report /tmp/bench-reingest.json >/dev/null 2>&1 || [ $? -eq 1 ]; t1=$(now)
reingest_s=$(secs "$t0" "$t1")
sleep 2
writes=$(psql_ -d bench -Atc "SELECT sum(n_tup_ins + n_tup_upd + n_tup_del) FROM pg_stat_user_tables
  WHERE relname NOT IN ('ingestion_runs', 'rejected_documents')")

# The steady state autovacuum reaches within a minute or two of a load (visibility map set, so index-only scans
# stay in the index); done here so autovacuum does not start in the middle of a measured run instead.
psql_ -d bench -c "VACUUM (ANALYZE)"

echo "==> API on 127.0.0.1:$API_PORT"
# Measure this build and nothing else: a process already on the port would answer in its place.
if curl -s -o /dev/null "http://127.0.0.1:$API_PORT/"; then echo "something already listens on port $API_PORT; stop it first" >&2; exit 1; fi
start_api() {   # CACHE=true|false
  ( cd src/Articles.Api/bin/Release/net10.0 && ConnectionStrings__Articles="$CS" ASPNETCORE_URLS="http://127.0.0.1:$API_PORT" \
    Logging__LogLevel__Default=Warning RateLimits__ClientPerMinute=1000000000 Cache__Enabled="$1" exec dotnet Articles.Api.dll ) > /tmp/bench-api.log 2>&1 &
  api_pid=$!
  for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$API_PORT/health/ready" >/dev/null && break; sleep 0.5; done
  kill -0 "$api_pid" 2>/dev/null || { echo "the API did not start:" >&2; tail -5 /tmp/bench-api.log >&2; exit 1; }
}
stop_api() { kill "$api_pid" 2>/dev/null || true; wait "$api_pid" 2>/dev/null || true; }
# Every row but the cached ones measures the database path: no response cache.
start_api false
trap 'kill $api_pid 2>/dev/null || true' EXIT
base="http://127.0.0.1:$API_PORT"
# Shapes picked by rule, so they exist at any N: the most common topic; the mid topic, the smallest with at least
# 1/30 of the listed articles; the rare topic, the smallest with more than 20; the provider, the largest with at most 1%.
listed=$(psql_ -d bench -Atc "SELECT sum(article_count) FROM providers")
topic=$(psql_ -d bench -Atc "SELECT slug FROM topics ORDER BY article_count DESC LIMIT 1")
mid=$(psql_ -d bench -Atc "SELECT slug FROM topics WHERE article_count * 30 >= $listed ORDER BY article_count, slug LIMIT 1")
rare_topic=$(psql_ -d bench -Atc "SELECT slug FROM topics WHERE article_count > 20 ORDER BY article_count, slug LIMIT 1")
provider=$(psql_ -d bench -Atc "SELECT domain FROM providers WHERE article_count * 100 <= $listed ORDER BY article_count DESC, domain LIMIT 1")
id=$(psql_ -d bench -Atc "SELECT public_id FROM articles WHERE listed ORDER BY published_at DESC LIMIT 1 OFFSET 1000")
# A batch of 50 ids spread over the whole table (a pseudo-random, repeatable pick).
ids=$(psql_ -d bench -Atc "SELECT string_agg(public_id::text, ',') FROM (SELECT public_id FROM articles WHERE listed ORDER BY md5(public_id::text) LIMIT 50) x")
# A cursor as deep as the list goes (up to 100k): follow next links 100 at a time.
deep=$(python3 - "$base" <<'PY'
import json, sys, urllib.request
url, depth = sys.argv[1] + "/v1/articles?limit=100", 0
while depth < 100_000:
    page = json.load(urllib.request.urlopen(url))
    nxt = page["links"]["next"]
    if not nxt: break
    url, depth = nxt, depth + len(page["items"])
print(url.replace("limit=100", "limit=20"), depth)
PY
)
deep_url=${deep% *}; deep_depth=${deep##* }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$api_pid/stat" 2>/dev/null || echo 0; }
# PostgreSQL's CPU: the postmaster's children, live or exited.
pg_ticks() {   # the live backends, plus what exited ones left in the postmaster's children's time (cutime + cstime)
  local pm; pm=$(head -1 "$DATA/postmaster.pid")
  { awk '{print $16 + $17}' "/proc/$pm/stat"
    for p in $(pgrep -P "$pm" || true); do awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || true; done; } | awk '{s += $1} END {print s + 0}'
}
# The host's CPU counters (/proc/stat): a shared machine's stalls show as steal (another guest ran) or iowait.
host_ticks() { awk '/^cpu / {$1 = ""; print}' /proc/stat; }
declare -A rps p50 p99 cpu pgcpu stall timeouts
load() {   # NAME URL [more wrk arguments]
  local name=$1 url=$2 before after out requests
  shift 2
  wrk -t2 -c"$CONC" -d3s "$@" "$url" >/dev/null 2>&1   # warm-up
  before=$(cpu_ticks); pg_before=$(pg_ticks); host_before=$(host_ticks)
  out=$(wrk -t2 -c"$CONC" -d"${DURATION}s" --latency "$@" "$url")
  last_out=$out
  after=$(cpu_ticks); pg_after=$(pg_ticks); host_after=$(host_ticks)
  rps[$name]=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50[$name]=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99[$name]=$(awk '$1 == "99%" {print $2}' <<<"$out")
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  cpu[$name]=$(python3 -c "print(f'{($after - $before) * 10 / max($requests, 1):.2f}')")   # ms of API CPU a request (100 ticks/s)
  pgcpu[$name]=$(python3 -c "print(f'{($pg_after - $pg_before) * 10 / max($requests, 1):.2f}')")
  # Fields 5 and 8 of the cpu line are iowait and steal: their share of all CPU time in the run, in percent.
  stall[$name]=$(python3 -c "
b, a = [int(x) for x in '$host_before'.split()], [int(x) for x in '$host_after'.split()]
d = [y - x for x, y in zip(b, a)]
print(f'{100 * d[7] / max(sum(d[:8]), 1):.1f} / {100 * d[4] / max(sum(d[:8]), 1):.1f}')")
  # wrk leaves a request that passed its 2 s timeout out of its percentiles: count them beside the p99.
  timeouts[$name]=$(awk '/Socket errors/ {gsub(",", ""); print $NF}' <<<"$out")
}
declare -A urls=(
  [page1]="$base/v1/articles"
  [deep]="$base$(python3 -c "import sys,urllib.parse as u; p=u.urlparse(sys.argv[1]); print(p.path+'?'+p.query)" "$deep_url")"
  [topic]="$base/v1/articles?topic=$topic"
  [mid]="$base/v1/articles?topic=$mid"
  [rare_topic]="$base/v1/articles?topic=$rare_topic"
  [provider]="$base/v1/articles?provider=$provider"
  [topic_provider]="$base/v1/articles?topic=$mid&provider=$provider"
  [page2]="$base/v1/articles?page=2"
  [page2_topic]="$base/v1/articles?page=2&topic=$mid"
  [page2_provider]="$base/v1/articles?page=2&provider=$provider"
  [page2_search]="$base/v1/articles?page=2&q=diablo"
  [relevance]="$base/v1/articles?q=diablo%20season&sort=relevance"
  [search]="$base/v1/articles?q=diablo"
  [highlight]="$base/v1/articles?q=diablo&highlight=true"
  [facets]="$base/v1/articles?facets=topic,provider,type"
  [fields]="$base/v1/articles?fields=id,title"
  [ids]="$base/v1/articles?ids=$ids"
  [similar]="$base/v1/articles/$id/similar"
  [rare]="$base/v1/articles?q=zebra"
  [byid]="$base/v1/articles/$id"
  [feed]="$base/v1/topics/$mid/feed.atom"
)
# Steady state, not start-up: .NET's tiered JIT keeps recompiling hot methods for the first ~30 s under load
# (a profile showed 7-17% of the API's CPU in the JIT 20 s in), so every endpoint runs a while first.
echo "==> warm-up: every endpoint for ${WARMUP:-8}s"
rows="page1 deep topic mid rare_topic provider topic_provider search highlight rare relevance page2 page2_topic page2_provider page2_search byid feed facets fields ids similar"
for k in $rows; do wrk -t2 -c"$CONC" -d"${WARMUP:-8}s" "${urls[$k]}" >/dev/null 2>&1; done
echo "==> load: $CONC connections, ${DURATION}s each, page 1 again after every other row"
# The machine is shared and drifts within a run: each row's ratio is to the page-1 runs just before and after it,
# and the page-1 row is the run with the median requests/s of all of them.
declare -A ref
load page1_0 "${urls[page1]}"
i=0
for k in ${rows#page1 }; do
  load "$k" "${urls[$k]}"
  i=$((i + 1)); load "page1_$i" "${urls[page1]}"
  ref[$k]=$(python3 -c "print((${rps[page1_$((i - 1))]} + ${rps[page1_$i]}) / 2)")
done
median_run=$(for j in $(seq 0 "$i"); do echo "${rps[page1_$j]} page1_$j"; done | sort -n | awk '{a[NR] = $2} END {print a[int((NR + 1) / 2)]}')
page1_all=$(for j in $(seq 0 "$i"); do echo "${rps[page1_$j]}"; done | sort -n | paste -sd' ')
rps[page1]=${rps[$median_run]}; p50[page1]=${p50[$median_run]}; p99[page1]=${p99[$median_run]}
cpu[page1]=${cpu[$median_run]}; pgcpu[page1]=${pgcpu[$median_run]}; ref[page1]=${rps[page1]}
stall[page1]=${stall[$median_run]}; timeouts[page1]=${timeouts[$median_run]}
rss_mb=$(( $(ps -o rss= -p "$api_pid") / 1024 ))

echo "==> page 1 at fixed rates: a quarter and half its maximum, three runs each (bench/RateLoad, open loop)"
rate_p99s() {   # rate -> the three p99s, sorted
  for _ in 1 2 3; do dotnet bench/RateLoad/bin/Release/net10.0/RateLoad.dll "$base/v1/articles" "$1" "$DURATION" || true; done \
    | tee -a /tmp/bench-rate.log | grep -o 'p90 [0-9.]* p99 [0-9.]*' | awk '{print $4}' | sort -n | paste -sd' '
}
: > /tmp/bench-rate.log
quarter=$(python3 -c "print(round(${rps[page1]} / 4))")
half=$(python3 -c "print(round(${rps[page1]} / 2))")
p99s_quarter=$(rate_p99s "$quarter"); p99_quarter=$(awk '{print $2}' <<<"$p99s_quarter")
p99s=$(rate_p99s "$half"); p99_median=$(awk '{print $2}' <<<"$p99s")

echo "==> 304s: page 1 and the mid topic's feed asked with their ETag; PostgreSQL's statement counts around them"
statements() { psql_ -d bench -Atc "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
  WHERE d.datname = 'bench' AND s.query NOT LIKE '%pg_stat_statements%' AND s.query NOT LIKE '%pg_snapshot_xmin%'"; }
psql_ -d bench -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null
declare -A requests_304 statements_304
for k in page1 feed; do
  etag=$(curl -s -D - -o /dev/null "${urls[$k]}" | awk 'tolower($1) == "etag:" {sub(/\r$/, ""); $1 = ""; sub(/^ /, ""); print}')
  s0=$(statements)
  load "${k}_304" "${urls[$k]}" -H "If-None-Match: $etag"
  s1=$(statements)
  statements_304[$k]=$((s1 - s0)); requests_304[$k]=$(awk '/requests in/ {print $1}' <<<"$last_out")
done

echo "==> cached: page 1 and the mid topic's page 1 with the response cache on, then the cache filled"
stop_api
start_api true
for k in page1 mid; do wrk -t2 -c"$CONC" -d"${WARMUP:-8}s" "${urls[$k]}" >/dev/null 2>&1; load "${k}_cached" "${urls[$k]}"; done
python3 - "$base" <<'PY'   # ~100 KB pages until well past the 64 MiB bound
import sys, urllib.request
for i in range(1500):
    urllib.request.urlopen(f"{sys.argv[1]}/v1/articles?limit=100&fill={i}").read()
PY
rss_cached_mb=$(( $(ps -o rss= -p "$api_pid") / 1024 ))

# The API's pool may hold up to 100 idle connections; pgbench needs its own 32.
stop_api

echo "==> the floor: bench/Floor runs page 1's SQL and writes its rows as JSON with nothing else, on the API's port"
( cd bench/Floor/bin/Release/net10.0 && ConnectionStrings__Articles="$CS" ASPNETCORE_URLS="$base" exec dotnet Floor.dll ) > /tmp/bench-floor.log 2>&1 &
api_pid=$!
for _ in $(seq 1 60); do curl -sf "$base/select1" >/dev/null && break; sleep 0.5; done
kill -0 "$api_pid" 2>/dev/null || { echo "the floor did not start:" >&2; tail -5 /tmp/bench-floor.log >&2; exit 1; }
declare -A floor_urls=([floor_page1]="$base/page1" [floor_page51]="$base/page1?rows=51" [floor_select1]="$base/select1")
floor_rows="floor_page1 floor_page51 floor_select1"
for k in $floor_rows; do wrk -t2 -c"$CONC" -d"${WARMUP:-8}s" "${floor_urls[$k]}" >/dev/null 2>&1; done
for k in $floor_rows; do load "$k" "${floor_urls[$k]}"; done
stop_api

echo "==> pgbench: the page-1 SQL at the same concurrency"
pg_out=$(as_pg "$PGBENCH" -h "$DATA" -p "$PORT" -U postgres -n -M prepared -c "$CONC" -j 2 -T "$DURATION" -f "$PWD/bench/sql/articles_page1.sql" bench)
pg_tps=$(awk '/^tps/ {print $3; exit}' <<<"$pg_out")

ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }
{
  echo "# $(date -u +%Y-%m-%d) — N=$N, $CONC connections, ${DURATION}s runs, $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB"
  echo
  echo "Command: \`N=$N CONC=$CONC DURATION=$DURATION bench/run.sh\`"
  echo
  echo "| ingestion | figure | target |"
  echo "|---|---|---|"
  echo "| ingest $N new documents | ${ingest_s} s ($(python3 -c "print(round($N / $ingest_s))") docs/s) | |"
  echo "| COPY-restore of the same rows, triggers off (baseline) | ${restore_s} s | |"
  echo "| restore / ingest | $(ratio "$restore_s" "$ingest_s") | >= 0.67 |"
  echo "| COPY-restore with the foreign keys checked | ${restore_fk_s} s | |"
  echo "| restore with foreign keys / ingest | $(ratio "$restore_fk_s" "$ingest_s") | |"
  echo "| re-ingest unchanged | ${reingest_s} s ($(python3 -c "print(round($N / $reingest_s))") docs/s) | >= 20,000 docs/s |"
  echo "| row writes during re-ingest | ${writes:-0} | 0 |"
  echo
  echo "Shapes: topic \`$topic\` (most common), mid \`$mid\`, rare_topic \`$rare_topic\`, provider \`$provider\`; $listed listed articles in all."
  echo
  echo "Page 1 ran before the first row and after every row ($((i + 1)) runs, req/s: $page1_all); its row is the median run,"
  echo "and each row's ratio is to the mean of the page-1 runs either side of it."
  echo
  echo "| request | requests/s | / page 1 | p50 | p99 | API CPU ms/request | PostgreSQL CPU ms/request | host steal / iowait % | wrk timeouts (> 2 s) |"
  echo "|---|---|---|---|---|---|---|---|---|"
  for k in $rows; do echo "| $k | ${rps[$k]} | $(ratio "${rps[$k]}" "${ref[$k]}") | ${p50[$k]} | ${p99[$k]} | ${cpu[$k]} | ${pgcpu[$k]} | ${stall[$k]} | ${timeouts[$k]:-0} |"; done
  echo
  echo "| API vs limit | figure | target |"
  echo "|---|---|---|"
  echo "| pgbench tps of the page-1 SQL | $pg_tps | |"
  echo "| page 1 req/s / pgbench tps | $(ratio "${rps[page1]}" "$pg_tps") | >= 0.5 |"
  echo "| cursor ${deep_depth} deep / page 1 | $(ratio "${rps[deep]}" "${ref[deep]}") | >= 0.9 |"
  echo "| p99 of page 1 at a quarter of its maximum rate ($quarter req/s; three runs: $p99s_quarter ms) | median ${p99_quarter} ms | <= 10 ms |"
  echo "| p99 of page 1 at half its maximum rate ($half req/s; three runs: $p99s ms) | median ${p99_median} ms | |"
  echo "| API RSS after the runs | ${rss_mb} MB | <= 200 MB |"
  echo
  echo "| the floor (bench/Floor: the same SQL, Npgsql and Utf8JsonWriter only) | requests/s | p99 | its CPU ms/request | PostgreSQL CPU ms/request |"
  echo "|---|---|---|---|---|"
  echo "| page 1's SQL, 21 rows as JSON | ${rps[floor_page1]} | ${p99[floor_page1]} | ${cpu[floor_page1]} | ${pgcpu[floor_page1]} |"
  echo "| the same with 51 rows (a 50-entry feed's) | ${rps[floor_page51]} | ${p99[floor_page51]} | ${cpu[floor_page51]} | ${pgcpu[floor_page51]} |"
  echo "| SELECT 1 | ${rps[floor_select1]} | ${p99[floor_select1]} | ${cpu[floor_select1]} | ${pgcpu[floor_select1]} |"
  echo "| the floor's page 1 / pgbench tps | $(ratio "${rps[floor_page1]}" "$pg_tps") | | | |"
  echo "| the floor's 51 rows / its 21 rows | $(ratio "${rps[floor_page51]}" "${rps[floor_page1]}") | | | |"
  echo "| API page 1 / the floor's (API run earlier) | $(ratio "${rps[page1]}" "${rps[floor_page1]}") | | | |"
  echo
  echo "| beyond the news APIs | ratio (each row to its adjacent page-1 runs) | p99 | target |"
  echo "|---|---|---|---|"
  echo "| facets=topic,provider,type / page 1 | $(ratio "${rps[facets]}" "${ref[facets]}") | ${p99[facets]} | >= 0.3, p99 < 1 s |"
  echo "| highlight=true / the same search without it | $(python3 -c "print(f'{(${rps[highlight]} / ${ref[highlight]}) / (${rps[search]} / ${ref[search]}):.2f}')") | ${p99[highlight]} | >= 0.5, p99 < 1 s |"
  echo "| fields=id,title / page 1 | $(ratio "${rps[fields]}" "${ref[fields]}") | ${p99[fields]} | >= 1.2, p99 < 1 s |"
  echo "| ids= with 50 ids / page 1 | $(ratio "${rps[ids]}" "${ref[ids]}") | ${p99[ids]} | >= 0.5, p99 < 1 s |"
  echo "| similar / page 1 | $(ratio "${rps[similar]}" "${ref[similar]}") | ${p99[similar]} | >= 0.2, p99 < 1 s |"
  echo
  echo "| conditional and cached | requests/s | / uncached | PostgreSQL statements during the run | target |"
  echo "|---|---|---|---|---|"
  for k in page1 feed; do echo "| $k, If-None-Match (304) | ${rps[${k}_304]} | $(ratio "${rps[${k}_304]}" "${rps[$k]}") | ${statements_304[$k]} in ${requests_304[$k]} requests | no page query |"; done
  for k in page1 mid; do echo "| $k, cached | ${rps[${k}_cached]} | $(ratio "${rps[${k}_cached]}" "${rps[$k]}") | | >= 5x |"; done
  echo "| API RSS with the cache filled past its 64 MiB bound | ${rss_cached_mb} MB | | | <= 264 MB |"
} | tee "$OUT"
