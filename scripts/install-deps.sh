#!/bin/sh
# Install the Debian packages flowguard needs to build, test and demo;
# with arguments, those packages instead (install-crossdeps.sh).
# Idempotent: does nothing when everything is present.
set -eu

PKGS="clang llvm libbpf-dev bpftool libmnl-dev libnetfilter-conntrack-dev libelf-dev zlib1g-dev
pkg-config make gcc libc6-dev linux-libc-dev iproute2 nftables conntrack
util-linux procps strace jq valgrind libclang-rt-dev python3 time groff-base"
# every shell script of the OpenWrt package and of the tests is checked
PKGS="$PKGS shellcheck"
[ $# -eq 0 ] || PKGS="$*"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages:$missing (run as root)" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
