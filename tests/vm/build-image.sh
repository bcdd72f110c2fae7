#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# tests/vm/build-image.sh [--check] - the test VM's image: Debian 12
# (kernel 6.1 with BTF and nf_flow_table) debootstrapped into a folder,
# then made into an ext4 image. Needs root, debootstrap and e2fsprogs
# (tests/vm/vmdeps.sh). Cached: does nothing while the image is current.
#
# In FG_VM_DIR (default /var/tmp/flowguard-vm):
#   rootfs/  rootfs.stamp    the debootstrapped tree and what it was made
#                            from: a hash of tests/vm/packages, this script,
#                            the suite and the mirror; a different hash
#                            debootstraps again (about 2 minutes)
#   rootfs.img  vmlinuz  initrd.img  image.stamp
#                            the image boot.sh boots, remade (a few seconds)
#                            when the tree or tests/vm/vm-init.sh changed
# --check: exit 0 when the image is current, 1 when not; builds nothing.
# Environment: FG_VM_DIR, FG_VM_MIRROR (default http://deb.debian.org/debian,
# the host's Debian mirror), FG_VM_SUITE (bookworm), FG_VM_SIZE (1536M).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
dir=${FG_VM_DIR:-/var/tmp/flowguard-vm}
mirror=${FG_VM_MIRROR:-http://deb.debian.org/debian}
suite=${FG_VM_SUITE:-bookworm}
size=${FG_VM_SIZE:-1536M}

# the package list without comments and blank lines, comma-separated
pkgs=$(sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "$here/packages" | paste -sd,)
tree_stamp=$({
	echo "$suite $mirror $pkgs"
	cat "$here/build-image.sh"
} | sha256sum | cut -d' ' -f1)
image_stamp=$({
	echo "$tree_stamp $size"
	cat "$here/vm-init.sh"
} | sha256sum | cut -d' ' -f1)

current() { [[ -f $dir/$1 && $(cat "$dir/$1") == "$2" ]]; }
image_current()
{
	current rootfs.stamp "$tree_stamp" && current image.stamp "$image_stamp" &&
		[[ -f $dir/rootfs.img && -f $dir/vmlinuz && -f $dir/initrd.img ]]
}

if [[ ${1:-} == --check ]]; then
	image_current
	exit
fi
[[ $(id -u) == 0 ]] || { echo "build-image.sh: needs root" >&2; exit 1; }
mkdir -p "$dir"
# one builder at a time; a second waits and then finds the image current
exec 9>"$dir/.lock"
flock 9
image_current && exit 0

t0=$SECONDS
root=$dir/rootfs
if ! current rootfs.stamp "$tree_stamp" || [[ ! -d $root ]]; then
	echo "build-image.sh: debootstrap $suite from $mirror into $root (about 2 minutes)"
	rm -f "$dir/rootfs.stamp" "$dir/image.stamp"
	rm -rf "$root" "$root.new"
	debootstrap --variant=minbase --include="$pkgs" "$suite" "$root.new" "$mirror" \
		>"$dir/debootstrap.log" 2>&1 ||
		{ tail -n 20 "$dir/debootstrap.log" >&2; exit 1; }
	rm -rf "$root.new/var/cache/apt/archives/"*.deb "$root.new/var/lib/apt/lists/"*_*
	echo fgvm >"$root.new/etc/hostname"
	printf '/dev/vda / ext4 rw 0 1\n' >"$root.new/etc/fstab"
	mkdir -p "$root.new/mnt/fg" "$root.new/mnt/out"
	mv "$root.new" "$root"
	echo "$tree_stamp" >"$dir/rootfs.stamp"
	echo "build-image.sh: debootstrap took $((SECONDS - t0)) s"
fi

install -m 0755 "$here/vm-init.sh" "$root/sbin/fg-vm-init"
cp -L "$root"/boot/vmlinuz-* "$dir/vmlinuz"
cp -L "$root"/boot/initrd.img-* "$dir/initrd.img"
rm -f "$dir/image.stamp" "$dir/rootfs.img.new"
mkfs.ext4 -q -F -L fgvm -d "$root" "$dir/rootfs.img.new" "$size"
mv "$dir/rootfs.img.new" "$dir/rootfs.img"
echo "$image_stamp" >"$dir/image.stamp"
echo "build-image.sh: image $dir/rootfs.img (kernel $(ls "$root/lib/modules")) in $((SECONDS - t0)) s"
