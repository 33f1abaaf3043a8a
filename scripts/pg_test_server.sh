#!/usr/bin/env bash
# A throw-away PostgreSQL server for the tests: its own data folder, loopback only, port 54329.
#
#   eval "$(bash scripts/pg_test_server.sh start)"   # prints: export DESKAPP_TEST_POSTGRES_URL=...
#   bash scripts/pg_test_server.sh stop
#
# Installs Debian's postgresql package when no server is on the machine (needs root and apt-get).
# The cluster trusts loopback connections and runs without fsync: it holds test data only.
set -euo pipefail

PORT="${DESKAPP_PG_PORT:-54329}"
DIR="${DESKAPP_PG_DIR:-/tmp/deskapp-pg-$PORT}"
USER_NAME=deskapp

bin_dir() {
    local found
    found="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    if [ -z "$found" ] && command -v pg_ctl >/dev/null; then found="$(dirname "$(command -v pg_ctl)")"; fi
    echo "$found"
}

as_owner() {
    # initdb and the server refuse to run as root: root runs them as the postgres user.
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
    local bin
    bin="$(bin_dir)"
    if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
            echo "pg_test_server: installing postgresql from Debian's packages" >&2
            apt-get update -qq >&2
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2 </dev/null
            bin="$(bin_dir)"
        else
            echo "pg_test_server: no PostgreSQL server here; install Debian's postgresql package" >&2
            exit 1
        fi
    fi
    if [ ! -f "$DIR/PG_VERSION" ]; then
        mkdir -p "$DIR"
        [ "$(id -u)" = 0 ] && chown postgres "$DIR"
        as_owner "$bin/initdb" -D "$DIR" -U "$USER_NAME" --auth=trust --encoding=UTF8 --locale=C.UTF-8 >&2
    fi
    if ! as_owner "$bin/pg_ctl" -D "$DIR" status >/dev/null 2>&1; then
        as_owner "$bin/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w -o \
            "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
            start >&2
    fi
    echo "export DESKAPP_TEST_POSTGRES_URL=postgresql+psycopg://$USER_NAME@127.0.0.1:$PORT/postgres"
}

stop() {
    local bin
    bin="$(bin_dir)"
    [ -f "$DIR/PG_VERSION" ] && as_owner "$bin/pg_ctl" -D "$DIR" -m fast stop >&2 || true
}

case "${1:-start}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
