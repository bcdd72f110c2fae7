#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# tests/vm/vmdeps.sh - the host packages `make vmtest` needs (Debian):
# qemu-system-x86 (the VM), debootstrap and e2fsprogs (its image).
# Idempotent: apt-get runs only when one of the commands is missing.
set -euo pipefail

missing=()
command -v qemu-system-x86_64 >/dev/null || missing+=(qemu-system-x86)
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v mkfs.ext4 >/dev/null || missing+=(e2fsprogs)
((${#missing[@]})) || exit 0
[[ $(id -u) == 0 ]] || { echo "vmdeps.sh: needs root to install ${missing[*]}" >&2; exit 1; }
echo "vmdeps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
