#!/usr/bin/env bash
# Installs the system tools the local stack builds its engines with: a Java runtime and Maven
# (Kafka from Maven Central jars), Go (FerretDB), kcat (publishing as a hospital does),
# wrk (make bench's HTTP load) and chromium with its driver (the pages' browser tests). Uses
# apt-get when run as root on Debian; otherwise says what is missing. Go older than go.mod wants fetches its toolchain via the Go
# module proxy (GOTOOLCHAIN=auto), so Debian's golang is enough.
set -euo pipefail
need=()
command -v python3 >/dev/null || need+=(python3 python3-venv)
command -v java >/dev/null || need+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || need+=(maven)
command -v go >/dev/null || need+=(golang-go)
command -v git >/dev/null || need+=(git)  # applies infra/ferretdb/patches before the build
command -v kcat >/dev/null || need+=(kcat)  # how hospitals publish in the README and e2e tests
command -v wrk >/dev/null || need+=(wrk)  # make bench: record reads under 100 connections
command -v chromium >/dev/null || need+=(chromium)  # the pages' tests: a real browser
command -v chromedriver >/dev/null || need+=(chromium-driver)  # ... driven by Selenium
command -v npm >/dev/null || need+=(npm)  # ... and axe-core, run inside each page
python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "system-deps: installing ${need[*]} with apt-get" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
else
  echo "system-deps: missing ${need[*]}; install them (Debian/Ubuntu: sudo apt-get install ${need[*]})" >&2
  exit 1
fi
