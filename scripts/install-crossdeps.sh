#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# scripts/install-crossdeps.sh [DEBIAN_ARCH] - what a cross build of
# flowguard for DEBIAN_ARCH (default arm64) needs on a Debian host:
# Debian's cross compiler for it and the target's -dev packages through
# multiarch (`dpkg --add-architecture`). `make crossdeps` calls it; the
# clang and bpftool of `make deps` build the BPF objects (arch-neutral).
# Idempotent: does nothing when everything is present.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
arch=${1:-arm64}
case $arch in
*[!a-z0-9]* | '')
	echo "install-crossdeps: bad architecture '$arch'" >&2
	exit 2
	;;
esac
triplet=$(dpkg-architecture -a "$arch" -qDEB_HOST_GNU_TYPE 2>/dev/null) || {
	echo "install-crossdeps: unknown Debian architecture '$arch'" >&2
	exit 2
}

# Packages of another architecture need it in dpkg's list first (their
# apt lists come with install-deps.sh's apt-get update).
if [ "$arch" != "$(dpkg --print-architecture)" ] &&
	! dpkg --print-foreign-architectures | grep -qx "$arch"; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "install-crossdeps: architecture $arch not added (run as root)" >&2
		exit 1
	fi
	echo "install-crossdeps: dpkg --add-architecture $arch"
	dpkg --add-architecture "$arch"
fi
# the compiler and the libraries flowguard links against (Makefile:
# libbpf, libmnl, libnetfilter_conntrack, and libbpf's own libelf and
# zlib), for the target
exec "$here/install-deps.sh" "gcc-$triplet" "libc6-dev:$arch" \
	"linux-libc-dev:$arch" "libbpf-dev:$arch" "libmnl-dev:$arch" \
	"libnetfilter-conntrack-dev:$arch" "libelf-dev:$arch" "zlib1g-dev:$arch"
