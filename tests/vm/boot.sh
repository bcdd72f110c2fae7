#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# tests/vm/boot.sh [FILTER[,FILTER...]] - run the VM tests: make the image
# if it is not current (build-image.sh), boot it, run tests/vm/run-tests.sh
# inside (tests whose name contains one of the FILTERs; all without),
# power off. Prints the tests' PASS/FAIL lines as they come and ends with
# their "N passed, N failed"; exit status 1 when any failed or the VM did
# not finish. Run from a built flowguard tree (make tests-build).
# tests/vm/boot.sh --shell: a shell on the VM's console instead.
# tests/vm/boot.sh --bench NAME: tests/vm/bench-NAME.sh instead of the
# tests (make vmbench); the environment's FG_VB_* and FG_BASE_BIN go
# into the VM (on the kernel command line: no spaces, lists with commas);
# results in FG_VM_DIR/out-bench by default.
#
# The VM sees the tree at /mnt/fg (read-only) and FG_VM_OUT at /mnt/out:
# vmtest.log (the runner's output), logs/NAME.log (each test's own log),
# console.log (the VM's console), rc. The image is opened with
# snapshot=on: a run never changes it.
# FG_VM_ARCH=arm64 (make vmtest-arm64): Debian 12's arm64 kernel under
# qemu-system-aarch64 (-M virt), its root an initramfs of extracted arm64
# .debs (build-image-debs.sh), in FG_VM_DIR /var/tmp/flowguard-vm-arm64;
# BUILD must then hold an arm64 build (make CROSS_COMPILE=aarch64-linux-gnu-).
# Environment: FG_VM_ARCH (amd64), FG_VM_DIR (image, default
# /var/tmp/flowguard-vm, /var/tmp/flowguard-vm-ARCH for another arch), FG_VM_OUT
# (default FG_VM_DIR/out, out-bench with --bench), FG_VM_ACCEL (default kvm when /dev/kvm is
# usable and ARCH is the host's, else tcg), FG_VM_CPU (arm64: cortex-a57),
# FG_VM_SMP (default 2), FG_VM_MEM (MiB, 1024; arm64 1536: the root is in RAM),
# FG_VM_TIMEOUT (seconds for the whole run, 1800), BUILD (build folder,
# relative to the tree, default build).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
fg=$(cd "$here/../.." && pwd)
arch=${FG_VM_ARCH:-amd64}
case $arch in
amd64) dir=${FG_VM_DIR:-/var/tmp/flowguard-vm} builder=build-image.sh ;;
arm64) dir=${FG_VM_DIR:-/var/tmp/flowguard-vm-$arch} builder=build-image-debs.sh ;;
*) echo "boot.sh: no VM for architecture '$arch' (amd64, arm64)" >&2; exit 2 ;;
esac
build=${BUILD:-build}
limit=${FG_VM_TIMEOUT:-1800}
shell=
filter=
bench=
case ${1:-} in
--shell) shell=1 ;;
--bench) bench=${2:-}; filter=bench_$bench ;;
-h | --help) sed -n '4,31p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
*) filter=${1:-} ;;
esac
out=${FG_VM_OUT:-$dir/out${bench:+-bench}}
[[ -z $bench || -f $here/bench-$bench.sh ]] ||
	{ echo "boot.sh: no tests/vm/bench-$bench.sh" >&2; exit 2; }
