#!/usr/bin/env bash
# run-cluster.sh: the black-box suite against the microblog as a cluster of
# processes over a private RabbitMQ (what `make functional-cluster` runs).
#
#   tests/functional/run-cluster.sh BUILD_DIR [PYTEST ARGS...]   # test paths relative to tests/functional
#
# Runs `pytest tests/functional` with HYPHA_CLUSTER=1 (conftest.py starts the
# broker and the services, and stops them by pid at teardown, also on a failed
# test or Ctrl-C) and everything under one fresh temporary directory. Then it
# checks that nothing it started is left behind: every process of the run (the
# services, rabbitmq-server and its beam/epmd/helpers) carries
# HYPHA_FUNCTIONAL_RUN=<that directory> in its environment, so leftovers are
# found without touching other people's brokers. Leftovers are reported, stopped
# (brokers through rabbitmq-test-broker.sh, the rest by pid), and fail the run.
# The directory is removed after a green run and kept (for its logs) otherwise.
set -uo pipefail

die() { echo "run-cluster: $*" >&2; exit 2; }
[[ $# -ge 1 ]] || die "usage: $0 BUILD_DIR [PYTEST ARGS...]"
build=$(cd "$1" && pwd) || die "no build dir $1"
shift
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
python=${PYTHON:-/usr/bin/python3}
run_dir=$(mktemp -d "${TMPDIR:-/tmp}/hypha-functional-cluster.XXXXXX")
chmod 0711 "$run_dir"  # the broker (in a directory below, via TMPDIR) runs as the rabbitmq user when we are root
marker="HYPHA_FUNCTIONAL_RUN=$run_dir"

# leftovers: pids of live processes whose environment holds the marker (this
# script and its subshells do not: the marker is only in pytest's environment).
leftovers() {
  local p pid
  for p in /proc/[0-9]*; do
    pid=${p#/proc/}
    grep -qzxF -- "$marker" "$p/environ" 2>/dev/null && echo "$pid"
  done
}

status=1
finish() {
  trap '' INT TERM
  local left envfile pid
  left=$(leftovers)
  if [[ -n $left ]]; then
    echo "run-cluster: processes left behind by the test run:" >&2
    # shellcheck disable=SC2086
    ps -o pid,user,args -p $(echo $left | tr ' ' ',') >&2 || true
    while IFS= read -r envfile; do
      bash "$repo/scripts/rabbitmq-test-broker.sh" stop "$(dirname "$envfile")" || true
    done < <(find "$run_dir" -name broker.env 2>/dev/null)
    for pid in $(leftovers); do kill -TERM "$pid" 2>/dev/null || true; done
    sleep 1
    for pid in $(leftovers); do kill -KILL "$pid" 2>/dev/null || true; done
    ((status == 0)) && status=1
  fi
  if ((status == 0)); then
    rm -rf "$run_dir"
  else
    echo "run-cluster: logs kept in $run_dir" >&2
  fi
  exit "$status"
}
trap finish EXIT
trap 'status=130; exit 130' INT
trap 'status=143; exit 143' TERM

start=$SECONDS
cd "$here" || exit 2
env "$marker" HYPHA_CLUSTER=1 HYPHA_BUILD_DIR="$build" TMPDIR="$run_dir" \
  "$python" -m pytest -p no:cacheprovider --basetemp="$run_dir/pytest" "$@"
status=$?
echo "run-cluster: pytest exited with status $status after $((SECONDS - start)) s" >&2
