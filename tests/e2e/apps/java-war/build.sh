#!/usr/bin/env bash
# Rebuilds hello.war from src/ (needs a JDK and Tomcat 10's servlet API, Debian's libtomcat10-java).
set -euo pipefail
cd "$(dirname "$0")"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
mkdir -p "$out/WEB-INF/classes"
javac --release 17 -cp /usr/share/java/tomcat10-servlet-api.jar -d "$out/WEB-INF/classes" src/Hello.java
cp src/index.html "$out/"
jar --create --file hello.war -C "$out" .
