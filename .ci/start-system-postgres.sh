#!/usr/bin/env bash
# Start a throw-away PostgreSQL 15 cluster from Debian's packages, for tests.
#
# CONTRACT
#   bash .ci/start-system-postgres.sh [start]
#       Installs Debian's postgresql-15 with apt if it is not installed (needs
#       root), removes any stale cluster left in $PG_CI_DIR (stopping it first
#       if it still runs), then initdb's a new cluster there as the non-root OS
#       user `postgres` (created if missing) and starts it. The Debian "main"
#       cluster/service is never started.
#       On success it prints exactly ONE line on stdout, nothing else:
#           DATABASE_URL=postgres://postgres:PASSWORD@127.0.0.1:PORT/postgres
#       (the superuser connection: it can create roles and databases).
#       All progress and error messages go to stderr. Exit status non-zero on
#       any failure (the server log's tail is printed to stderr then).
#       Typical use:
#           url=$(bash .ci/start-system-postgres.sh)   # -> "DATABASE_URL=..."
#           export "$url"
#   bash .ci/start-system-postgres.sh stop
#       Stops that cluster (if it runs) and removes $PG_CI_DIR. Idempotent:
#       succeeds if there is nothing to stop.
#   The script is meant to be executed, not sourced.
#
# Server: listens on 127.0.0.1 only (TCP), plus a Unix socket inside
# $PG_CI_DIR; every connection needs a password (scram-sha-256);
# max_connections=200; fsync/synchronous_commit/full_page_writes off (test
# data only, nothing survives).
#
# Environment (all optional):
#   PG_CI_PORT      TCP port                      (default 25432: below the ephemeral range 32768-60999,
#                   so no free-port pick of the tests or outgoing connection can hold it)
#   PG_CI_DIR       cluster dir: data, log, socket (default /tmp/tenantry-ci-pg15)
#   PG_CI_PASSWORD  password of superuser postgres (default: fixed CI password
#                   below; must be URL-safe: letters, digits, - _ .)
set -euo pipefail

PG_VERSION=15
PG_BIN=/usr/lib/postgresql/$PG_VERSION/bin
PORT=${PG_CI_PORT:-25432}
DIR=${PG_CI_DIR:-/tmp/tenantry-ci-pg15}
PASSWORD=${PG_CI_PASSWORD:-tenantry_ci_pg15_pw}
OS_USER=postgres

DATA=$DIR/data
SOCK=$DIR/sock
LOG=$DIR/postgres.log

