#!/usr/bin/env bash
# Local PostgreSQL helper, sourced by eng/run.sh and eng/test.sh.
# Runs a private cluster from the installed PostgreSQL binaries, bound to 127.0.0.1 only, as the
# `postgres` user when invoked as root (PostgreSQL refuses to run as root). Databases are created
# with a UTF-8 LC_CTYPE: with LC_CTYPE=C pg_trgm extracts no trigrams from Chinese text.

pg_bin_dir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$dir" ] && [ -x "$dir/pg_ctl" ]; then
    echo "$dir"
  elif command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v pg_ctl)"
  else
    echo "PostgreSQL server binaries (initdb, pg_ctl) not found. Install them, e.g. apt-get install postgresql." >&2
    return 1
  fi
}

# Runs a command as the cluster owner: `postgres` when we are root, ourselves otherwise.
pg_as_owner() {
  if [ "$(id -u)" = "0" ]; then
    if command -v runuser >/dev/null 2>&1; then
      runuser -u postgres -- "$@"
    else
      su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
    fi
  else
    "$@"
  fi
}

# Prints the first free TCP port on 127.0.0.1 at or above $1.
pg_free_port() {
  local port=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    port=$((port + 1))
  done
  echo "$port"
}

# pg_start DATA_DIR PORT [extra postgres -c settings...]
pg_start() {
  local data=$1 port=$2
  shift 2
  local bin
  bin=$(pg_bin_dir) || return 1
  mkdir -p "$data"
  if [ "$(id -u)" = "0" ]; then
    id postgres >/dev/null 2>&1 || { echo "No 'postgres' user to run PostgreSQL as (we are root)." >&2; return 1; }
    chown postgres "$data"
    chmod 700 "$data"
    # The postgres user must be able to reach the data directory through its parents.
    local parent
    parent=$(dirname "$data")
    while [ "$parent" != "/" ]; do
      chmod o+x "$parent" 2>/dev/null || true
      parent=$(dirname "$parent")
    done
  fi
  if [ ! -f "$data/PG_VERSION" ]; then
    pg_as_owner "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$data.initdb.log" 2>&1 \
      || { cat "$data.initdb.log" >&2; return 1; }
  fi
  local options="-c listen_addresses=127.0.0.1 -p $port -k $data"
  local setting
  for setting in "$@"; do options="$options -c $setting"; done
  pg_as_owner "$bin/pg_ctl" -D "$data" -l "$data/server.log" -o "$options" -w -t 60 start >/dev/null \
    || { tail -n 30 "$data/server.log" >&2; return 1; }
}

pg_stop() {
  local data=$1 bin
  bin=$(pg_bin_dir) || return 0
  [ -f "$data/postmaster.pid" ] && pg_as_owner "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1
  return 0
}

# pg_create_database PORT NAME: creates NAME (UTF-8, C.UTF-8 collation and ctype) unless it exists.
pg_create_database() {
  local port=$1 name=$2
  local exists
  exists=$(psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$name'")
  if [ "$exists" != "1" ]; then
    psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -q -c \
      "CREATE DATABASE \"$name\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
  fi
}
