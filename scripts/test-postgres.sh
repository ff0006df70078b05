#!/usr/bin/env bash
# A private, throwaway PostgreSQL cluster for the test suite.
#
#   eval "$(bash scripts/test-postgres.sh start)"   # prints TEST_POSTGRES_URL and TEST_POSTGRES_DIR
#   npx jest subgraphs                              # the subgraph suites also run on PostgreSQL
#   bash scripts/test-postgres.sh stop              # stops the cluster and deletes its directory
#
# `start [dir]` runs `initdb` in `dir` (an empty or new directory; default: a new temporary one), as the `postgres` OS user when run as root
# (PostgreSQL refuses to run as root), with trust authentication for the `postgres` role. The
# server listens on 127.0.0.1 only, on a free port (or TEST_POSTGRES_PORT), and on a unix socket
# inside that directory; durability is off (fsync, synchronous_commit, full_page_writes), as the
# data is thrown away. PostgreSQL's binaries are taken from PG_BIN, else from `pg_config --bindir`,
# else from the newest /usr/lib/postgresql/<version>/bin, else from PATH.
# `stop [dir]` stops the cluster in `dir` (default: $TEST_POSTGRES_DIR) and deletes the directory;
# it succeeds when there is nothing to stop. `pause [dir]` stops the server (fast shutdown: open
# connections are cut) but keeps its directory and port; `resume [dir]` starts it again there, as
# `start` did, e.g. to test how clients ride out an outage. `bindir` prints where the binaries are,
# or fails.
set -euo pipefail

usage() {
  echo "usage: bash scripts/test-postgres.sh start [dir] | stop [dir] | pause [dir] | resume [dir] | bindir" >&2
  exit 2
}

find_bin() {
  if [[ -n "${PG_BIN:-}" ]]; then
    echo "$PG_BIN"
    return
  fi
  if command -v pg_config >/dev/null 2>&1; then
    local dir
    dir="$(pg_config --bindir)"
    if [[ -x "$dir/initdb" ]]; then
      echo "$dir"
      return
    fi
  fi
  local newest
  newest="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [[ -n "$newest" && -x "$newest/initdb" ]]; then
    echo "$newest"
    return
  fi
  if command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
    return
  fi
  echo "test-postgres: no PostgreSQL binaries (initdb, pg_ctl) found; install postgresql or set PG_BIN" >&2
  exit 1
}

# Runs a command as the cluster's owner: `postgres` when we are root, else ourselves.
as_owner() {
  if [[ "$(id -u)" == 0 ]]; then
    if command -v runuser >/dev/null 2>&1; then
      runuser -u postgres -- "$@"
    else
      su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
    fi
  else
    "$@"
  fi
}

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

stop_cluster() {
  local dir="$1"
  [[ -n "$dir" && -d "$dir" ]] || return 0
  local bin
  bin="$(find_bin)"
  if [[ -f "$dir/data/postmaster.pid" ]]; then
    (cd "$dir" && as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1) || true
  fi
  rm -rf "$dir"
}

# Starts the server of an initialised cluster in `dir`, with the options `start` saved there.
run_server() {
  local bin="$1" dir="$2"
  (cd "$dir" && as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
    -o "$(cat "$dir/server.opts")" start >/dev/null) || {
    cat "$dir/server.log" >&2 2>/dev/null || true
    false
  }
}

cluster_dir() {
  local dir="$1"
  if [[ -z "$dir" || ! -f "$dir/server.opts" ]]; then
    echo "test-postgres: no cluster started by this script in \"$dir\"" >&2
    exit 1
  fi
  echo "$dir"
}

pause_cluster() {
  local dir bin
  dir="$(cluster_dir "$1")"
  bin="$(find_bin)"
  (cd "$dir" && as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null)
}

resume_cluster() {
  local dir
  dir="$(cluster_dir "$1")"
  run_server "$(find_bin)" "$dir"
}

start_cluster() {
  local bin dir="${1:-}" port
  bin="$(find_bin)"
  if [[ "$(id -u)" == 0 ]] && ! id postgres >/dev/null 2>&1; then
    echo "test-postgres: running as root needs a 'postgres' OS user to own the cluster" >&2
    exit 1
  fi
  if [[ -z "$dir" ]]; then
    dir="$(mktemp -d "${TMPDIR:-/tmp}/fedstack-postgres-XXXXXX")"
  else
    mkdir -p "$dir"
    dir="$(cd "$dir" && pwd)"
    if [[ -n "$(ls -A "$dir")" ]]; then
      echo "test-postgres: $dir is not empty" >&2
      exit 1
    fi
  fi
  # From here on, a failed or interrupted start leaves nothing behind.
  starting_dir="$dir"
  trap 'set +e; stop_cluster "$starting_dir"' EXIT
  chmod 700 "$dir"
  if [[ "$(id -u)" == 0 ]]; then chown postgres: "$dir"; fi
  port="${TEST_POSTGRES_PORT:-$(free_port)}"
  (cd "$dir" && as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust \
    --encoding=UTF8 --locale=C.UTF-8 --no-instructions >"$dir/initdb.log" 2>&1) || {
    cat "$dir/initdb.log" >&2
    false
  }
  echo "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    >"$dir/server.opts"
  run_server "$bin" "$dir"
  trap - EXIT
  printf 'export TEST_POSTGRES_URL=%q\n' "postgres://postgres@127.0.0.1:$port/postgres"
  printf 'export TEST_POSTGRES_DIR=%q\n' "$dir"
  echo "test-postgres: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, data in $dir" >&2
}

case "${1:-}" in
  start) start_cluster "${2:-}" ;;
  stop) stop_cluster "${2:-${TEST_POSTGRES_DIR:-}}" ;;
  pause) pause_cluster "${2:-${TEST_POSTGRES_DIR:-}}" ;;
  resume) resume_cluster "${2:-${TEST_POSTGRES_DIR:-}}" ;;
  bindir) find_bin ;;
  *) usage ;;
esac
