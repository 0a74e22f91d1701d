# Wharf's launcher: starts a droplet's command the way Cloud Foundry's does.
# Runs in the app folder (the droplet's app/, beside deps/ and profile.d/).
#
# Usage: bash -c "$LAUNCHER" wharf-launcher COMMAND
# Sources ../profile.d/*, then .profile.d/*.sh, then .profile, and execs
# `bash -c COMMAND`, so the command is the process that receives signals when
# it starts with `exec` or is a single program.
app_dir=$PWD
export HOME="$app_dir"
DEPS_DIR="$(cd "$app_dir/.." && pwd)/deps"
export DEPS_DIR
if [ -d ../profile.d ]; then
  for f in ../profile.d/*; do
    [ -f "$f" ] && . "$f"
  done
fi
if [ -d .profile.d ]; then
  for f in .profile.d/*.sh; do
    [ -f "$f" ] && . "$f"
  done
fi
if [ -f .profile ]; then
  . ./.profile
fi
cd "$app_dir" || exit 1
if [ -z "${1:-}" ]; then
  echo "wharf-launcher: no start command: set one with -c, a Procfile or a buildpack" >&2
  exit 1
fi
exec bash -c "$1"
