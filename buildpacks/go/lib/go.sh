# shellcheck shell=bash
# Helpers shared by the Go buildpack's scripts (sourced).

# A Go's version (1.19.8) from GOROOT/VERSION, without running it; else by asking it.
go_version() {
  local root version=""
  root=$(readlink -f "$1")
  root=${root%/bin/go}
  if [ -f "$root/VERSION" ]; then read -r version < "$root/VERSION" || true; fi
  case "$version" in
    go[0-9]*) echo "${version#go}" ;;
    *) "$1" env GOVERSION 2> /dev/null | sed 's/^go//' ;;
  esac
}

# version_gt A B: true when version A is newer than B (1.21 > 1.19.8).
version_gt() {
  [ "$1" != "$2" ] && [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | tail -n 1)" = "$1" ]
}

# A version's language line: 1.24.4 -> 1.24, 1.22 -> 1.22.
go_minor() {
  local IFS=.
  # shellcheck disable=SC2086
  set -- $1
  echo "$1.${2:-0}"
}

# The Go on the stack to build with (prints its path): the newest one of the
# language version WANT (1.22 for `go 1.22.3`) when the stack has it, else the
# newest of all. Looks at /usr/lib/go-*/bin/go and `go` on PATH.
choose_go() {
  local want=${1:-} best="" best_version="" match="" match_version="" candidate version
  for candidate in /usr/lib/go-*/bin/go "$(command -v go 2> /dev/null || true)"; do
    [ -x "$candidate" ] || continue
    version=$(go_version "$candidate") || continue
    [ -n "$version" ] || continue
    if [ -z "$best" ] || version_gt "$version" "$best_version"; then
      best=$candidate
      best_version=$version
    fi
    if [ -n "$want" ] && [ "$(go_minor "$version")" = "$(go_minor "$want")" ] &&
       { [ -z "$match" ] || version_gt "$version" "$match_version"; }; then
      match=$candidate
      match_version=$version
    fi
  done
  if [ -n "$match" ]; then echo "$match"; elif [ -n "$best" ]; then echo "$best"; else return 1; fi
}

# A top-level string field of a small JSON file (Godeps.json's ImportPath): jq when the stack has it,
# else the field's first occurrence (top-level fields come before the nested ones in these files).
json_field() {
  if command -v jq > /dev/null; then
    jq -r --arg k "$2" '.[$k] // empty' "$1" 2> /dev/null || true
  else
    sed -n -E "s/^[[:space:]]*\"$2\"[[:space:]]*:[[:space:]]*\"([^\"]*)\".*/\\1/p" "$1" | head -n 1
  fi
}

# The module path (go.mod) of the app.
module_path() {
  [ -f "$1/go.mod" ] || return 0
  awk '$1 == "module" { print $2; exit }' "$1/go.mod" | tr -d '"'
}

# The app's import path: go.mod's module; without go.mod (GOPATH layout, as Cloud
# Foundry's go buildpack) GOPACKAGENAME, else Godeps/Godeps.json's ImportPath, else
# vendor/vendor.json's rootPath. Empty when none says.
package_name() {
  local build=$1 name=""
  if [ -f "$build/go.mod" ]; then
    module_path "$build"
    return 0
  fi
  if [ -n "${GOPACKAGENAME:-}" ]; then
    name=$GOPACKAGENAME
  elif [ -f "$build/Godeps/Godeps.json" ]; then
    name=$(json_field "$build/Godeps/Godeps.json" ImportPath)
  elif [ -f "$build/vendor/vendor.json" ]; then
    name=$(json_field "$build/vendor/vendor.json" rootPath)
  fi
  echo "$name"
}

# The Go version the app asks for: go.mod's go line; without go.mod, GOVERSION
# (go1.22 or 1.22), else Godeps.json's GoVersion.
wanted_go() {
  local v=""
  if [ -f "$1/go.mod" ]; then
    v=$(awk '$1 == "go" { print $2; exit }' "$1/go.mod")
  elif [ -n "${GOVERSION:-}" ]; then
    v=$GOVERSION
  elif [ -f "$1/Godeps/Godeps.json" ]; then
    v=$(json_field "$1/Godeps/Godeps.json" GoVersion)
  fi
  v=${v#go}
  case "$v" in [0-9]*) echo "$v" ;; esac
}

# Whether there is Go code to build: a go.mod, a GOPATH tool's file, or .go files at the root.
has_go_app() {
  [ -f "$1/go.mod" ] || [ -f "$1/Godeps/Godeps.json" ] || [ -f "$1/vendor/vendor.json" ] ||
    compgen -G "$1/*.go" > /dev/null
}

# The name `go build` gives the binary of an import path: its last element, but
# for a major-version suffix (example.com/app/v2 -> app).
exec_name() {
  local p=${1%/}
  case "${p##*/}" in
    v[2-9] | v[1-9][0-9]*) p=${p%/*} ;;
  esac
  echo "${p##*/}"
}

# The binary the web process runs: the app's own package, or the first of
# GO_INSTALL_PACKAGE_SPEC (./cmd/server -> server).
binary_name() {
  local spec=${GO_INSTALL_PACKAGE_SPEC:-.} first
  first=${spec%% *}
  if [ "$first" = . ] || [ "$first" = ./ ]; then
    exec_name "$(package_name "$1")"
  else
    exec_name "$first"
  fi
}
