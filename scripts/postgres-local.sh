#!/usr/bin/env bash
# Starts or stops a throwaway PostgreSQL cluster on 127.0.0.1 for the Postgres store tests.
#
#   eval "$(scripts/postgres-local.sh start)"   # installs if needed, starts, exports the URL
#   cargo test -p chatbridge-core --all-features -- --include-ignored
#   scripts/postgres-local.sh stop               # stops the cluster and deletes its files
#
# `start` prints two lines on stdout:
#   export CHATBRIDGE_TEST_POSTGRES_URL=postgres://chatbridge:PASSWORD@127.0.0.1:PORT/chatbridge
#   export CHATBRIDGE_TEST_POSTGRES_ROOT_CERT=DIR/ca.crt   (the CA of the server's certificate;
#                                                          DIR/other-ca.crt beside it signed nothing)
# and writes the same to "$POSTGRES_LOCAL_DIR/env"; everything else goes to stderr. Starting
# again while the cluster runs prints the same lines and starts nothing. When `start` fails it
# prints `false` instead, so that `eval "$(… start)"` fails too.
# `status` exits 0 when the cluster accepts connections; `env` prints the export lines.
#
# The cluster is new at every start (initdb in "$POSTGRES_LOCAL_DIR/data"), listens on
# 127.0.0.1 only, takes plain and TLS connections (a certificate for localhost and 127.0.0.1
# signed by a CA made at start), asks TCP clients for a password (SCRAM), and runs without
# fsync: it is for tests, never for data. PostgreSQL refuses to run as root, so as root the
# cluster runs as the `postgres` user (created by Debian's package).
#
# Settings (environment):
#   POSTGRES_LOCAL_DIR   state directory (default /tmp/chatbridge-postgres-local)
#   POSTGRES_LOCAL_PORT  port (default: a free one)
#   POSTGRES_LOCAL_BIN   directory of initdb and pg_ctl (default: the newest
#                        /usr/lib/postgresql/*/bin, else the PATH); without one, as root,
#                        `apt-get install -y postgresql` installs the server
set -euo pipefail

DIR="${POSTGRES_LOCAL_DIR:-/tmp/chatbridge-postgres-local}"
DATA="$DIR/data"
PORT_FILE="$DIR/server.port"
ENV_FILE="$DIR/env"
RUN="$DIR/run"
LOG_FILE="$RUN/server.log"
USER_NAME="chatbridge"
DB_NAME="chatbridge"

log() { echo "postgres-local: $*" >&2; }
die() { log "error: $*"; exit 1; }

