# shellcheck shell=bash
# Helpers shared by the PHP buildpack's scripts (sourced).

# A string field of the app's .bp-config/options.json (Cloud Foundry's PHP buildpack): WEBSERVER, WEBDIR.
options_field() {
  [ -f "$1/.bp-config/options.json" ] || return 0
  sed -n -E "s/.*\"$2\"[[:space:]]*:[[:space:]]*\"([^\"]*)\".*/\\1/p" "$1/.bp-config/options.json" | head -n 1
}

# A key of the php: section of the app's buildpack.yml (Paketo's: php.webserver, php.webdirectory).
buildpack_yml_field() {
  [ -f "$1/buildpack.yml" ] || return 0
  awk -v key="$2" '
    /^[^[:space:]#]/ { in_php = ($1 == "php:") ; next }
    in_php && $1 == key ":" { v = $2; gsub(/^["'\'']|["'\'']$/, "", v); print v; exit }
  ' "$1/buildpack.yml"
}

# The web server the app asks for, and where it says so: "SERVER SOURCE" (SERVER: httpd,
# nginx, php-server or none, as given; SOURCE: BP_PHP_SERVER, buildpack.yml or
# .bp-config/options.json), or nothing.
chosen_server() {
  local v
  if [ -n "${BP_PHP_SERVER:-}" ]; then echo "$BP_PHP_SERVER BP_PHP_SERVER"; return 0; fi
  v=$(buildpack_yml_field "$1" webserver)
  if [ -n "$v" ]; then echo "$v buildpack.yml"; return 0; fi
  v=$(options_field "$1" WEBSERVER)
  if [ -n "$v" ]; then echo "$v .bp-config/options.json"; fi
}

# The document root, relative to the app: BP_PHP_WEB_DIR, buildpack.yml's
# php.webdirectory, options.json's WEBDIR, else htdocs/ or public/ when present, else ".".
doc_root() {
  local d=${BP_PHP_WEB_DIR:-}
  [ -n "$d" ] || d=$(buildpack_yml_field "$1" webdirectory)
  [ -n "$d" ] || d=$(options_field "$1" WEBDIR)
  if [ -z "$d" ]; then
    d=.
    for c in htdocs public; do
      if [ -d "$1/$c" ]; then d=$c; break; fi
    done
  fi
  d=${d#./}
  d=${d%/}
  echo "${d:-.}"
}

# The stack's php-fpm (Debian names it php-fpmX.Y), or nothing.
find_php_fpm() {
  local f
  for f in /usr/sbin/php-fpm /usr/sbin/php-fpm[0-9]*; do
    if [ -x "$f" ]; then echo "$f"; return 0; fi
  done
  command -v php-fpm 2> /dev/null || true
}
