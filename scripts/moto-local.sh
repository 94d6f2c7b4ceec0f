#!/usr/bin/env bash
# Starts or stops moto's server (a local AWS-compatible API from PyPI) on 127.0.0.1 for the
# Secrets Manager and SSM Parameter Store tests.
#
#   eval "$(scripts/moto-local.sh start)"   # installs if needed, starts, exports the endpoint
#   cargo test -p chatbridge-core --all-features
#   scripts/moto-local.sh stop
#
# `start` prints one line on stdout, `export CHATBRIDGE_TEST_MOTO_ENDPOINT=http://127.0.0.1:PORT`;
# everything else goes to stderr. Starting again while the server runs prints the same line and
# starts nothing. `status` exits 0 when the server answers; `env` prints the export line.
#
# Settings (environment):
#   MOTO_LOCAL_DIR   install and state directory (default /tmp/chatbridge-moto)
#   MOTO_LOCAL_PORT  port (default: a free one)
set -euo pipefail

DIR="${MOTO_LOCAL_DIR:-/tmp/chatbridge-moto}"
MOTO_VERSION="5.2.5"
PID_FILE="$DIR/server.pid"
PORT_FILE="$DIR/server.port"
LOG_FILE="$DIR/server.log"

log() { echo "moto-local: $*" >&2; }
die() { log "error: $*"; exit 1; }

running_pid() {
    [[ -f "$PID_FILE" ]] || return 1
    local pid
    pid="$(cat "$PID_FILE")"
    [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

answers() { # moto's dashboard-free health check: any HTTP answer counts
    local code
    code="$(curl -s -o /dev/null -m 2 -w '%{http_code}' "http://127.0.0.1:$1/moto-api/" 2>/dev/null || true)"
    [[ -n "$code" && "$code" != "000" ]]
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

install() {
    mkdir -p "$DIR"
    if [[ ! -x "$DIR/venv/bin/moto_server" ]]; then
        log "installing moto[server]==$MOTO_VERSION from PyPI into $DIR/venv"
        python3 -m venv "$DIR/venv"
        "$DIR/venv/bin/pip" install --quiet --disable-pip-version-check \
            "moto[server]==$MOTO_VERSION" >&2
    fi
}

print_env() {
    echo "export CHATBRIDGE_TEST_MOTO_ENDPOINT=http://127.0.0.1:$1"
}

start() {
    local pid port
    if pid="$(running_pid)" && [[ -f "$PORT_FILE" ]] && answers "$(cat "$PORT_FILE")"; then
        log "already running (pid $pid)"
        print_env "$(cat "$PORT_FILE")"
        return
    fi
    install
    port="${MOTO_LOCAL_PORT:-$(free_port)}"
    answers "$port" && die "port $port already answers: another server is there"
    setsid "$DIR/venv/bin/moto_server" -H 127.0.0.1 -p "$port" </dev/null >"$LOG_FILE" 2>&1 &
    pid=$!
    echo "$pid" >"$PID_FILE"
    echo "$port" >"$PORT_FILE"
    for _ in $(seq 1 120); do # at most about 60 s
        if answers "$port"; then
            log "listening on 127.0.0.1:$port (pid $pid, log $LOG_FILE)"
            print_env "$port"
            return
        fi
        kill -0 "$pid" 2>/dev/null || { tail -n 20 "$LOG_FILE" >&2; rm -f "$PID_FILE"; die "moto exited"; }
        sleep 0.5
    done
    tail -n 20 "$LOG_FILE" >&2
    stop
    die "moto did not answer on port $port within 60 s"
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
    rm -f "$PID_FILE" "$PORT_FILE"
}

case "${1:-}" in
    start) start ;;
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
        print_env "$(cat "$PORT_FILE")"
        ;;
    *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac
