#!/usr/bin/env bash
# rabbitmq-test-broker.sh: a private RabbitMQ for tests, bound to 127.0.0.1.
#
#   scripts/rabbitmq-test-broker.sh start DIR        # prints the AMQP URI
#   scripts/rabbitmq-test-broker.sh stop DIR
#   scripts/rabbitmq-test-broker.sh add-vhosts DIR PREFIX COUNT
#   scripts/rabbitmq-test-broker.sh uri DIR
#   scripts/rabbitmq-test-broker.sh tls-uri DIR      # amqps:// URI (started with HYPHA_BROKER_TLS=1)
#
# start: data, logs and the pid file live in DIR (owned by the rabbitmq user
# when run as root). The node, dist and epmd ports are picked at random on the
# first start and kept in DIR/broker.env, so `stop DIR; start DIR` brings the
# same broker back on the same URI (tests of broker restarts rely on it). Every
# listener is on 127.0.0.1: AMQP, Erlang distribution, and a private epmd
# (started here, pid in DIR/epmd.pid) instead of the system-wide one on *:4369.
# Waits until the node is up (`rabbitmqctl wait`). No plugins are enabled.
# stop: stops the node by the pid in its pid file (SIGTERM, then SIGKILL after
# 30 s), waits until it is gone, then stops the private epmd by its pid.
# Stopping a broker that is not running is not an error.
# HYPHA_BROKER_TLS=1 (at the first start) also makes a throw-away CA and a
# server certificate for localhost/127.0.0.1 in DIR/tls (ca.pem is what
# clients trust) and adds a TLS listener on 127.0.0.1.
# add-vhosts: creates PREFIX0 .. PREFIX<COUNT-1> with full permissions for
# guest, in one rabbitmqctl call (tests take one vhost each).
set -euo pipefail

die() { echo "rabbitmq-test-broker: $*" >&2; exit 1; }

