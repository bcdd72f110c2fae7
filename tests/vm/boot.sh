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
# Environment: FG_VM_DIR (image, default /var/tmp/flowguard-vm), FG_VM_OUT
# (default FG_VM_DIR/out, out-bench with --bench), FG_VM_ACCEL (default kvm when /dev/kvm is
# usable, else tcg), FG_VM_SMP (default 2), FG_VM_MEM (MiB, 1024),
# FG_VM_TIMEOUT (seconds for the whole run, 1800), BUILD (build folder,
# relative to the tree, default build).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
fg=$(cd "$here/../.." && pwd)
dir=${FG_VM_DIR:-/var/tmp/flowguard-vm}
build=${BUILD:-build}
limit=${FG_VM_TIMEOUT:-1800}
shell=
filter=
bench=
case ${1:-} in
--shell) shell=1 ;;
--bench) bench=${2:-}; filter=bench_$bench ;;
-h | --help) sed -n '4,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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
"$here/build-image.sh" || fail_summary "no image: build-image.sh failed"

accel=${FG_VM_ACCEL:-}
if [[ -z $accel ]]; then
	accel=tcg
	# usable: present, and we may open it
	if [[ -c /dev/kvm ]] && (: <>/dev/kvm) 2>/dev/null; then
		accel=kvm
	fi
fi
smp=${FG_VM_SMP:-2}
mkdir -p "$out"
rm -rf "$out/rc" "$out/vmtest.log" "$out/logs" "$out/console.log"
: >"$out/vmtest.log"

append="root=/dev/vda rw console=ttyS0 panic=-1 loglevel=4 init=/sbin/fg-vm-init"
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
qemu=(qemu-system-x86_64 -machine "q35,accel=$accel" -cpu max
	-smp "$smp" -m "${FG_VM_MEM:-1024}" -no-reboot -nic none
	-kernel "$dir/vmlinuz" -initrd "$dir/initrd.img" -append "$append"
	-drive "file=$dir/rootfs.img,if=virtio,format=raw,snapshot=on"
	-virtfs "local,path=$fg,mount_tag=fg,security_model=none,readonly=on"
	-virtfs "local,path=$out,mount_tag=out,security_model=none")

if [[ -n $shell ]]; then
	exec "${qemu[@]}" -nographic
fi

t0=$SECONDS
echo "# VM: $accel, $smp CPUs, image $dir/rootfs.img; logs in $out"
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
