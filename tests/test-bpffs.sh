# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# tests/test-bpffs.sh - a host whose /sys/fs/bpf is no bpffs (a minimal
# init, a container): `flowguard run` mounts one there, says so in one log
# line, creates the pin dir's parents and runs. Everything happens in a
# private mount namespace of the test's own (`unshare --mount`), where the
# bpffs is first unmounted: the host's mounts never change.
# Run: tests/run.sh bpffs

# bpffs_inner LOG PIN SOCK NS: run inside the private mount namespace; one
# line per fact into LOG, the service's own output into LOG.svc.
bpffs_inner()
{
	cat <<'EOF'
set -u
log=$1 pin=$2 sock=$3 ns=$4 bin=$5
pid=
trap '[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null; wait' EXIT
umount -l /sys/fs/bpf 2>/dev/null
echo "before $(stat -f -c %T /sys/fs/bpf)" >>"$log"
# start: attach to the namespace's device, pins under $pin
run_once()
{
	: >"$log.svc"
	nsenter --net="/run/netns/$ns" "$bin" run -u up:u1:0x100 \
		--pin-dir "$pin" --socket "$sock" >>"$log.svc" 2>&1 &
	pid=$!
	for _ in $(seq 250); do
		grep -q "guarding " "$log.svc" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.02
	done
	echo "started$1 $(grep -c "guarding " "$log.svc")" >>"$log"
	echo "mounted-lines$1 $(grep -c "/sys/fs/bpf was not a bpffs: mounted one there" "$log.svc")" >>"$log"
	echo "fs$1 $(stat -f -c %T /sys/fs/bpf)" >>"$log"
	if ls "$pin" 2>/dev/null | grep -q '^fg_uplinks$'; then
		echo "pins$1 yes" >>"$log"
	else
		echo "pins$1 no" >>"$log"
	fi
	kill -TERM "$pid"
	wait "$pid"
	echo "exit$1 $?" >>"$log"
	pid=
	cat "$log.svc" >>"$log.all"
}
run_once 1
# the pin dir went, its parents (made by the first run) stay; a second
# run finds the bpffs there and mounts nothing
echo "pin-left $(test -e "$pin" && echo yes || echo no)" >>"$log"
run_once 2
EOF
}

test_bpffs_mounted_when_missing()
{
	local ns log pin got
	fg_require unshare nsenter
	fg_init
	fg_netns_add r >/dev/null
	ns=$(fg_netns_name r)
	ip -n "$ns" link add u1 type veth peer name u1p
	ip -n "$ns" link set u1 up
	ip -n "$ns" link set u1p up
	log=$FG_TMP/bpffs.log
	# nested parents: /sys/fs/bpf/fg-ID-deep/a/b
	pin=/sys/fs/bpf/fg-$FG_ID-deep/a/b
	fg_on_failure "cat '$log.all' '$log.svc' 2>/dev/null"
	bpffs_inner >"$FG_TMP/inner.sh"
	timeout 60 unshare --mount --propagation private \
		sh "$FG_TMP/inner.sh" "$log" "$pin" "$FG_TMP/fg.sock" "$ns" "$FG_BIN" ||
		fg_fail "the private namespace's script failed"
	got=$(cat "$log")
	[[ $got == "before sysfs
started1 1
mounted-lines1 1
fs1 bpf_fs
pins1 yes
exit1 0
pin-left no
started2 1
mounted-lines2 0
fs2 bpf_fs
pins2 yes
exit2 0" ]] || fg_fail "in the private namespace: $got"
	# the host's /sys/fs/bpf (ours: the runner's namespace) is untouched
	[[ $(stat -f -c %T /sys/fs/bpf) == bpf_fs ]] || fg_fail "our bpffs is gone"
	[[ ! -e /sys/fs/bpf/fg-$FG_ID-deep ]] ||
		fg_fail "the private bpffs's folders show outside it"
}

test_bpffs_not_elsewhere()
{
	local rc=0 out
	fg_init
	# a pin dir outside /sys/fs/bpf and not on a bpffs: refused in one
	# line, nothing mounted and no folder made
	out=$("$FG_BIN" run -u up:lo:0x100 --pin-dir "$FG_TMP/not/bpffs" \
		--socket "$FG_TMP/fg.sock" 2>&1) || rc=$?
	[[ $rc == 1 ]] || fg_fail "exit $rc: $out"
	[[ $out == *"is not on a bpffs"* && $(wc -l <<<"$out") == 1 ]] ||
		fg_fail "wanted one line saying it is not on a bpffs: $out"
	[[ ! -e $FG_TMP/not ]] || fg_fail "made $FG_TMP/not"
	! grep -q " $FG_TMP" /proc/self/mounts || fg_fail "mounted under $FG_TMP"
}
