#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: a temporary data directory, loopback only, trust
# authentication, no fsync (nothing in it must survive a power cut).
#
#   scripts/postgres-test-server.sh start DIR   starts a cluster in DIR (created), prints its URL
#   scripts/postgres-test-server.sh stop DIR    stops it and deletes DIR
#   scripts/postgres-test-server.sh bindir      prints where the server binaries are (status 1: none)
#
# PostgreSQL refuses to run as root: as root the cluster runs as the `postgres` user (Debian's
# postgresql package creates it).
set -euo pipefail

bindir() {
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
    pg_config --bindir
    return
  fi
  local newest
  newest=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$newest" ] && [ -x "$newest/initdb" ]; then
    echo "$newest"
    return
  fi
  return 1
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  node -e "const s = require('node:net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })"
}

case "${1:-}" in
  bindir)
    bindir
    ;;
  start)
    dir=${2:?usage: $0 start DIR}
    bin=$(bindir) || { echo "postgres-test-server: no PostgreSQL server binaries (install Debian's postgresql package)" >&2; exit 1; }
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    port=$(free_port)
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/data/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=off -c max_connections=300" \
      start >/dev/null || { cat "$dir/data/server.log" >&2; exit 1; }
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    dir=${2:?usage: $0 stop DIR}
    if [ -d "$dir/data" ]; then
      bin=$(bindir)
      as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start DIR | stop DIR | bindir" >&2
    exit 2
    ;;
esac
