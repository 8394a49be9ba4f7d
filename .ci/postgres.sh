#!/usr/bin/env bash
# Throwaway PostgreSQL clusters for the deadlock tests (tests/services/deadlock/test_deadlock_postgres.py).
#
# Installs Debian's postgresql (and the locales its translated messages need), then starts one
# cluster per log_line_prefix style on 127.0.0.1, each writing stderr + csvlog + jsonlog, with
# log_lock_waits = on and a small deadlock_timeout. initdb refuses to run as root, so the
# clusters run as the `postgres` user the package creates.
#
#   eval "$(.ci/postgres.sh)"          # prints `export DEXTER_PG_INFO=/tmp/…/clusters.json`
#   .ci/postgres.sh stop /tmp/dexter-pg.XXXX
#
# Everything but the export line goes to stderr.
set -euo pipefail

if [[ "${1:-}" == "stop" ]]; then
  for data in "$2"/c*/data; do
    runuser -u postgres -- "$(cat "$2/bindir")/pg_ctl" -D "$data" -m immediate stop >&2 || true
  done
  rm -rf "$2"
  exit 0
fi

log() { echo "postgres.sh: $*" >&2; }

if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  log "installing postgresql from the Debian packages"
  apt-get update >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql locales >&2
fi
if [[ ! -f /etc/locale.gen ]]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends locales >&2
fi

# lc_messages needs the OS locale: English plus three translations PostgreSQL ships
LOCALES=(en_US de_DE fr_FR es_ES)
need_gen=0
for loc in "${LOCALES[@]}"; do
  if ! locale -a 2>/dev/null | grep -qi "^${loc}\.utf-\?8$"; then
    sed -i "s/^# *\(${loc}\.UTF-8 UTF-8\)/\1/" /etc/locale.gen
    need_gen=1
  fi
done
if [[ $need_gen == 1 ]]; then
  log "generating locales ${LOCALES[*]}"
  locale-gen >&2
fi

BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
ROOT=$(mktemp -d /tmp/dexter-pg.XXXXXX)
chmod 755 "$ROOT"
echo "$BIN" >"$ROOT/bindir"

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# name|log_line_prefix
STYLES=(
  "stderr-default|%m [%p] %q%u@%d "
  "stderr-rds|%t:%r:%u@%d:[%p]:"
  "stderr-bare|"
)

entries=()
i=0
for style in "${STYLES[@]}"; do
  name=${style%%|*}
  prefix=${style#*|}
  dir="$ROOT/c$i"
  mkdir -p "$dir/log"
  chown -R postgres:postgres "$dir"
  runuser -u postgres -- "$BIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 \
    --locale=C.UTF-8 --no-sync >/dev/null
  port=$(free_port)
  cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 16MB
deadlock_timeout = '100ms'
log_lock_waits = on
logging_collector = on
log_destination = 'stderr,csvlog,jsonlog'
log_directory = '$dir/log'
log_filename = 'postgresql'
log_file_mode = 0644
log_rotation_age = 0
log_rotation_size = 0
log_line_prefix = '$prefix'
lc_messages = 'C'
EOF
  runuser -u postgres -- "$BIN/pg_ctl" -D "$dir/data" -l "$dir/startup.log" -w -t 60 start >&2
  entries+=("{\"name\": \"$name\", \"host\": \"127.0.0.1\", \"port\": $port, \"user\": \"postgres\", \"log_line_prefix\": \"$prefix\", \"log\": \"$dir/log/postgresql\"}")
  i=$((i + 1))
done

version=$("$BIN/postgres" --version)
{
  echo "{\"version\": \"$version\", \"root\": \"$ROOT\", \"locales\": {\"en\": \"en_US.UTF-8\", \"de\": \"de_DE.UTF-8\", \"fr\": \"fr_FR.UTF-8\", \"es\": \"es_ES.UTF-8\"}, \"clusters\": ["
  (IFS=,; echo "${entries[*]}")
  echo "]}"
} >"$ROOT/clusters.json"
log "$version: ${#STYLES[@]} clusters under $ROOT"
echo "export DEXTER_PG_INFO=$ROOT/clusters.json"
