#!/bin/sh
# The dependency step of `make run` and `make test`: every library and tool the build and the
# tests need, as Debian 12 packages. Installs what is missing when run as root; otherwise prints
# the exact command to run.
set -u
PKGS="gcc make pkg-config libcurl4-openssl-dev libcjson-dev libsqlite3-dev libwebsockets-dev
libinih-dev libsodium-dev libreadline-dev sqlite3 perl python3 faketime curl valgrind
clang libclang-rt-14-dev tzdata"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
	echo "deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y --no-install-recommends $missing >/dev/null ||
	{ apt-get update >/dev/null && apt-get install -y --no-install-recommends $missing >/dev/null; } ||
	{ echo "deps: apt-get failed; run: apt-get install$missing" >&2; exit 1; }
else
	echo "deps: missing packages; run: sudo apt-get install$missing" >&2
	exit 1
fi
