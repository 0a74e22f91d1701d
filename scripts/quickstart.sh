#!/usr/bin/env bash
# One command from a fresh Debian 12 machine (as root) to a pushed app:
# installs the packages Wharf needs, builds it, installs `wharfd`, `wharf` and
# the container helpers into /usr/local/bin and the built-in buildpacks into
# /usr/local/share/wharf/buildpacks, starts wharfd in the background on the
# embedded default (all roles) and pushes the bundled example app, printing its URL.
# Run again after an update, it stops the running wharfd (the one holding the
# data folder's lock, by the pid it wrote itself), installs the new build and
# starts it.
#
#   WHARF_DATA_DIR  data folder (default /var/lib/wharf)
#   WHARF_API_PORT  API port (default 9022)   WHARF_ROUTER_PORT  router port (default 8080)
#   WHARF_PREFIX    where bin/ and share/wharf/ go (default /usr/local)
#   WHARF_QUICKSTART_SKIP  steps to leave out, e.g. "setup build" (tests run the rest in a temp prefix)
set -euo pipefail
cd "$(dirname "$0")/.."

data_dir=${WHARF_DATA_DIR:-/var/lib/wharf}
api_port=${WHARF_API_PORT:-9022}
router_port=${WHARF_ROUTER_PORT:-8080}
prefix=${WHARF_PREFIX:-/usr/local}
skip=" ${WHARF_QUICKSTART_SKIP:-} "
api="http://127.0.0.1:${api_port}"
wharf="$prefix/bin/wharf"

step() { printf -- '-----> %s\n' "$*"; }

if [[ $skip != *" setup "* ]]; then
  step "Installing packages"
  bash scripts/setup.sh
fi
if [[ $skip != *" build "* ]]; then
  step "Building"
  bash scripts/build.sh release >/tmp/wharf-build.log 2>&1 || { tail -40 /tmp/wharf-build.log; exit 1; }
fi

mkdir -p "$data_dir"
chmod 0700 "$data_dir"
pid_file="$data_dir/wharfd.pid"
lock_file="$data_dir/wharfd.lock"
# A wharfd holds the lock on its data folder while it runs and writes its own pid once it holds it, so
# the pid file names the live daemon. It is stopped before the new binaries replace the old ones.
if [ -e "$lock_file" ] && ! flock -n "$lock_file" true; then
  old=$(cat "$pid_file" 2>/dev/null || true)
  if [ -z "$old" ]; then
    echo "a wharfd holds $lock_file but $pid_file is missing (a wharfd older than the pid file); stop it, then run again" >&2
    exit 1
  fi
  step "Stopping wharfd (pid $old) to restart it with the new build"
  kill -TERM "$old"
  if ! flock -w 60 "$lock_file" true; then
    echo "wharfd (pid $old) did not stop within 60 s; see $data_dir/wharfd.log" >&2
    exit 1
  fi
fi

mkdir -p "$prefix/bin" "$prefix/share/wharf"
install -m 0755 build/controller/wharfd build/cli/wharf build/runtime/wharf-monitor build/runtime/wharf-init \
  "$prefix/bin/"
# Buildpacks are replaced whole so a removed file does not linger.
rm -rf "$prefix/share/wharf/buildpacks.new"
cp -r buildpacks "$prefix/share/wharf/buildpacks.new"
rm -rf "$prefix/share/wharf/buildpacks"
mv "$prefix/share/wharf/buildpacks.new" "$prefix/share/wharf/buildpacks"

step "Starting wharfd (data in $data_dir, log in $data_dir/wharfd.log)"
setsid nohup "$prefix/bin/wharfd" --data-dir "$data_dir" --api-port "$api_port" --router-port "$router_port" \
  >>"$data_dir/wharfd.log" 2>&1 </dev/null &
started=$!
# wharfd answers /v1/info only once its router, stager and cell run, and has written its pid file by then.
for _ in $(seq 1 300); do
  if ! kill -0 "$started" 2>/dev/null; then
    echo "wharfd exited; the end of its log:" >&2
    tail -20 "$data_dir/wharfd.log" >&2
    exit 1
  fi
  curl -fsS "$api/v1/info" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "$api/v1/info" >/dev/null || { echo "wharfd did not answer on $api within 30 s" >&2; exit 1; }
if [ "$(cat "$pid_file" 2>/dev/null)" != "$started" ]; then
  echo "$pid_file does not name the wharfd just started (pid $started)" >&2
  exit 1
fi

step "Logging in"
"$wharf" api "$api"
"$wharf" login

step "Pushing examples/static-site"
(cd examples/static-site && "$wharf" push)

url="http://hello.localhost:${router_port}"
step "Checking $url through the router"
curl -fsS --resolve "hello.localhost:${router_port}:127.0.0.1" "$url/" | grep -o '<h1>.*</h1>' || {
  echo "the app did not answer through the router; see: wharf logs hello --recent" >&2
  exit 1
}

cat <<TXT

Wharf is running: API $api, apps at http://<name>.localhost:${router_port}
The example app answers at $url
  curl $url/          (*.localhost resolves to 127.0.0.1)
Try:  wharf apps      wharf app hello      wharf logs hello --recent      wharf scale hello -i 2
Push your own:  cd YOUR_APP && wharf push NAME
Stop wharfd: kill \$(cat $pid_file)   (wharfd writes that file itself; apps keep running; a new wharfd adopts them)
TXT
