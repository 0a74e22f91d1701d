#!/usr/bin/env bash
# Builds a stack: a root file system from Debian packages (mmdebstrap), which wharfd mounts
# read-only as / of every staging and app container with that stack.
#
#   stacks/build.sh NAME [STACKS_DIR]     (default STACKS_DIR: /var/lib/wharf-stacks)
#
# NAME's folder here holds `packages` (the package list) and `suite` (the Debian release).
# The result is STACKS_DIR/NAME/{stack.json, rootfs -> rootfs-RECIPE/}. Nothing is done when
# stack.json records the same package list and suite (so scripts/setup.sh calls this every
# time). A build goes to a new rootfs-RECIPE folder and the rootfs link moves to it only once
# it is complete, so a failed build leaves the previous stack in place, and instances that
# run on the previous one keep it (it is removed by the build after the next).
# Set WHARF_STACK_MIRROR for another Debian mirror.
set -euo pipefail

name=${1:?usage: stacks/build.sh NAME [STACKS_DIR]}
stacks_dir=${2:-/var/lib/wharf-stacks}
here=$(cd "$(dirname "$0")" && pwd)
spec="$here/$name"
mirror=${WHARF_STACK_MIRROR:-http://deb.debian.org/debian}

if [ ! -f "$spec/packages" ] || [ ! -f "$spec/suite" ]; then
  echo "stacks: no stack '$name' here (expected $spec/packages and $spec/suite)" >&2
  exit 2
fi
suite=$(tr -d ' \n' <"$spec/suite")
packages=$(sed 's/#.*//' "$spec/packages" | tr -s ' \t\n' '\n' | sed '/^$/d' | sort -u | paste -sd, -)
# What the stack is made of: a change to the list, the suite or the way it is built (bump
# `layout` when a change below changes the root file system) rebuilds it.
# The host's own trusted CAs (below) are part of it too.
layout=3
local_cas=(/usr/local/share/ca-certificates/*.crt)
[ -e "${local_cas[0]}" ] || local_cas=()
recipe=$( { printf '%s\n%s\n%s\n' "$layout" "$suite" "$packages"; cat "${local_cas[@]}" /dev/null; } | sha256sum | cut -d' ' -f1)

target="$stacks_dir/$name"
if [ -f "$target/stack.json" ] && grep -q "\"recipe\": \"$recipe\"" "$target/stack.json" &&
  [ -d "$target/rootfs/usr" ]; then
  echo "stacks: $name is up to date ($target)"
  exit 0
fi

mkdir -p "$target"
chmod 0755 "$stacks_dir" "$target"
root="$target/rootfs-${recipe:0:12}"
rm -rf "$root"
started=$(date +%s)
echo "stacks: building $name (Debian $suite, $(tr ',' '\n' <<<"$packages" | wc -l) packages) in $root; this takes minutes"

# Documentation and manual pages are left out (about 150 MB); copyright files stay. The empty
# man folders stay: update-alternatives (Java's postinst) links its pages into them.
mmdebstrap --mode=root --variant=apt --include="$packages" \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/info/*' \
  --essential-hook='for i in 1 2 3 4 5 6 7 8; do mkdir -p "$1/usr/share/man/man$i"; done' \
  --customize-hook='chroot "$1" groupadd -g 2000 vcap' \
  --customize-hook='chroot "$1" useradd -u 2000 -g 2000 -M -d /home/vcap -s /bin/bash vcap' \
  "$suite" "$root" "$mirror"

# Mount points of every container (the runtime mounts on them; the root itself stays read-only).
mkdir -p "$root/home/vcap/app" "$root/home/vcap/tmp" "$root/.wharf" "$root/proc" "$root/dev" "$root/tmp"
chown 2000:2000 "$root/home/vcap" "$root/home/vcap/app" "$root/home/vcap/tmp"
: >"$root/.wharf/init"
chmod 1777 "$root/tmp"
: >"$root/etc/resolv.conf"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
rm -rf "$root/var/cache/apt/archives"/*.deb "$root/var/lib/apt/lists"/*_Packages

# The certificate authorities the host trusts beyond Debian's (a company's, an egress proxy's: what
# an operator puts in /usr/local/share/ca-certificates) are trusted in the stack too, as Cloud
# Foundry's trusted system certificates are in its containers; npm reads the system's bundle.
if [ ${#local_cas[@]} -gt 0 ]; then
  mkdir -p "$root/usr/local/share/ca-certificates"
  cp "${local_cas[@]}" "$root/usr/local/share/ca-certificates/"
  chroot "$root" update-ca-certificates >/dev/null
fi
printf 'cafile=/etc/ssl/certs/ca-certificates.crt\n' >"$root/etc/npmrc"

# Go's standard library compiled ahead, with the go buildpack's flags (the defaults): the
# buildpack links it into each app's build cache, so a first Go build takes 0.5 s, not 15 s.
unshare -m -p -f --mount-proc="$root/proc" chroot "$root" /bin/sh -c \
  'GOCACHE=/usr/lib/wharf/go-build-cache GOTELEMETRY=off GOFLAGS= go build std && chmod -R a+rX /usr/lib/wharf'

# Versions of the runtimes, as `wharf stacks` shows them.
# (In a private /proc: Go and Java find themselves through /proc/self/exe.)
ver() {
  unshare -m -p -f --mount-proc="$root/proc" chroot "$root" /bin/sh -c "$1" 2>&1 | head -n1 | tr -d '"\\' || true
}
versions=$(
  printf '"go": "%s", ' "$(ver 'GOTELEMETRY=off go env GOVERSION' | sed 's/^go//')"
  printf '"ruby": "%s", ' "$(ver 'ruby -e "print RUBY_VERSION"')"
  printf '"python": "%s", ' "$(ver 'python3 -c "import platform; print(platform.python_version())"')"
  printf '"php": "%s", ' "$(ver 'php -r "echo PHP_VERSION;"')"
  printf '"java": "%s", ' "$(ver 'java -XshowSettings:properties -version 2>&1 | sed -n "s/.*java.version = //p"')"
  printf '"node": "%s", ' "$(ver 'node -v' | sed 's/^v//')"
  printf '"nginx": "%s", ' "$(ver 'nginx -v 2>&1' | sed 's/.*nginx\///')"
  printf '"httpd": "%s", ' "$(ver 'apache2 -v' | sed 's/.*Apache\///; s/ .*//')"
  printf '"tomcat": "%s"' "$(ver 'java -cp /usr/share/tomcat10/lib/catalina.jar org.apache.catalina.util.ServerInfo' | sed 's/.*Apache Tomcat\///; s/ .*//')"
)
size=$(du -sxb "$root" | cut -f1)
pretty=$(sed -n 's/^PRETTY_NAME="\(.*\)"$/\1/p' "$root/etc/os-release")
cat >"$target/stack.json.new" <<JSON
{"name": "$name", "description": "$pretty, from Debian packages",
 "suite": "$suite", "recipe": "$recipe", "built_at": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
 "size_bytes": $size, "versions": {$versions}}
JSON

# Older roots than the one being replaced go; the replaced one stays for instances still on it.
previous=$(readlink "$target/rootfs" 2>/dev/null || true)
for old in "$target"/rootfs-*; do
  case "$(basename "$old")" in "$(basename "$root")" | "$previous") ;; *) rm -rf "$old" ;; esac
done
ln -sfn "$(basename "$root")" "$target/rootfs.link"
mv -T "$target/rootfs.link" "$target/rootfs"
mv "$target/stack.json.new" "$target/stack.json"
echo "stacks: built $name in $(($(date +%s) - started)) s, $((size / 1048576)) MB ($target)"
