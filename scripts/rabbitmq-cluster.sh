#!/usr/bin/env bash
# rabbitmq-cluster.sh: the microblog as a cluster of processes over a private
# RabbitMQ (what `make cluster` runs).
#
#   scripts/rabbitmq-cluster.sh BUILD_DIR [VAR_DIR]
#
# Starts a private RabbitMQ bound to 127.0.0.1 (scripts/rabbitmq-test-broker.sh,
# data in VAR_DIR/broker), then every microblog service as its own `hypha run`
# process: identity, social, search, gateway once; posts and timeline twice.
# They share VAR_DIR/data (one SQLite file per service; two instances of a
# service share theirs). The gateway serves http://HOST:PORT (default
# 127.0.0.1:8080). Logs go to VAR_DIR/log. Ctrl-C or SIGTERM stops every
# service gracefully (SIGTERM by pid), then the broker (by pid).
set -euo pipefail

die() { echo "rabbitmq-cluster: $*" >&2; exit 1; }

[[ $# -ge 1 ]] || die "usage: $0 BUILD_DIR [VAR_DIR]"
build=$(cd "$1" && pwd)
var=${2:-var/cluster}
host=${HOST:-127.0.0.1}
port=${PORT:-8080}
here=$(cd "$(dirname "$0")" && pwd)
hypha=$build/apps/hypha/hypha
broker_script=$here/rabbitmq-test-broker.sh
[[ -x $hypha ]] || die "no $hypha (build first)"

mkdir -p "$var/data" "$var/log"
var=$(cd "$var" && pwd)

pids=()
stopping=0
stop_all() {
  ((stopping)) && return
  stopping=1
  trap '' INT TERM
  echo "stopping the cluster..." >&2
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  "$broker_script" stop "$var/broker"
  echo "cluster stopped" >&2
}
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM

echo "starting RabbitMQ (data in $var/broker)..." >&2
uri=$("$broker_script" start "$var/broker")
cat >"$var/cluster.yaml" <<EOF
AMQP_URI: $uri
DATA_DIR: $var/data
WEB_SERVER_ADDRESS: $host:$port
LOG_LEVEL: ${LOG_LEVEL:-info}
EOF

# run NAME [--set KEY=VALUE...]: one service, one process, its own log file.
run() {
  local name=$1 log=$var/log/$1-${#pids[@]}.log
  shift
  # setsid: Ctrl-C reaches only this script, which stops the services in order.
  setsid "$hypha" run --config "$var/cluster.yaml" "$@" "$name" >"$log" 2>&1 </dev/null &
  pids+=($!)
}

run identity
run social
run search
run posts --set POSTS_INSTANCE_ID=1
run posts --set POSTS_INSTANCE_ID=2
run timeline
run timeline
run gateway

# Ready when the gateway answers (or fail if a service died on the way).
deadline=$((SECONDS + 60))
until python3 -c "import socket,sys; socket.create_connection(('$host', $port), 1)" 2>/dev/null; do
  for pid in "${pids[@]}"; do
    kill -0 "$pid" 2>/dev/null || { stop_all; die "a service exited at start; see $var/log"; }
  done
  ((SECONDS < deadline)) || { stop_all; die "the gateway did not come up; see $var/log"; }
  sleep 0.2
done
echo "microblog cluster on http://$host:$port (${#pids[@]} processes, RabbitMQ at $uri, logs in $var/log); Ctrl-C stops it" >&2

# Wait until a signal, or until any service exits (then stop the rest).
while true; do
  for pid in "${pids[@]}"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "service process $pid exited; stopping the cluster" >&2
      stop_all
      exit 1
    fi
  done
  sleep 1 &
  wait $! || true
done
