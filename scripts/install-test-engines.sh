#!/usr/bin/env bash
# Installs the real engines the test suites run against, from Debian's packages, when absent:
# a Redis server (cache ACL suite) and the PostgreSQL server binaries (RLS suite on a real server).
# The suites start and stop their own throwaway servers on loopback; nothing is started here.
set -euo pipefail
need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || need+=(postgresql)
if [ ${#need[@]} -eq 0 ]; then
  echo "test engines: already installed (redis-server, postgresql)"
  exit 0
fi
echo "test engines: installing ${need[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "test engines: installed ${need[*]}"
