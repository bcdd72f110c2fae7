#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# tests/vm/vmdeps.sh [ARCH] - the host packages `make vmtest` needs
# (Debian). ARCH amd64 (default): qemu-system-x86 (the VM), debootstrap
# and e2fsprogs (its image). ARCH arm64 (`make vmtest-arm64`):
# qemu-system-arm, and for build-image-debs.sh cpio and kmod (depmod);
# the arch's apt lists come with scripts/install-crossdeps.sh.
# Idempotent: apt-get runs only when one of the commands is missing.
set -euo pipefail

arch=${1:-amd64}
missing=()
case $arch in
amd64)
	command -v qemu-system-x86_64 >/dev/null || missing+=(qemu-system-x86)
	command -v debootstrap >/dev/null || missing+=(debootstrap)
	command -v mkfs.ext4 >/dev/null || missing+=(e2fsprogs)
	;;
arm64)
	command -v qemu-system-aarch64 >/dev/null || missing+=(qemu-system-arm)
	command -v cpio >/dev/null || missing+=(cpio)
	command -v depmod >/dev/null || [[ -x /usr/sbin/depmod ]] || missing+=(kmod)
	;;
*)
	echo "vmdeps.sh: no VM for architecture '$arch' (amd64, arm64)" >&2
	exit 2
	;;
esac
((${#missing[@]})) || exit 0
[[ $(id -u) == 0 ]] || { echo "vmdeps.sh: needs root to install ${missing[*]}" >&2; exit 1; }
echo "vmdeps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
