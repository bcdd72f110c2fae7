#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# tests/vm/build-image-debs.sh [--check] - the test VM's image for another
# CPU (FG_VM_ARCH, default arm64; make vmtest-arm64): Debian 12's packages
# of that architecture, resolved by apt against the host's apt lists (the
# architecture added by scripts/install-crossdeps.sh), fetched with
# `apt-get download` and unpacked with `dpkg-deb -x`. No maintainer script
# runs: debootstrap's second stage would run them all under qemu-user (31
# minutes for arm64 here). The tree becomes an initramfs: the whole root
# in RAM, so the kernel boots without a disk or a filesystem module.
#
# In FG_VM_DIR (default /var/tmp/flowguard-vm-ARCH):
#   debs/  debs.list         the .debs and what apt resolved (name version
#                            arch), fetched again only when that changes
#   rootfs/  rootfs.stamp    the unpacked tree and a hash of debs.list,
#                            this script and tests/vm/vm-init.sh
#   vmlinuz  initrd.img  image.stamp
#                            what boot.sh boots (FG_VM_ARCH=ARCH)
# Packages: tests/vm/packages (its linux-image-amd64 becomes the arch's
# kernel) and tests/vm/packages-base (what debootstrap would bring).
# --check: exit 0 when the image is current, 1 when not; builds nothing.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
arch=${FG_VM_ARCH:-arm64}
[[ $arch =~ ^[a-z0-9]+$ ]] || { echo "build-image-debs.sh: bad arch '$arch'" >&2; exit 2; }
dir=${FG_VM_DIR:-/var/tmp/flowguard-vm-$arch}
# never the x86 harness's folder: other runs use it
[[ $(realpath -m "$dir") != /var/tmp/flowguard-vm ]] ||
	{ echo "build-image-debs.sh: $dir is the amd64 image's folder" >&2; exit 2; }

# apt as if this host were ARCH with nothing installed: the whole
# dependency closure, of ARCH (or all), from the host's lists
apt_opts=(-q -o "APT::Architecture=$arch" -o "APT::Architectures::=$arch"
	-o APT::Install-Recommends=false -o "Dir::State::status=$dir/apt-status")
# needed only by the kernel package's maintainer scripts (initramfs,
# which we make ourselves)
# or a running udev; usrmerge (and with it perl) only converts an
# unmerged /usr, which we lay out merged
skip_re='^(initramfs-tools|initramfs-tools-core|klibc-utils|libklibc|linux-base|udev|logsave|cpio|usrmerge|perl|perl-modules-.*|libperl.*|lib.*-perl|libgdbm.*)$'

