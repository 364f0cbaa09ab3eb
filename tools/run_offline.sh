#!/usr/bin/env bash
# Run a command with networking disabled: inside a new user + network namespace that has
# only the loopback interface (brought up, because Jupyter kernels talk to nbval and nbclient
# over ZMQ sockets on 127.0.0.1). Nothing in the namespace can reach another machine, so a
# test that quietly downloads something (a data set, a CDN script, a font) fails.
#
#   tools/run_offline.sh                    # the whole suite, nbval included (make test)
#   tools/run_offline.sh .venv/bin/python -m pytest tests/test_publish.py
#
# Needs util-linux's unshare and iproute2's ip (Debian: apt-get install -y util-linux iproute2)
# and a kernel that allows unprivileged user namespaces (or root). Install first, online:
# `make install`; `make test` then finds .venv up to date and does not touch the network.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -eq 0 ]; then
    set -- make test
fi
for tool in unshare ip; do
    command -v "$tool" >/dev/null || { echo "run_offline: '$tool' not found (apt-get install -y util-linux iproute2)" >&2; exit 2; }
done
exec unshare --user --map-root-user --net -- bash -c '
    set -euo pipefail
    ip link set lo up
    others=$(ip -o link show | awk -F": " "{print \$2}" | grep -vx lo || true)
    if [ -n "$others" ]; then
        echo "run_offline: the namespace has interfaces besides lo: $others" >&2
        exit 3
    fi
    echo "run_offline: no network (loopback only): $*" >&2
    exec "$@"
' run_offline "$@"
