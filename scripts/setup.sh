#!/usr/bin/env bash
# Installs every Debian package Wharf needs to build, test and run.
# Idempotent: when everything is present it only checks and returns.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
  echo "setup: run as root (apt-get needs it)" >&2
  exit 1
fi

packages=(
  # build
  build-essential cmake ninja-build pkg-config
  libboost1.81-dev   # Boost.Process v2 (Asio) is new in 1.80; Debian 12 ships 1.81 beside 1.74
  libgit2-dev libarchive-dev libpoco-dev libyaml-cpp-dev libsqlite3-dev
  doctest-dev nlohmann-json3-dev libssl-dev
  libsodium-dev      # users' passwords under Argon2id (controller/platform/passwords.*)
  libpq-dev libmariadb-dev   # clients of PostgreSQL and MariaDB: the built-in brokers (services/builtin/), wharfd --database postgres:// (state/)
  libnats-dev nats-server    # bus/: route registrations over NATS (the C client; the server for tests and deployments)
  # run and test
  ca-certificates curl git sqlite3 procps iproute2 python3
  tzdata             # autoscaler/: schedules read the zone files under /usr/share/zoneinfo
  # router benchmark (bench/router/run.sh)
  wrk nginx haproxy
  # e2e (tests/e2e/test_verbs.py): reads the zstd droplet tarballs wharf download-droplet saves
  zstd
  # libFuzzer targets (tests/fuzz/run.sh): clang with its fuzzer and sanitizer runtimes
  clang libclang-rt-14-dev
  # stacks (stacks/build.sh): root file systems from Debian packages
  mmdebstrap
  # containers (runtime/): OCI runtimes, nft for the bridge rules (deny by default, DNAT of the router port), unshare/nsenter
  runc crun nftables util-linux
  # --disk-quotas enforced: each instance's layer on a loop-mounted ext4 file (mkfs.ext4)
  e2fsprogs
  # the stack's runtimes for the built-in buildpacks (buildpacks/; nginx is above, npm below)
  nodejs python3-venv python3-pip golang-go ruby ruby-bundler ruby-rack ruby-webrick php-cli composer
  default-jdk-headless
  # the built-in service brokers' servers (services/builtin/): wharfd runs its own, never the system ones;
  # the state tests on PostgreSQL and tests/e2e/test_postgres_state.py start their own from postgresql's binaries
  postgresql redis-server mariadb-server mariadb-client
)
# Services whose packaged system-wide server must not run (Wharf runs its own on other ports).
system_servers=(postgresql redis-server mariadb)

# The vcap user (uid/gid 2000) that apps run as, as in Cloud Foundry; containers see the host's /etc.
if ! getent group 2000 >/dev/null; then groupadd -g 2000 vcap; fi
if ! getent passwd 2000 >/dev/null; then useradd -u 2000 -g 2000 -M -d /home/vcap -s /bin/bash vcap; fi

# The group that lets the servers Wharf starts (as postgres / redis) traverse their services folder
# (wharfd --services-dir, mode 0710; never the data folder); no user is a member of it.
if ! getent group wharf-services >/dev/null; then groupadd --system wharf-services; fi

# Stops and disables the packaged servers (idempotent), so nothing listens on 5432 / 6379 / 3306.
quiet_system_servers() {
  for s in "${system_servers[@]}"; do
    if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
      systemctl disable --now "$s" >/dev/null 2>&1 || true
    else
      service "$s" stop >/dev/null 2>&1 || true
      update-rc.d "$s" disable >/dev/null 2>&1 || true
    fi
  done
  # Debian's own PostgreSQL clusters start by hand only.
  for conf in /etc/postgresql/*/*/start.conf; do
    if [ -f "$conf" ]; then echo manual >"$conf"; fi
  done
}

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

# npm by command, not package: Node.js builds that bundle npm conflict with Debian's npm package.
if ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi

# The stacks apps run on (stacks/build.sh: skipped when the stack is up to date).
# A second attempt after a failure: a download from the mirror can fail once.
build_stacks() {
  local build=(bash "$(dirname "$0")/../stacks/build.sh" debian13 "${WHARF_STACKS_DIR:-/var/lib/wharf-stacks}")
  "${build[@]}" || { echo "setup: the stack build failed; trying once more" >&2; "${build[@]}"; }
}

if [ ${#missing[@]} -eq 0 ]; then
  quiet_system_servers
  echo "setup: all ${#packages[@]} packages present"
  build_stacks
  exit 0
fi

echo "setup: installing ${missing[*]}"
# While installing, no package may start its service (policy-rc.d, as in Debian's docs); one we
# put there is removed afterwards.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  trap 'rm -f "$policy"' EXIT
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
quiet_system_servers
build_stacks
