#!/usr/bin/env bash
# Starts or stops a local DynamoDB-compatible server on 127.0.0.1 for the DynamoDB store tests.
#
#   eval "$(scripts/dynamodb-local.sh start)"   # installs if needed, starts, exports the endpoint
#   cargo test -p chatbridge-core --all-features --test it -- --ignored
#   scripts/dynamodb-local.sh stop
#
# `start` prints one line on stdout, `export CHATBRIDGE_TEST_DYNAMODB_ENDPOINT=http://127.0.0.1:PORT`,
# and writes the same (plus DYNAMODB_ENDPOINT=...) to "$DYNAMODB_LOCAL_DIR/env"; everything else
# goes to stderr. Starting again while the server runs prints the same line and starts nothing.
# When `start` fails it prints `false` instead, so that `eval "$(… start)"` fails too: a shell
# with `set -e` stops there rather than running the tests without a server.
# `status` exits 0 when the server answers; `env` prints the export line of a running server.
#
# Settings (environment):
#   DYNAMODB_LOCAL_SERVER  dynalite (default: npm, in-memory, starts in about a second)
#                          or moto (moto's server from PyPI, in a venv; slower to install)
#   DYNAMODB_LOCAL_DIR     install and state directory (default /tmp/chatbridge-dynamodb-local)
#   DYNAMODB_LOCAL_PORT    port (default: a free one)
set -euo pipefail

SERVER="${DYNAMODB_LOCAL_SERVER:-dynalite}"
DIR="${DYNAMODB_LOCAL_DIR:-/tmp/chatbridge-dynamodb-local}"
DYNALITE_VERSION="4.0.0"
MOTO_VERSION="5.2.5"
PID_FILE="$DIR/server.pid"
PORT_FILE="$DIR/server.port"
ENV_FILE="$DIR/env"
LOG_FILE="$DIR/server.log"

log() { echo "dynamodb-local: $*" >&2; }
die() { log "error: $*"; exit 1; }

running_pid() {
    [[ -f "$PID_FILE" ]] || return 1
    local pid
    pid="$(cat "$PID_FILE")"
    [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
    # The pid must still be our server, not another process that got the number since.
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qE 'dynalite|moto_server' || return 1
    echo "$pid"
}

answers() { # any HTTP answer from the port counts: the server is up
    local code
    code="$(curl -s -o /dev/null -m 2 -w '%{http_code}' -X POST "http://127.0.0.1:$1/" \
        -H 'Content-Type: application/x-amz-json-1.0' \
        -H 'X-Amz-Target: DynamoDB_20120810.ListTables' -d '{}' 2>/dev/null || true)"
    [[ -n "$code" && "$code" != "000" ]]
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

install() {
    mkdir -p "$DIR"
    case "$SERVER" in
        dynalite)
            if [[ ! -x "$DIR/npm/node_modules/.bin/dynalite" ]]; then
                command -v npm >/dev/null || die "npm is needed to install dynalite"
                log "installing dynalite@$DYNALITE_VERSION from npm into $DIR/npm"
                mkdir -p "$DIR/npm"
                npm install --prefix "$DIR/npm" --no-audit --no-fund --no-save --loglevel=error \
                    "dynalite@$DYNALITE_VERSION" >&2
            fi
            ;;
        moto)
            if [[ ! -x "$DIR/venv/bin/moto_server" ]]; then
                log "installing moto[server]==$MOTO_VERSION from PyPI into $DIR/venv"
                python3 -m venv "$DIR/venv"
                "$DIR/venv/bin/pip" install --quiet --disable-pip-version-check \
                    "moto[server]==$MOTO_VERSION" >&2
            fi
            ;;
        *) die "unknown DYNAMODB_LOCAL_SERVER '$SERVER' (dynalite or moto)" ;;
    esac
}

print_env() {
    local endpoint="http://127.0.0.1:$1"
    printf 'DYNAMODB_ENDPOINT=%s\nCHATBRIDGE_TEST_DYNAMODB_ENDPOINT=%s\n' "$endpoint" "$endpoint" >"$ENV_FILE"
    echo "export CHATBRIDGE_TEST_DYNAMODB_ENDPOINT=$endpoint"
}

start() {
    local pid port
    if pid="$(running_pid)" && [[ -f "$PORT_FILE" ]] && answers "$(cat "$PORT_FILE")"; then
        log "already running (pid $pid)"
        print_env "$(cat "$PORT_FILE")"
        return
    fi
    install
    port="${DYNAMODB_LOCAL_PORT:-$(free_port)}"
    answers "$port" && die "port $port already answers: another server is there"
    case "$SERVER" in
        dynalite)
            setsid node "$DIR/npm/node_modules/dynalite/cli.js" --host 127.0.0.1 --port "$port" \
                --createTableMs 50 --deleteTableMs 50 --updateTableMs 50 \
                </dev/null >"$LOG_FILE" 2>&1 &
            ;;
        moto)
            setsid "$DIR/venv/bin/moto_server" -H 127.0.0.1 -p "$port" </dev/null >"$LOG_FILE" 2>&1 &
            ;;
    esac
    pid=$!
    echo "$pid" >"$PID_FILE"
    echo "$port" >"$PORT_FILE"
    for _ in $(seq 1 120); do # at most about 60 s
        if answers "$port"; then
            log "$SERVER listening on 127.0.0.1:$port (pid $pid, log $LOG_FILE)"
            print_env "$port"
            return
        fi
        kill -0 "$pid" 2>/dev/null || { tail -n 20 "$LOG_FILE" >&2; rm -f "$PID_FILE"; die "$SERVER exited"; }
        sleep 0.5
    done
    tail -n 20 "$LOG_FILE" >&2
    stop
    die "$SERVER did not answer on port $port within 60 s"
}

stop() {
    local pid
    if pid="$(running_pid)"; then
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
        log "stopped (pid $pid)"
    else
        log "not running"
    fi
    rm -f "$PID_FILE" "$PORT_FILE" "$ENV_FILE"
}

case "${1:-}" in
    start)
        trap '[[ $? -eq 0 ]] || echo false' EXIT
        start
        ;;
    stop) stop ;;
    status)
        if running_pid >/dev/null && [[ -f "$PORT_FILE" ]] && answers "$(cat "$PORT_FILE")"; then
            log "running on 127.0.0.1:$(cat "$PORT_FILE")"
        else
            log "not running"; exit 1
        fi
        ;;
    env)
        running_pid >/dev/null && [[ -f "$PORT_FILE" ]] || die "not running"
        echo "export CHATBRIDGE_TEST_DYNAMODB_ENDPOINT=http://127.0.0.1:$(cat "$PORT_FILE")"
        ;;
    *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac
