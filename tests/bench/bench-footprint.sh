#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# tests/bench/bench-footprint.sh - what flowguard costs a router at rest,
# with 4 uplinks (wan1..wan4, marks 0x100..0x400, on 4 veth devices of a
# namespace of our own), in each mode (ct, skbmark, and skbmark with the
# kernel's BTF hidden, as on most OpenWrt kernels):
#   - RSS once idle (VmRSS, 2 s after its "guarding" line) and the peak
#     while loading (VmHWM: the kernel's BTF is parsed then);
#   - the BPF maps it holds (from its fds: /proc/PID/fdinfo map_id, then
#     `bpftool map show id N` bytes_memlock), per map and summed, and
#     the programs' memlock;
#   - the binary: unstripped and stripped size, `size` text/data/bss.
#   - wake-ups while idle: voluntary context switches over FG_FP_WAKE_S
#     (10) s of nothing to do (0 expected: no timer, no polling).
# Figures only: it fails only when it cannot run. FG_FP_IDLE_S (2).
# Run: tests/bench/run.sh footprint   or   bash tests/bench/bench-footprint.sh

set -u -o pipefail

# shellcheck source=tests/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/tests/lib.sh"
fg_private_mounts "$0" "$@"
fg_bpffs
fg_init
trap fg_cleanup EXIT

command -v jq >/dev/null || { echo "jq missing (make deps)"; exit 77; }
[[ -x $FG_BIN ]] || { echo "$FG_BIN missing (make)"; exit 1; }

NS=$(fg_netns_name fp)
fg_netns_add fp || exit 1
for i in 1 2 3 4; do
	ip -n "$NS" link add "fp$i" type veth peer name "fpp$i" || exit 1
	ip -n "$NS" link set "fp$i" up
	ip -n "$NS" link set "fpp$i" up
done
UPLINKS=()
for i in 1 2 3 4; do
	UPLINKS+=(-u "wan$i:fp$i:0x${i}00")
done

kib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }

# status_kib PID FIELD: VmRSS, VmHWM... in KiB.
status_kib() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }

# maps_of PID: "id memlock name" of each BPF map PID holds, once per map.
maps_of()
{
	local fd id
	for fd in /proc/"$1"/fdinfo/*; do
		id=$(awk '$1 == "map_id:" { print $2 }' "$fd" 2>/dev/null)
		[[ -n $id ]] && echo "$id"
	done | sort -un | while read -r id; do
		bpftool -j map show id "$id" |
			jq -r '"\(.id) \(.bytes_memlock) \(.name) \(.type) \(.max_entries)"'
	done
}

progs_memlock()
{
	local fd id sum=0 m
	for fd in /proc/"$1"/fdinfo/*; do
		id=$(awk '$1 == "prog_id:" { print $2 }' "$fd" 2>/dev/null)
		[[ -n $id ]] || continue
		m=$(bpftool -j prog show id "$id" | jq -r '.bytes_memlock // 0')
		sum=$((sum + m))
	done
	echo "$sum"
}

# one_mode MODE [nobtf]: nobtf runs it as on most OpenWrt kernels, with
# /sys/kernel/btf hidden (a tmpfs over it in a mount namespace of its own,
# private: nothing goes back to the host); the service's pid is then
# the unshare's child's, found as the flowguard holding the socket.
one_mode()
{
	local mode=$1 label="$1 mode" log pid rss hwm total=0 id m name type max sw
	local run=(nsenter --net="/run/netns/$NS" --)
	if [[ ${2:-} == nobtf ]]; then
		label="$mode mode without kernel BTF"
		run=(unshare --mount --propagation private sh -c \
			'mount -t tmpfs none /sys/kernel/btf && exec "$@"' sh "${run[@]}")
	fi
	log=$FG_TMP/fg-$mode-${2:-btf}.log
	fg_bg "${run[@]}" "$FG_BIN" run -M "$mode" \
		--pin-dir "$(fg_pin_dir "$mode${2:-}")" --socket "$FG_TMP/$mode${2:-}.sock" \
		"${UPLINKS[@]}" >"$log" 2>&1
	pid=$FG_LAST_PID
	if ! fg_wait_for 20000 grep -q "guarding " "$log"; then
		echo "$mode: no guarding line: $(tail -n 3 "$log")"
		return 1
	fi
	sleep "${FG_FP_IDLE_S:-2}"
	rss=$(status_kib "$pid" VmRSS)
	hwm=$(status_kib "$pid" VmHWM)
	# the exec'd unshare and sh leave one process: the service itself
	[[ $(cat "/proc/$pid/comm") == flowguard ]] || {
		echo "$label: pid $pid is $(cat "/proc/$pid/comm"), not flowguard"
		return 1
	}
	echo "$label, 4 uplinks: idle RSS $(kib "$rss") ($rss KiB), peak while loading $(kib "$hwm") ($hwm KiB)"
	sw=$(status_kib "$pid" voluntary_ctxt_switches)
	sleep "${FG_FP_WAKE_S:-10}"
	echo "  wake-ups while idle: $(($(status_kib "$pid" voluntary_ctxt_switches) - sw)) in ${FG_FP_WAKE_S:-10} s (voluntary context switches)"
	echo "  maps (id memlock name type max_entries):"
	while read -r id m name type max; do
		printf '    %-6s %9s  %-14s %-14s %s\n' "$id" "$m" "$name" "$type" "$max"
		total=$((total + m))
	done < <(maps_of "$pid")
	echo "  maps memlock total: $total bytes ($(kib $((total / 1024))))"
	echo "  programs memlock: $(progs_memlock "$pid") bytes"
	kill -TERM "$pid"
	wait "$pid" 2>/dev/null
}

echo "flowguard: $FG_BIN"
size=$(stat -c %s "$FG_BIN")
strip -o "$FG_TMP/flowguard.stripped" "$FG_BIN"
echo "binary: $size bytes unstripped, $(stat -c %s "$FG_TMP/flowguard.stripped") bytes stripped"
size -B "$FG_TMP/flowguard.stripped" | sed 's/^/  /'
one_mode ct || exit 1
one_mode skbmark || exit 1
one_mode skbmark nobtf || exit 1
