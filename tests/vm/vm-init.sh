#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# tests/vm/vm-init.sh - PID 1 of the test VM (the image has it as
# /sbin/fg-vm-init; boot.sh boots with init=/sbin/fg-vm-init, or
# rdinit= where the root is the initramfs: arm64). Mounts what
# the tests need and boot.sh's two 9p shares, the flowguard tree (built)
# at /mnt/fg, read-only, and the results folder at /mnt/out; then runs
# /mnt/fg/tests/vm/run-tests.sh with the filter of fg.filter= (commas)
# into /mnt/out/vmtest.log, writes its exit status to /mnt/out/rc and
# powers off. fg.shell=1: a shell on the console instead.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb
mnt() { mountpoint -q "$3" || mount -t "$1" "$2" "$3"; }
mnt proc proc /proc
mnt sysfs sysfs /sys
mnt devtmpfs devtmpfs /dev
mnt tmpfs tmpfs /run
mnt tmpfs tmpfs /tmp
mnt bpf bpf /sys/fs/bpf
mnt debugfs debugfs /sys/kernel/debug
mount -o remount,rw /
mkdir -p /run/netns /var/run
hostname fgvm
ip link set lo up
# virtio_pci: built in on amd64, a module on arm64
modprobe -a virtio_pci 9p 9pnet_virtio
for share in fg out; do
	mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 "$share" "/mnt/$share" ||
		echo "fg-vm-init: 9p share $share missing" >&2
done

arg() { sed -n "s/.*[[:space:]]$1=\([^[:space:]]*\).*/\1/p" /proc/cmdline; }
rc=1
if [[ $(arg fg.shell) == 1 ]]; then
	cd /mnt/fg && bash -i </dev/console >/dev/console 2>&1
	rc=0
elif cd /mnt/fg; then
	BUILD=$(arg fg.build) bash tests/vm/run-tests.sh "$(arg fg.filter)" \
		>/mnt/out/vmtest.log 2>&1
	rc=$?
fi
echo "$rc" >/mnt/out/rc
sync
echo o >/proc/sysrq-trigger
sleep 30