log() { printf '[start-system-postgres] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

case "$DIR" in
  /*) ;;
  *) die "PG_CI_DIR must be an absolute path (got '$DIR')" ;;
esac
[ "$DIR" != / ] || die "PG_CI_DIR must not be /"
[[ "$PASSWORD" =~ ^[A-Za-z0-9._-]+$ ]] || die "PG_CI_PASSWORD must match [A-Za-z0-9._-]+"
[[ "$PORT" =~ ^[0-9]+$ ]] || die "PG_CI_PORT must be a number"

# Run a command as the postgres OS user, from a directory it can read.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    (cd / && runuser -u "$OS_USER" -- "$@")
  elif [ "$(id -un)" = "$OS_USER" ]; then
    (cd / && "$@")
  else
    die "run as root (or as the '$OS_USER' user)"
  fi
}

pg_installed() {
  [ -x "$PG_BIN/postgres" ] && [ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/pg_ctl" ] \
    && dpkg-query -W -f='${Status}' "postgresql-$PG_VERSION" 2>/dev/null | grep -q 'install ok installed'
}

install_pg() {
  if pg_installed; then
    log "postgresql-$PG_VERSION already installed: $("$PG_BIN/postgres" --version)"
    return
  fi
  [ "$(id -u)" -eq 0 ] || die "postgresql-$PG_VERSION is not installed and we are not root"
  log "installing postgresql-$PG_VERSION with apt"
  export DEBIAN_FRONTEND=noninteractive
  local apt_opts=(-o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
  local i
  for i in 1 2 3; do
    if apt-get "${apt_opts[@]}" update -q >&2; then break; fi
    [ "$i" -lt 3 ] || die "apt-get update failed"
    log "apt-get update failed, retrying in 5 s"; sleep 5
  done
  # Keep the package's maintainer scripts from starting the Debian cluster
  # service: policy-rc.d exit 101 = "not allowed". Only add one if none exists.
  local added_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    added_policy=1
  fi
  local rc=0
  for i in 1 2 3; do
    rc=0
    apt-get "${apt_opts[@]}" install -y -q --no-install-recommends "postgresql-$PG_VERSION" >&2 || rc=$?
    [ "$rc" -ne 0 ] || break
    [ "$i" -lt 3 ] || break
    log "apt-get install failed (exit $rc), retrying in 5 s"; sleep 5
  done
  if [ "$added_policy" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
  [ "$rc" -eq 0 ] || die "apt-get install postgresql-$PG_VERSION failed (exit $rc)"
  pg_installed || die "postgresql-$PG_VERSION still not usable after apt-get install"
  log "installed: $("$PG_BIN/postgres" --version)"
}

ensure_os_user() {
  if id -u "$OS_USER" >/dev/null 2>&1; then return; fi
  [ "$(id -u)" -eq 0 ] || die "OS user '$OS_USER' is missing and we are not root"
  log "creating OS user '$OS_USER'"
  useradd --system --user-group --home-dir /var/lib/postgresql --shell /bin/bash "$OS_USER"
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null
}

stop_cluster() {
  if [ -f "$DATA/postmaster.pid" ] && [ -x "$PG_BIN/pg_ctl" ]; then
    log "stopping cluster in $DATA"
    if ! as_pg "$PG_BIN/pg_ctl" -D "$DATA" -m fast -w -t 60 stop >&2; then
      log "fast stop failed, trying immediate stop"
      as_pg "$PG_BIN/pg_ctl" -D "$DATA" -m immediate -w -t 30 stop >&2 || true
    fi
  fi
  # Last resort: a postmaster whose pid file is still there.
  if [ -f "$DATA/postmaster.pid" ]; then
    local pid
    pid=$(head -n1 "$DATA/postmaster.pid" 2>/dev/null || true)
    if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null \
       && [ "$(readlink "/proc/$pid/exe" 2>/dev/null || true)" = "$PG_BIN/postgres" ]; then
      log "killing postmaster $pid"
      kill -QUIT "$pid" 2>/dev/null || true
      sleep 2
    fi
  fi
}

remove_dir() {
  if [ -e "$DIR" ]; then
    rm -rf -- "$DIR"
  fi
}

show_log_tail() {
  if [ -f "$LOG" ]; then
    log "---- last lines of $LOG ----"
    tail -n 40 "$LOG" >&2 || true
    log "---- end of log ----"
  fi
}

start() {
  install_pg
  ensure_os_user

  if [ -e "$DIR" ]; then
    log "removing stale $DIR"
    stop_cluster
    remove_dir
  fi
  if port_in_use; then
    die "127.0.0.1:$PORT is already in use by another process (set PG_CI_PORT to use another port)"
  fi

  mkdir -p "$DIR" "$SOCK"
  chown -R "$OS_USER": "$DIR"
  chmod 700 "$DIR"

  local pwfile=$DIR/pwfile
  (umask 077; printf '%s\n' "$PASSWORD" > "$pwfile")
  chown "$OS_USER": "$pwfile"

  log "initdb $DATA"
  if ! as_pg "$PG_BIN/initdb" -D "$DATA" -U postgres --pwfile="$pwfile" \
        --auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 --no-instructions >"$DIR/initdb.log" 2>&1; then
    cat "$DIR/initdb.log" >&2
    die "initdb failed"
  fi
  rm -f "$pwfile"

  cat >> "$DATA/postgresql.conf" <<EOF

# ---- added by .ci/start-system-postgres.sh (test cluster) ----
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$SOCK'
max_connections = 200
password_encryption = 'scram-sha-256'
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
  cat > "$DATA/pg_hba.conf" <<'EOF'
# TYPE  DATABASE  USER  ADDRESS       METHOD
local   all       all                 scram-sha-256
host    all       all   127.0.0.1/32  scram-sha-256
EOF
  chown "$OS_USER": "$DATA/postgresql.conf" "$DATA/pg_hba.conf"

  log "starting PostgreSQL $PG_VERSION on 127.0.0.1:$PORT"
  # -l sends the server's own stdout/stderr to the log, so a caller capturing
  # our stdout with $(...) does not wait for the server to exit.
  if ! as_pg "$PG_BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 120 start >&2 </dev/null; then
    show_log_tail
    die "pg_ctl start failed"
  fi

  local url="postgres://postgres:$PASSWORD@127.0.0.1:$PORT/postgres"
  local version
  if ! version=$(PGCONNECT_TIMEOUT=10 "$PG_BIN/psql" "$url" -X -At -v ON_ERROR_STOP=1 \
        -c 'show server_version' 2>&1 </dev/null); then
    log "$version"
    show_log_tail
    die "cannot connect with password to $url"
  fi
  log "ready: PostgreSQL $version, max_connections=200, data in $DATA, log in $LOG"
  printf 'DATABASE_URL=%s\n' "$url"
}

stop() {
  if [ -e "$DIR" ]; then
    stop_cluster
    remove_dir
    log "stopped and removed $DIR"
  else
    log "nothing to stop ($DIR does not exist)"
  fi
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  -h|--help|help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2 ;;
  *) die "usage: $0 [start|stop]" ;;
esac
