#!/usr/bin/env bash
# Builds and runs every test. Integration tests use ARTICLES_TEST_DB (a connection string with the
# right to create databases) when set, else a throwaway PostgreSQL cluster they start and remove.
set -euo pipefail
cd "$(dirname "$0")"
. scripts/postgres.sh

if [ -z "${ARTICLES_TEST_DB:-}" ]; then
  ensure_postgres   # installs the server binaries when missing (as root), so a missing database fails, never skips
fi

# Debian packages some tests drive: feedparser and jsonschema parse every feed back, docker-compose validates
# docker-compose.yml (no engine needed), nginx balances two API processes in the scale-out tests.
missing=()
/usr/bin/python3 -c 'import feedparser' 2>/dev/null || missing+=(python3-feedparser)
/usr/bin/python3 -c 'import jsonschema' 2>/dev/null || missing+=(python3-jsonschema)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || missing+=(nginx)
if [ ${#missing[@]} -gt 0 ]; then
  apt_install "${missing[@]}" || echo "some tests will fail without ${missing[*]}" >&2
fi

# Prism (validating proxy) and Redocly (lint) for the contract tests, at the versions tests/contract/package-lock.json pins.
if [ ! -x tests/contract/node_modules/.bin/prism ] || [ ! -x tests/contract/node_modules/.bin/redocly ]; then
  command -v npm >/dev/null 2>&1 || apt_install nodejs npm || true
  npm ci --prefix tests/contract --no-audit --no-fund --ignore-scripts --loglevel=error >/dev/null \
    || echo "the contract tests will fail without Prism and Redocly (npm ci in tests/contract failed)" >&2
fi

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
build_log=$(mktemp)
dotnet build Articles.Api.sln -c Release -nologo > "$build_log" 2>&1 || { cat "$build_log"; rm -f "$build_log"; exit 1; }
rm -f "$build_log"

status=0
for project in tests/*.Tests/*.Tests.csproj; do
  name=$(basename "$project" .csproj)
  dotnet test "$project" -c Release --no-build -nologo --logger "trx;LogFileName=$name.trx" \
    --logger "console;verbosity=minimal" --results-directory "$results" "$@" || status=1
done

# The soak's quick pass (bench/soak.sh, README "Soak"): reads, feed polls, cursor walks, partner copies and the job every
# 6 s, all at once for 90 s on 20,000 documents, then its checks (90 s, so a busy machine's slow first job runs still leave
# the 8 its partner-copy check needs). Left out only when a filter or other arguments are given.
soak="not run (arguments given)"
if [ $# -eq 0 ]; then
  if DURATION=90 JOB_EVERY=6 N=20000 OUT="$results/soak.md" bench/soak.sh > "$results/soak.log" 2>&1; then
    soak="passed"
  else
    soak="FAILED"; status=1; cat "$results/soak.log"
  fi
fi

# One closing line over every test project, from the runners' own result files. A run that executed fewer tests
# than ARTICLES_TEST_FLOOR (default 1: a filter typo or broken discovery runs none) fails; .ci/run sets the floor.
read -r passed failed skipped < <(cat "$results"/*.trx 2>/dev/null | grep -o '<Counters [^>]*>' | awk '
  { for (i = 1; i <= NF; i++) { split($i, kv, "\""); key = kv[1]; val = kv[2];
      if (key == "passed=") p += val; if (key == "failed=") f += val; if (key == "notExecuted=") s += val } }
  END { printf "%d %d %d\n", p, f, s }')
echo "tests: $passed passed, $failed failed, $skipped skipped; soak quick pass: $soak"
floor=${ARTICLES_TEST_FLOOR:-1}
if [ $((passed + failed)) -lt "$floor" ]; then
  echo "tests: $((passed + failed)) executed, fewer than the floor of $floor (ARTICLES_TEST_FLOOR): failing the run" >&2
  status=1
fi
exit $status
