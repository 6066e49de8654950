#!/bin/sh
# Installs the Debian packages a make target needs, when they are missing.
# Usage: tools/install-deps.sh build|test|bench
# Runs without standard input; needs root (or sudo) only when something is
# actually missing.
set -eu

build="gcc make pkg-config libmicrohttpd-dev libcurl4-openssl-dev
	libcjson-dev libsqlite3-dev libsodium-dev libunistring-dev libpq-dev"
test="$build libcmocka-dev openssl curl postgresql postgresql-client chromium"
bench="$build wrk nginx-light sqlite3 curl postgresql postgresql-client"

case "${1:-build}" in
build) want=$build ;;
test) want=$test ;;
bench) want=$bench ;;
*) echo "usage: $0 build|test|bench" >&2; exit 2 ;;
esac

missing=
for p in $want; do
	s=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$s" in
	*"ok installed") ;;
	*) missing="$missing $p" ;;
	esac
done
if ! command -v node >/dev/null 2>&1 && [ "${1:-build}" != build ]; then
	missing="$missing nodejs npm"
fi
[ -z "$missing" ] && exit 0

echo "installing:$missing" >&2
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq </dev/null >&2
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing </dev/null >&2
