#!/usr/bin/env bash
# Installs and starts what DevFlow's test suite needs on a fresh Debian machine: a real Docker
# engine (Debian's docker.io), debootstrap for the local stack images, git. Idempotent: a
# second run only checks. Needs root (as CI and the developer machines are).
set -euo pipefail

need_packages=()
[ -x /usr/sbin/dockerd ] || [ -x /usr/bin/dockerd ] || need_packages+=(docker.io)
command -v debootstrap >/dev/null || need_packages+=(debootstrap)
command -v git >/dev/null || need_packages+=(git)
command -v tar >/dev/null || need_packages+=(tar)
command -v redis-server >/dev/null || need_packages+=(redis-server)
# The dashboard tests drive Debian's chromium with playwright-core.
[ -x /usr/bin/chromium ] || need_packages+=(chromium)
# pg_dump/psql 15 match the embedded PostgreSQL 15 (database branching for previews).
[ -x /usr/lib/postgresql/15/bin/pg_dump ] || need_packages+=(postgresql-client-15)
# Buildpack builds on the process runtime run on the host: devflow/go needs Go, devflow/python venv.
command -v go >/dev/null || need_packages+=(golang-go)
/usr/bin/python3 -c 'import venv, ensurepip' 2>/dev/null || need_packages+=(python3-venv)
# Certificates: pebble + pebble-challtestsrv (test ACME server), openssl (self-signed wildcard,
# pebble's CA). The router benchmark: nginx (the peer proxy) and wrk (the load tool).
command -v pebble >/dev/null || need_packages+=(pebble)
command -v openssl >/dev/null || need_packages+=(openssl)
[ -x /usr/sbin/nginx ] || need_packages+=(nginx-light)
command -v wrk >/dev/null || need_packages+=(wrk)
# Fetching a connected repository over ssh (issue 22) is tested against a real sshd.
[ -x /usr/sbin/sshd ] || need_packages+=(openssh-server)
# The pgbouncer add-on (issue 21) runs Debian's PgBouncer; its package makes the postgres user.
[ -x /usr/sbin/pgbouncer ] || need_packages+=(pgbouncer)
if [ ${#need_packages[@]} -gt 0 ]; then
  echo "installing: ${need_packages[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_packages[@]}" >/dev/null
fi

# The docker first on PATH may be a client only; talk to the engine through /usr/bin/docker.
if ! /usr/bin/docker version >/dev/null 2>&1; then
  echo "starting dockerd"
  # In a session of its own: started from a job shell, a plain background dockerd shares the
  # job's process group and dies when that group is signalled (a stopped test run took it along).
  setsid dockerd >>/var/log/dockerd.log 2>&1 </dev/null &
  for _ in $(seq 1 100); do
    /usr/bin/docker version >/dev/null 2>&1 && break
    sleep 0.2
  done
  /usr/bin/docker version --format 'docker engine {{.Server.Version}} ready'
fi

# The swarm runtime's tests need a one-node swarm (tests/e2e/swarm.test.ts); plain containers
# of the docker runtime are unaffected by it. The routing mesh is not used (see MACHINE.md).
if [ "$(/usr/bin/docker info --format '{{.Swarm.LocalNodeState}}')" != "active" ]; then
  echo "initialising a one-node docker swarm"
  /usr/bin/docker swarm init >/dev/null 2>&1 || /usr/bin/docker swarm init --advertise-addr 127.0.0.1 >/dev/null
fi
