#!/usr/bin/env bash
# Rebuilds hello.jar from src/ (needs a JDK): an executable jar with Main-Class.
set -euo pipefail
cd "$(dirname "$0")"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
javac --release 17 -d "$out" src/hello/Main.java
jar --create --file hello.jar --main-class hello.Main -C "$out" .