[[ $filter =~ ^[A-Za-z0-9_,]*$ ]] || { echo "boot.sh: bad filter '$filter'" >&2; exit 2; }
[[ $build != /* && $build != *..* ]] ||
	{ echo "boot.sh: BUILD must be a folder inside the tree" >&2; exit 2; }

fail_summary()
{
	echo "FAIL vm ($1)"
	echo "0 passed, 1 failed"
	exit 1
}

[[ -x $fg/$build/flowguard && -x $fg/$build/tests/tools/fg_echo ]] ||
	{ echo "boot.sh: $fg/$build not built: make tests-build" >&2; exit 1; }
# the ELF header's machine (byte 18): a build for the VM's CPU
machine=$(od -An -tu1 -j18 -N1 "$fg/$build/flowguard" | tr -d ' ')
case $arch:$machine in
amd64:62 | arm64:183) ;;
*) echo "boot.sh: $build/flowguard is not an $arch binary (ELF machine $machine)" >&2; exit 1 ;;
esac
FG_VM_DIR=$dir FG_VM_ARCH=$arch "$here/$builder" ||
	fail_summary "no image: $builder failed"

accel=${FG_VM_ACCEL:-}
if [[ -z $accel ]]; then
	accel=tcg
	# usable: present, and we may open it
	host=$(uname -m | sed -e 's/x86_64/amd64/' -e 's/aarch64/arm64/')
	if [[ $host == "$arch" && -c /dev/kvm ]] && (: <>/dev/kvm) 2>/dev/null; then
		accel=kvm
	fi
fi
smp=${FG_VM_SMP:-2}
mkdir -p "$out"
rm -rf "$out/rc" "$out/vmtest.log" "$out/logs" "$out/console.log"
: >"$out/vmtest.log"

if [[ $arch == amd64 ]]; then
	append="root=/dev/vda rw console=ttyS0 init=/sbin/fg-vm-init"
else
	# the whole root is the initramfs: its init is ours
	append="console=ttyAMA0 rdinit=/sbin/fg-vm-init"
fi
append+=" panic=-1 loglevel=4"
append+=" fg.build=$build fg.filter=$filter${shell:+ fg.shell=1}"
# a bench's settings: the kernel hands NAME=VALUE words it does not know
# (no dot in NAME) to init's environment, which the runner inherits
if [[ -n $bench ]]; then
	for v in $(compgen -v FG_VB_) FG_BASE_BIN; do
		[[ -n ${!v:-} ]] || continue
		[[ ${!v} =~ ^[A-Za-z0-9_.,/:-]+$ ]] ||
			{ echo "boot.sh: $v: letters, digits and _.,/:- only" >&2; exit 2; }
		append+=" $v=${!v}"
	done
fi
if [[ $arch == amd64 ]]; then
	qemu=(qemu-system-x86_64 -machine "q35,accel=$accel" -cpu max
		-m "${FG_VM_MEM:-1024}"
		-drive "file=$dir/rootfs.img,if=virtio,format=raw,snapshot=on")
else
	qemu=(qemu-system-aarch64 -machine "virt,accel=$accel"
		-cpu "${FG_VM_CPU:-cortex-a57}" -m "${FG_VM_MEM:-1536}")
fi
qemu+=(-smp "$smp" -no-reboot -nic none
	-kernel "$dir/vmlinuz" -initrd "$dir/initrd.img" -append "$append"
	-virtfs "local,path=$fg,mount_tag=fg,security_model=none,readonly=on"
	-virtfs "local,path=$out,mount_tag=out,security_model=none")

if [[ -n $shell ]]; then
	exec "${qemu[@]}" -nographic
fi

t0=$SECONDS
echo "# VM: $arch, $accel, $smp CPUs, image in $dir; logs in $out"
timeout -k 10 "$limit" "${qemu[@]}" -display none -serial "file:$out/console.log" \
	</dev/null &
qpid=$!
# the runner's lines as they come, all but its summary (printed last)
summary_re='^[0-9]+ passed, [0-9]+ failed$'
tail -n +1 -F --pid="$qpid" "$out/vmtest.log" 2>/dev/null | grep -Ev --line-buffered "$summary_re" || true
qrc=0
wait "$qpid" || qrc=$?
echo "# VM: $((SECONDS - t0)) s"
((qrc != 124 && qrc != 137)) || fail_summary "timed out after $limit s; see $out/console.log"
[[ -f $out/rc ]] || fail_summary "the VM did not finish (qemu status $qrc); see $out/console.log"
last=$(tail -n 1 "$out/vmtest.log")
[[ $last =~ $summary_re ]] || fail_summary "the runner ended without a summary; see $out/vmtest.log"
echo "$last"
[[ $(cat "$out/rc") == 0 && $last == *" 0 failed" ]]
