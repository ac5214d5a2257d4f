#!/usr/bin/env bash
# A local moto server (DynamoDB, SQS, S3, CloudFormation, Secrets Manager) for the AWS tests, from a project-local
# virtualenv so a fresh clone or CI needs only python3 and PyPI.
#
#   ./infra/moto.sh install   create ./.venv with pinned moto when missing
#   ./infra/moto.sh start     install if needed, start moto's server on 127.0.0.1 on a free port and print
#                             `export FRONTDESK_TEST_AWS_ENDPOINT=...` (use: eval "$(./infra/moto.sh start)")
#   ./infra/moto.sh stop      stop the server this script started
#
# Only the export line goes to stdout; everything else goes to stderr or infra/.run/moto.log.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

venv="$root/.venv"
run_dir="$root/infra/.run"
pid_file="$run_dir/moto.pid"
port_file="$run_dir/moto.port"
log_file="$run_dir/moto.log"

moto_version="5.2.5"
flask_version="3.1.3"
flask_cors_version="6.0.5"

# moto_server's own entry point, with each request handled under one lock. moto's server is
# threaded and its backends take no locks, so two concurrent conditional writes to one item can
# both pass their condition; DynamoDB applies each write atomically, and the contract suite's
# concurrency tests (one winning claim, one effect per duplicate callback, exact counters)
# depend on that. Flask renders the whole response inside the call, so the lock covers the work.
serialised_moto_server='
import sys, threading
from moto import server
from moto.moto_server.werkzeug_app import DomainDispatcherApplication

lock = threading.Lock()
handle = DomainDispatcherApplication.__call__

def serialised(self, environ, start_response):
    with lock:
        return handle(self, environ, start_response)

DomainDispatcherApplication.__call__ = serialised
server.main(sys.argv[1:])
'

say() { printf 'moto.sh: %s\n' "$*" >&2; }
die() {
    say "error: $*"
    exit 1
}

installed() {
    [[ -x "$venv/bin/moto_server" ]] &&
        "$venv/bin/python" - "$moto_version" <<'PY' 2>/dev/null
import sys
import flask, flask_cors, moto  # noqa: F401  (all three must import)
import moto.cloudformation.parsing  # noqa: F401  (the CLI's --stack tests create stacks)
sys.exit(0 if moto.__version__ == sys.argv[1] else 1)
PY
}

install() {
    installed && return 0
    command -v python3 >/dev/null || die "python3 is required"
    local started=$SECONDS
    say "installing moto $moto_version into $venv"
    [[ -x "$venv/bin/python" ]] || python3 -m venv "$venv" >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        "moto[dynamodb,s3,sqs,cloudformation]==$moto_version" "flask==$flask_version" "flask-cors==$flask_cors_version" >&2 ||
        die "pip install failed"
    installed || die "moto $moto_version is not importable from $venv after install"
    say "installed in $((SECONDS - started)) s"
}

# The pid of the moto server this script started, if it still runs. Checks the command line so a reused pid is not ours.
running_pid() {
    [[ -f "$pid_file" ]] || return 1
    local pid
    pid="$(cat "$pid_file")"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q DomainDispatcherApplication || return 1
    echo "$pid"
}

# Whether the server on $1 answers HTTP at all (any status code means it is up).
answers() {
    "$venv/bin/python" - "$1" <<'PY' 2>/dev/null
import sys, urllib.request, urllib.error
try:
    urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/moto-api/", timeout=1)
except urllib.error.HTTPError:
    pass
PY
}

free_port() {
    "$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
    install
    mkdir -p "$run_dir"
    local pid port
    if pid="$(running_pid)" && port="$(cat "$port_file" 2>/dev/null)" && answers "$port"; then
        say "already running (pid $pid, port $port)"
        echo "export FRONTDESK_TEST_AWS_ENDPOINT=http://127.0.0.1:$port"
        return 0
    fi
    stop_quietly
    local started=$SECONDS attempt
    # A free port can be taken between probing and binding; try a few.
    for attempt in 1 2 3; do
        port="$(free_port)"
        # Fully detached from our stdout, so `$(./infra/moto.sh start)` returns.
        "$venv/bin/python" -c "$serialised_moto_server" -H 127.0.0.1 -p "$port" </dev/null >"$log_file" 2>&1 &
        pid=$!
        echo "$pid" >"$pid_file"
        echo "$port" >"$port_file"
        local deadline=$((SECONDS + 20))
        while ((SECONDS < deadline)); do
            if answers "$port"; then
                say "moto $moto_version up on 127.0.0.1:$port (pid $pid) in $((SECONDS - started)) s; log: $log_file"
                echo "export FRONTDESK_TEST_AWS_ENDPOINT=http://127.0.0.1:$port"
                return 0
            fi
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.2
        done
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            rm -f "$pid_file" "$port_file"
            tail -n 20 "$log_file" >&2 || true
            die "moto did not answer on 127.0.0.1:$port within 20 s"
        fi
        say "moto exited on attempt $attempt (port $port):"
        tail -n 5 "$log_file" >&2 || true
    done
    rm -f "$pid_file" "$port_file"
    die "moto failed to start; see $log_file"
}

stop_quietly() {
    local pid
    if pid="$(running_pid)"; then
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
        say "stopped moto (pid $pid)"
    fi
    rm -f "$pid_file" "$port_file"
}

case "${1:-}" in
install) install ;;
start) start ;;
stop) stop_quietly ;;
*)
    say "usage: $0 install|start|stop"
    exit 2
    ;;
esac
