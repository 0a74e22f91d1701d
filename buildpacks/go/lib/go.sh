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

# The newest Go on the stack: /usr/lib/go-*/bin/go and `go` on PATH. Prints its path.
newest_go() {
  local best="" best_version="" candidate version
  for candidate in /usr/lib/go-*/bin/go "$(command -v go 2> /dev/null || true)"; do
    [ -x "$candidate" ] || continue
    version=$(go_version "$candidate") || continue
    [ -n "$version" ] || continue
    if [ -z "$best" ] || version_gt "$version" "$best_version"; then
      best=$candidate
      best_version=$version
    fi
  done
  [ -n "$best" ] && echo "$best"
}

# version_gt A B: true when version A is newer than B (1.21 > 1.19.8).
version_gt() {
  [ "$1" != "$2" ] && [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | tail -n 1)" = "$1" ]
}

# The module's name and the Go version go.mod asks for.
module_path() { awk '$1 == "module" { print $2; exit }' "$1/go.mod" | tr -d '"'; }
wanted_go() { awk '$1 == "go" { print $2; exit }' "$1/go.mod"; }