[[ $# -ge 2 ]] || die "usage: $0 start|stop|uri|add-vhosts DIR [PREFIX COUNT]"
cmd=$1
dir=$2
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
envfile=$dir/broker.env

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

load_env() {
  [[ -f $envfile ]] || die "no broker in $dir (missing broker.env)"
  # shellcheck disable=SC1090
  source "$envfile"
  export RABBITMQ_NODENAME RABBITMQ_NODE_PORT RABBITMQ_DIST_PORT ERL_EPMD_PORT
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  export ERL_EPMD_ADDRESS=127.0.0.1
  # Erlang distribution (the node and the CLI tools) listens on loopback only.
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
  export RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
  EPMD_PID_FILE=$dir/epmd.pid
  export RABBITMQ_MNESIA_BASE=$dir/mnesia
  export RABBITMQ_LOG_BASE=$dir/log
  export RABBITMQ_PID_FILE=$dir/rabbitmq.pid
  export RABBITMQ_ENABLED_PLUGINS_FILE=$dir/enabled_plugins
  export RABBITMQ_FEATURE_FLAGS_FILE=$dir/feature_flags
  export RABBITMQ_CONFIG_FILE=$dir/rabbitmq
  export RABBITMQ_ADVANCED_CONFIG_FILE=$dir/advanced.config
  export RABBITMQ_CONF_ENV_FILE=$dir/rabbitmq-env.conf
}

uri() { echo "amqp://guest:guest@127.0.0.1:${RABBITMQ_NODE_PORT}/"; }
tls_uri() {
  [[ -n ${RABBITMQ_TLS_PORT:-} ]] || die "this broker has no TLS listener (start it with HYPHA_BROKER_TLS=1)"
  echo "amqps://guest:guest@localhost:${RABBITMQ_TLS_PORT}/"
}

# make_certs: a CA and a server certificate valid for localhost and 127.0.0.1.
make_certs() {
  local tls=$dir/tls
  mkdir -p "$tls"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=hypha test CA" \
    -keyout "$tls/ca.key" -out "$tls/ca.pem" >/dev/null 2>&1
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$tls/server.key" -out "$tls/server.csr" \
    >/dev/null 2>&1
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$tls/san.ext"
  openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial -days 2 \
    -extfile "$tls/san.ext" -out "$tls/server.pem" >/dev/null 2>&1
}

ctl() { rabbitmqctl -q -n "$RABBITMQ_NODENAME" "$@"; }

pid_alive() {
  local pid
  [[ -f $1 ]] || return 1
  pid=$(cat "$1" 2>/dev/null) || return 1
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

# start_epmd runs a private epmd on 127.0.0.1:$ERL_EPMD_PORT (unless it runs).
start_epmd() {
  pid_alive "$EPMD_PID_FILE" >/dev/null && return 0
  setsid epmd -address 127.0.0.1 -port "$ERL_EPMD_PORT" </dev/null >"$dir/epmd.out" 2>&1 &
  echo $! >"$EPMD_PID_FILE"
  local deadline=$((SECONDS + 10))
  until epmd -port "$ERL_EPMD_PORT" -names >/dev/null 2>&1; do
    ((SECONDS < deadline)) || die "epmd did not start"
    sleep 0.1
  done
}

stop_pid_file() {
  local pid
  pid=$(pid_alive "$1") || { rm -f "$1"; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 30))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      kill -KILL "$pid" 2>/dev/null || true
    fi
    sleep 0.1
  done
  rm -f "$1"
}

running_pid() { pid_alive "$RABBITMQ_PID_FILE"; }

start() {
  if [[ ! -f $envfile ]]; then
    local node_port dist_port epmd_port
    node_port=$(free_port)
    dist_port=$(free_port)
    while [[ $dist_port == "$node_port" ]]; do dist_port=$(free_port); done
    epmd_port=$(free_port)
    while [[ $epmd_port == "$node_port" || $epmd_port == "$dist_port" ]]; do epmd_port=$(free_port); done
    cat >"$envfile" <<EOF
RABBITMQ_NODENAME=hypha-test-$node_port@localhost
RABBITMQ_NODE_PORT=$node_port
RABBITMQ_DIST_PORT=$dist_port
ERL_EPMD_PORT=$epmd_port
EOF
    if [[ ${HYPHA_BROKER_TLS:-0} == 1 ]]; then
      local tls_port
      tls_port=$(free_port)
      echo "RABBITMQ_TLS_PORT=$tls_port" >>"$envfile"
      make_certs
    fi
  fi
  load_env
  start_epmd
  if running_pid >/dev/null; then
    uri
    return 0
  fi
  mkdir -p "$RABBITMQ_MNESIA_BASE" "$RABBITMQ_LOG_BASE"
  echo "[]." >"$RABBITMQ_ENABLED_PLUGINS_FILE"
  : >"$RABBITMQ_CONF_ENV_FILE"
  echo "[]." >"$RABBITMQ_ADVANCED_CONFIG_FILE"
  cat >"$RABBITMQ_CONFIG_FILE.conf" <<EOF
disk_free_limit.absolute = 10MB
log.console = false
log.file.level = warning
EOF
  if [[ -n ${RABBITMQ_TLS_PORT:-} ]]; then
    cat >>"$RABBITMQ_CONFIG_FILE.conf" <<EOF
listeners.ssl.default = 127.0.0.1:$RABBITMQ_TLS_PORT
ssl_options.cacertfile = $dir/tls/ca.pem
ssl_options.certfile = $dir/tls/server.pem
ssl_options.keyfile = $dir/tls/server.key
ssl_options.verify = verify_none
ssl_options.fail_if_no_peer_cert = false
EOF
  fi
  rm -f "$RABBITMQ_PID_FILE"
  if [[ $(id -u) == 0 ]]; then chown -R rabbitmq:rabbitmq "$dir"; fi
  # rabbitmq-server switches to the rabbitmq user itself when run as root.
  setsid rabbitmq-server >"$dir/server.out" 2>&1 </dev/null &
  # The pid file appears once the VM runs; `wait` then waits for the app.
  local deadline=$((SECONDS + 60))
  until [[ -s $RABBITMQ_PID_FILE ]]; do
    ((SECONDS < deadline)) || { tail -20 "$dir/server.out" >&2; die "broker did not write its pid file"; }
    sleep 0.1
  done
  if ! ctl wait "$RABBITMQ_PID_FILE" --timeout 60 >/dev/null; then
    tail -20 "$dir/server.out" >&2
    die "broker did not start"
  fi
  uri
}

stop() {
  [[ -f $envfile ]] || return 0
  load_env
  stop_pid_file "$RABBITMQ_PID_FILE"
  stop_pid_file "$EPMD_PID_FILE"
}

add_vhosts() {
  local prefix=$1 count=$2 attempt
  load_env
  # Idempotent (existing vhosts are kept), so a call that failed half-way
  # (a CLI timeout on a loaded machine) can simply run again.
  for attempt in 1 2 3; do
    if ctl eval "
      lists:foreach(fun(I) ->
          V = list_to_binary(\"$prefix\" ++ integer_to_list(I)),
          case rabbit_vhost:exists(V) of
            true -> ok;
            false -> ok = rabbit_vhost:add(V, <<\"hypha-test\">>)
          end,
          ok = rabbit_auth_backend_internal:set_permissions(<<\"guest\">>, V, <<\".*\">>, <<\".*\">>, <<\".*\">>, <<\"hypha-test\">>)
        end, lists:seq(0, $count - 1)), ok." >/dev/null; then
      return 0
    fi
    echo "rabbitmq-test-broker: add-vhosts attempt $attempt failed; retrying" >&2
    sleep 2
  done
  die "could not create the vhosts"
}

case $cmd in
  start) start ;;
  stop) stop ;;
  uri) load_env; uri ;;
  tls-uri) load_env; tls_uri ;;
  add-vhosts) [[ $# -eq 4 ]] || die "usage: $0 add-vhosts DIR PREFIX COUNT"; add_vhosts "$3" "$4" ;;
  *) die "unknown command $cmd" ;;
esac
