#!/bin/sh
# Installs the Debian packages hoc needs, only those that are missing.
# Why a script: a fresh Debian machine (and CI) has none of them. chromium
# runs hoc explore's browser test (tests/explore), headless; time
# (/usr/bin/time) gives bench/bench_amalgam.sh its load generator's CPU.
set -e
PKGS="cmake make gcc clang re2c lemon libz3-dev z3 libisal-dev libevent-dev libssl-dev libclang-rt-14-dev bc python3 iproute2 redis-tools redis-server etcd-server etcd-client chromium time"
missing=""
for p in $PKGS; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
