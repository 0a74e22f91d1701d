#!/usr/bin/env bash
# One command from a fresh Debian 12 machine (as root) to a pushed app:
# installs the packages Wharf needs, builds it, installs `wharfd`, `wharf` and
# the container helpers into /usr/local/bin and the built-in buildpacks into
# /usr/local/share/wharf/buildpacks, starts wharfd in the background on the
# embedded default (all roles) and pushes the bundled example app, printing its URL.
#
#   WHARF_DATA_DIR  data folder (default /var/lib/wharf)
#   WHARF_API_PORT  API port (default 9022)   WHARF_ROUTER_PORT  router port (default 8080)
set -euo pipefail
cd "$(dirname "$0")/.."

data_dir=${WHARF_DATA_DIR:-/var/lib/wharf}
api_port=${WHARF_API_PORT:-9022}
router_port=${WHARF_ROUTER_PORT:-8080}
api="http://127.0.0.1:${api_port}"

step() { printf -- '-----> %s\n' "$*"; }

step "Installing packages"
bash scripts/setup.sh
step "Building"
bash scripts/build.sh release >/tmp/wharf-build.log 2>&1 || { tail -40 /tmp/wharf-build.log; exit 1; }
install -m 0755 build/controller/wharfd build/cli/wharf build/runtime/wharf-monitor build/runtime/wharf-init \
  /usr/local/bin/
# Buildpacks are replaced whole so a removed file does not linger.
rm -rf /usr/local/share/wharf/buildpacks.new
mkdir -p /usr/local/share/wharf
cp -r buildpacks /usr/local/share/wharf/buildpacks.new
rm -rf /usr/local/share/wharf/buildpacks
mv /usr/local/share/wharf/buildpacks.new /usr/local/share/wharf/buildpacks

mkdir -p "$data_dir"
chmod 0700 "$data_dir"
pid_file="$data_dir/wharfd.pid"
if [ -s "$pid_file" ]; then
  old=$(cat "$pid_file")
  if [ -d "/proc/$old" ] && [ "$(basename "$(readlink "/proc/$old/exe" 2>/dev/null || true)")" = wharfd ]; then
    step "Restarting wharfd (pid $old) with the new build"
    kill -TERM "$old"
    for _ in $(seq 1 100); do [ -d "/proc/$old" ] || break; sleep 0.1; done
  fi
fi

step "Starting wharfd (data in $data_dir, log in $data_dir/wharfd.log)"
setsid nohup /usr/local/bin/wharfd --data-dir "$data_dir" --api-port "$api_port" --router-port "$router_port" \
  >>"$data_dir/wharfd.log" 2>&1 </dev/null &
echo $! >"$pid_file"
for _ in $(seq 1 200); do
  curl -fsS "$api/v1/info" >/dev/null 2>&1 && break
  if ! [ -d "/proc/$(cat "$pid_file")" ]; then
    echo "wharfd exited; the end of its log:" >&2
    tail -20 "$data_dir/wharfd.log" >&2
    exit 1
  fi
  sleep 0.1
done

step "Logging in"
wharf api "$api"
wharf login

step "Pushing examples/static-site"
(cd examples/static-site && wharf push)

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
Stop wharfd: kill \$(cat $pid_file)   (apps keep running; a new wharfd adopts them)
TXT
