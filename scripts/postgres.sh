# Sourced by run.sh, test.sh and bench/run.sh: finds (or installs) PostgreSQL and runs a private cluster on loopback;
# apt_install installs the Debian packages a script needs.
# PostgreSQL refuses to run as root, so as root the cluster belongs to the 'postgres' system user.

pg_bindir() {
  local dir
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
    pg_config --bindir; return
  fi
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && { echo "$dir"; return; }
  command -v initdb >/dev/null 2>&1 && { dirname "$(readlink -f "$(command -v initdb)")"; return; }
  return 1
}

# apt_install PKG...: installs Debian packages (as root), refreshing the package lists only when the first try fails.
apt_install() {
  [ "$(id -u)" -eq 0 ] || { echo "needs $* (apt-get install $*)" >&2; return 1; }
  echo "installing $*..." >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2 \
    || { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2; }
}

ensure_postgres() {
  if ! pg_bindir >/dev/null; then
    apt_install postgresql || return 1
  fi
  PG_BIN=$(pg_bindir)
  export PG_BIN
}

# as_pg CMD...: runs a PostgreSQL binary as the cluster's owner.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# start_cluster DIR PORT [OPTIONS]: creates the cluster on first use, starts it unless it already runs (OPTIONS: more
# server options, e.g. "-c shared_preload_libraries=pg_stat_statements").
start_cluster() {
  local dir=$1 port=$2 options=${3:-}
  ensure_postgres || return 1
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir" && chmod 700 "$dir"
  if [ ! -f "$dir/PG_VERSION" ]; then
    as_pg "$PG_BIN/initdb" -D "$dir" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if ! as_pg "$PG_BIN/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    as_pg "$PG_BIN/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 start \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 $options" >/dev/null
  fi
}

# create_database DIR PORT NAME: creates NAME in the cluster at DIR unless it exists.
create_database() {
  local dir=$1 port=$2 name=$3
  if ! as_pg "$PG_BIN/psql" -h "$dir" -p "$port" -U postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$name'" postgres | grep -q 1; then
    as_pg "$PG_BIN/createdb" -h "$dir" -p "$port" -U postgres "$name"
  fi
}