pkgs=$(sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' \
	-e "s/^linux-image-amd64\$/linux-image-$arch/" \
	"$here/packages" "$here/packages-base" | sort -u)

resolve()
{
	: >"$dir/apt-status"
	# shellcheck disable=SC2086
	# "Inst NAME (VERSION SUITE [ARCH])", a " [...]" may follow
	apt-get -s "${apt_opts[@]}" install $pkgs 2>"$dir/apt.err" |
		sed -n 's/^Inst \([^ ]*\) (\([^ ]*\) [^[]*\[\([a-z0-9]*\)\]).*/\1 \2 \3/p' |
		awk -v skip="$skip_re" '$1 !~ skip' | sort
}

current() { [[ -f $dir/$1 && $(cat "$dir/$1") == "$2" ]]; }

mkdir -p "$dir"
exec 9>"$dir/.lock"
flock 9
list=$(resolve)
[[ -n $list ]] || { cat "$dir/apt.err" >&2; echo "build-image-debs.sh: apt resolved nothing for $arch" >&2; exit 1; }
tree_stamp=$({
	echo "$arch $list"
	cat "$here/build-image-debs.sh" "$here/vm-init.sh"
} | sha256sum | cut -d' ' -f1)
image_current()
{
	current rootfs.stamp "$tree_stamp" && current image.stamp "$tree_stamp" &&
		[[ -f $dir/vmlinuz && -f $dir/initrd.img ]]
}
if [[ ${1:-} == --check ]]; then
	image_current
	exit
fi
[[ $(id -u) == 0 ]] || { echo "build-image-debs.sh: needs root" >&2; exit 1; }
image_current && exit 0

t0=$SECONDS
echo "$list" >"$dir/debs.list"
mkdir -p "$dir/debs"
# fetch what is not there yet; drop what apt no longer wants
# (apt fetches as its own user _apt: the folder is theirs)
chown _apt: "$dir/debs" 2>/dev/null || true
want=() fetch=()
while read -r name version parch; do
	file="${name}_${version//:/%3a}_$parch.deb"
	want+=("$file")
	[[ -f $dir/debs/$file ]] || fetch+=("$name=$version")
done <<<"$list"
if ((${#fetch[@]})); then
	(cd "$dir/debs" && apt-get download "${apt_opts[@]}" "${fetch[@]}" >/dev/null) ||
		{ echo "build-image-debs.sh: apt-get download failed" >&2; exit 1; }
fi
for f in "$dir"/debs/*.deb; do
	[[ " ${want[*]} " == *" ${f##*/} "* ]] || rm -f "$f"
done
echo "build-image-debs.sh: ${#want[@]} packages of $arch in $dir/debs ($((SECONDS - t0)) s)"

root=$dir/rootfs
rm -f "$dir/rootfs.stamp" "$dir/image.stamp"
rm -rf "$root" "$root.new"
mkdir -p "$root.new"
for f in "${want[@]}"; do
	dpkg-deb -x "$dir/debs/$f" "$root.new"
done
# merged /usr, as debootstrap lays it out for bookworm
for d in bin sbin lib; do
	[[ -d $root.new/$d && ! -L $root.new/$d ]] || continue
	mkdir -p "$root.new/usr/$d"
	cp -a "$root.new/$d/." "$root.new/usr/$d/"
	rm -rf "${root:?}.new/$d"
	ln -s "usr/$d" "$root.new/$d"
done
# what maintainer scripts would have made: accounts, /bin/sh, awk. No
# linker's cache: the host's ldconfig skips another CPU's libraries, and
# Debian's ld.so searches the multiarch folders without one
cp "$root.new/usr/share/base-passwd/passwd.master" "$root.new/etc/passwd"
cp "$root.new/usr/share/base-passwd/group.master" "$root.new/etc/group"
[[ -e $root.new/usr/bin/sh ]] || ln -s dash "$root.new/usr/bin/sh"
[[ -e $root.new/usr/bin/awk ]] || ln -s mawk "$root.new/usr/bin/awk"
echo fgvm >"$root.new/etc/hostname"
mkdir -p "$root.new"/{proc,sys,dev,run,tmp,mnt/fg,mnt/out,var/run}
# the kernel's modules: the few trees the tests load from (net, 9p,
# virtio, crypto and lib for their dependencies); the rest (drivers,
# sound, ...) would only fill the VM's RAM
kver=$(ls "$root.new/lib/modules")
mods=$root.new/lib/modules/$kver/kernel
for d in "$mods"/* "$mods"/drivers/* "$mods"/drivers/net/* "$mods"/fs/*; do
	case ${d#"$mods"/} in
	net | crypto | lib | arch | drivers | fs | drivers/virtio | drivers/net | \
		drivers/net/*.ko | fs/9p | fs/netfs | fs/fscache) ;;
	*) rm -rf "$d" ;;
	esac
done
depmod -b "$root.new" "$kver"
mv "$root.new/boot/vmlinuz-$kver" "$dir/vmlinuz"
rm -rf "$root.new/boot" "$root.new/usr/lib/linux-image-$kver" "$root.new/usr/share/doc" "$root.new/usr/share/man" \
	"$root.new/usr/share/locale" "$root.new/usr/share/info"
install -m 0755 "$here/vm-init.sh" "$root.new/sbin/fg-vm-init"
mv "$root.new" "$root"
echo "$tree_stamp" >"$dir/rootfs.stamp"

rm -f "$dir/initrd.img.new"
(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) >"$dir/initrd.img.new"
mv "$dir/initrd.img.new" "$dir/initrd.img"
echo "$tree_stamp" >"$dir/image.stamp"
echo "build-image-debs.sh: image $dir/initrd.img ($(du -h "$dir/initrd.img" | cut -f1), kernel $kver) in $((SECONDS - t0)) s"