# `start` and `stop` delete the state directory: never a short or system path.
[[ "$DIR" == /*/* && "$DIR" != *..* ]] || die "POSTGRES_LOCAL_DIR must be an absolute path two levels deep or more: $DIR"

bin_dir() {
    local dir
    if [[ -n "${POSTGRES_LOCAL_BIN:-}" ]]; then
        [[ -x "$POSTGRES_LOCAL_BIN/initdb" ]] || return 1
        echo "$POSTGRES_LOCAL_BIN"
        return
    fi
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    if [[ -n "$dir" && -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
        echo "$dir"
        return
    fi
    command -v initdb >/dev/null && command -v pg_ctl >/dev/null || return 1
    dirname "$(command -v initdb)"
}

install_server() {
    bin_dir >/dev/null && return
    [[ "$(id -u)" -eq 0 ]] || die "no PostgreSQL server found; install it (apt-get install postgresql) or set POSTGRES_LOCAL_BIN"
    log "installing PostgreSQL from Debian packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >&2
    apt-get install -y -q postgresql openssl >&2
    bin_dir >/dev/null || die "apt-get installed no initdb"
}

# Runs a PostgreSQL program as the cluster's owner: `postgres` when we are root.
as_owner() {
    if [[ "$(id -u)" -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

running() { # the cluster runs and accepts connections
    local bin
    bin="$(bin_dir)" || return 1
    [[ -f "$DATA/postmaster.pid" && -f "$PORT_FILE" ]] || return 1
    as_owner "$bin/pg_ctl" status -D "$DATA" >/dev/null 2>&1 || return 1
    "$bin/pg_isready" -q -h 127.0.0.1 -p "$(cat "$PORT_FILE")" -t 2
}

# A CA and a server certificate for localhost and 127.0.0.1 signed by it.
make_certificates() {
    local certs="$DIR/certs"
    mkdir -p "$certs"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
        -subj "/CN=chatbridge test CA" -keyout "$certs/ca.key" -out "$DIR/ca.crt" 2>/dev/null
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -subj "/CN=localhost" -keyout "$certs/server.key" -out "$certs/server.csr" 2>/dev/null
    printf '%s\n' "subjectAltName=DNS:localhost,IP:127.0.0.1" "extendedKeyUsage=serverAuth" \
        "basicConstraints=critical,CA:FALSE" >"$certs/server.ext"
    openssl x509 -req -in "$certs/server.csr" -CA "$DIR/ca.crt" -CAkey "$certs/ca.key" \
        -CAcreateserial -days 30 -extfile "$certs/server.ext" -out "$certs/server.crt" 2>/dev/null
    # A CA that signed nothing here: a root the server's certificate does not chain to.
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
        -subj "/CN=chatbridge other CA" -keyout "$certs/other-ca.key" -out "$DIR/other-ca.crt" 2>/dev/null
    chmod 600 "$certs/server.key" "$certs/ca.key" "$certs/other-ca.key"
}

print_env() {
    local port password url
    port="$(cat "$PORT_FILE")"
    password="$(cat "$DIR/password")"
    url="postgres://$USER_NAME:$password@127.0.0.1:$port/$DB_NAME"
    {
        echo "export CHATBRIDGE_TEST_POSTGRES_URL=$url"
        echo "export CHATBRIDGE_TEST_POSTGRES_ROOT_CERT=$DIR/ca.crt"
    } >"$ENV_FILE"
    cat "$ENV_FILE"
}

start() {
    local bin port
    if running; then
        log "already running on 127.0.0.1:$(cat "$PORT_FILE")"
        print_env
        return
    fi
    install_server
    bin="$(bin_dir)"
    command -v openssl >/dev/null || die "openssl is needed to make the test certificates"
    port="${POSTGRES_LOCAL_PORT:-$(free_port)}"
    "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -t 1 && die "port $port already answers: another server is there"

    # A leftover cluster from a crashed run is stopped and replaced.
    if [[ -f "$DATA/postmaster.pid" ]]; then
        as_owner "$bin/pg_ctl" stop -D "$DATA" -m immediate >/dev/null 2>&1 || true
    fi
    rm -rf "$DIR"
    mkdir -p "$DIR"
    chmod 755 "$DIR"
    od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$DIR/password"
    chmod 600 "$DIR/password"
    make_certificates
    echo "$port" >"$PORT_FILE"
    if [[ "$(id -u)" -eq 0 ]]; then
        id postgres >/dev/null 2>&1 || die "no postgres user to run the cluster as"
        chown -R postgres: "$DIR/certs"
        install -o postgres -m 700 -d "$DATA"
        install -o postgres -m 755 -d "$RUN"
        install -o postgres -m 600 "$DIR/password" "$DIR/certs/pwfile"
    else
        mkdir -m 700 "$DATA"
        mkdir -m 755 "$RUN"
        cp "$DIR/password" "$DIR/certs/pwfile"
    fi

    log "initdb in $DATA ($bin)"
    as_owner "$bin/initdb" -D "$DATA" -U "$USER_NAME" --pwfile="$DIR/certs/pwfile" \
        --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C >"$DIR/initdb.log" 2>&1 \
        || { tail -n 20 "$DIR/initdb.log" >&2; die "initdb failed"; }
    cat >>"$DATA/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$RUN'
max_connections = 200
ssl = on
ssl_cert_file = '$DIR/certs/server.crt'
ssl_key_file = '$DIR/certs/server.key'
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
    as_owner "$bin/pg_ctl" start -D "$DATA" -l "$LOG_FILE" -w -t 60 >/dev/null \
        || { tail -n 20 "$LOG_FILE" >&2; die "the cluster did not start"; }
    "$bin/createdb" -h "$RUN" -p "$port" -U "$USER_NAME" "$DB_NAME" \
        || die "createdb failed"
    log "listening on 127.0.0.1:$port (data $DATA, log $LOG_FILE)"
    print_env
}

stop() {
    local bin
    if [[ -f "$DATA/postmaster.pid" ]] && bin="$(bin_dir)"; then
        as_owner "$bin/pg_ctl" stop -D "$DATA" -m fast -w -t 30 >/dev/null 2>&1 \
            || as_owner "$bin/pg_ctl" stop -D "$DATA" -m immediate >/dev/null 2>&1 || true
        log "stopped"
    else
        log "not running"
    fi
    rm -rf "$DIR"
}

case "${1:-}" in
    start)
        trap '[[ $? -eq 0 ]] || echo false' EXIT
        start
        ;;
    stop) stop ;;
    status)
        if running; then
            log "running on 127.0.0.1:$(cat "$PORT_FILE")"
        else
            log "not running"; exit 1
        fi
        ;;
    env)
        running || die "not running"
        print_env
        ;;
    *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac
