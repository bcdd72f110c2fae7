#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# tests/bench/bench-verbs.sh - the operator verbs against what an operator
# runs without them, on 300,000 entries across 4 uplinks (all TCP,
# planted by fg_ctfill in a namespace of our own):
#   uplinks 0x100..0x400: 50,000 IPv4 + 10,000 IPv6 each; unmarked 0x0:
#   40,000 IPv4; mwan3's default 0x3f00: 20,000 IPv4.
# Side by side, interleaved, ROUNDS each, time (CLOCK_MONOTONIC, spawn to
# exit, by fg_ctbench time) and peak RSS (/usr/bin/time -f %M, one more
# run of each, untimed):
#   count:  flowguard count (one dump, every class)
#           vs `conntrack -L -m MARK/0x3f00 | wc -l` once per uplink (the
#           mwan-ct helper's way: four dumps, each entry printed)
#           vs `conntrack -C` (the table size only: the floor)
#   list:   flowguard list --iface wan1 >/dev/null
#           vs conntrack -L -m 0x100/0x3f00 >/dev/null
# The counts are checked: flowguard count's JSON and the per-uplink loop
# must both say 60,000 per uplink (a wrong count is reported and fails
# the run); list must print 60,000 lines. Targets (from issue 18): count
# at least 4x faster than the per-uplink loop, list no slower than
# conntrack -L, peak RSS of list and count under 4 MiB. Timings never
# decide the exit status: 0 when it ran and every count was right, 1 when
# not, 77 when it cannot run here.
#
# 300,000 entries exceed the default nf_conntrack_max, which only the
# initial namespace can change and which is global: it is raised for the
# run and restored on every exit path (the only host change).
#
# Environment: FG_VERBS_ROUNDS (default 5), FG_KEEP=1 keeps the state folder.
# Run: tests/bench/run.sh verbs   or   bash tests/bench/bench-verbs.sh

set -u -o pipefail

# shellcheck source=tests/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/tests/lib.sh"
# shellcheck source=tests/bench/lib-bench.sh
source "$FG_ROOT/tests/bench/lib-bench.sh"
fg_private_mounts "$0" "$@"

ROUNDS=${FG_VERBS_ROUNDS:-5}
FILL=$FG_BUILD/tests/tools/fg_ctfill
CTB=$FG_BUILD/tests/tools/fg_ctbench
CT_MAX_FILE=/proc/sys/net/netfilter/nf_conntrack_max
CT_MAX_WANT=400000
MARKS=(0x100 0x200 0x300 0x400)
PER_UPLINK=60000
TABLE_TOTAL=300000
# "family mark count base"
CLASSES=(
	"4 0x100 50000 0" "6 0x100 10000 0"
	"4 0x200 50000 100000" "6 0x200 10000 100000"
	"4 0x300 50000 200000" "6 0x300 10000 200000"
	"4 0x400 50000 300000" "6 0x400 10000 300000"
	"4 0x0 40000 400000"
	"4 0x3f00 20000 500000"
)

NS=
CT_MAX_ORIG=
BAD=0
declare -A US=() RSS=()

bad() { BAD=$((BAD + 1)); printf 'COUNT WRONG: %s\n' "$*" >&2; }
ns_exec() { nsenter --net="/run/netns/$NS" -- "$@"; }

restore_ct_max()
{
	[[ -n $NS ]] && fg_netns_del "$NS"
	NS=
	[[ -n $CT_MAX_ORIG ]] || return 0
	echo "$CT_MAX_ORIG" >"$CT_MAX_FILE"
	echo "# nf_conntrack_max restored: $(cat "$CT_MAX_FILE")"
	CT_MAX_ORIG=
}

raise_ct_max()
{
	local orig
	orig=$(cat "$CT_MAX_FILE") || fg_fail "cannot read $CT_MAX_FILE"
	((orig >= CT_MAX_WANT)) && return 0
	CT_MAX_ORIG=$orig
	echo "$CT_MAX_WANT" >"$CT_MAX_FILE" || fg_fail "cannot raise nf_conntrack_max"
	fg_log "nf_conntrack_max raised from $orig to $CT_MAX_WANT for the run"
}

fill()
{
	local n
	bench_ct_add "$NS" "$FILL" "${CLASSES[@]}"
	n=$(ns_exec cat /proc/sys/net/netfilter/nf_conntrack_count)
	((n == TABLE_TOTAL)) || fg_fail "$n entries planted, not $TABLE_TOTAL"
}

# timed NAME OUT CMD...: one timed run in the namespace (stdout to OUT).
timed()
{
	local name=$1 out=$2 r us rc
	shift 2
	r=$(ns_exec "$CTB" time "$out" "$@") || fg_fail "could not run $*"
	read -r us rc <<<"$r"
	((rc == 0)) || fg_fail "$* exited $rc"
	US[$name]+="$us "
}

# rss NAME CMD...: peak RSS in KiB of one untimed run.
rss()
{
	local name=$1 f=$FG_TMP/rss
	shift
	ns_exec /usr/bin/time -f %M -o "$f" "$@" >/dev/null ||
		fg_fail "could not run $*"
	RSS[$name]=$(tail -n 1 "$f")
}

LOOP='for m in 0x100 0x200 0x300 0x400; do conntrack -L -m $m/0x3f00 2>/dev/null | wc -l; done'

check_counts()
{
	local out n
	ns_exec "$FG_BIN" count --json -C "$FG_TMP/mwan3" >"$FG_TMP/count.json" ||
		fg_fail "flowguard count failed"
	out=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(" ".join(str(u["entries"]) for u in d["uplinks"]), d["unmarked"]["entries"],
      d["default"]["entries"], d["total"]["entries"])
' "$FG_TMP/count.json")
	[[ $out == "60000 60000 60000 60000 40000 20000 300000" ]] ||
		bad "flowguard count: $out"
	out=$(ns_exec bash -c "$LOOP" | paste -sd ' ')
	[[ $out == "60000 60000 60000 60000" ]] || bad "conntrack -L loop: $out"
	n=$(ns_exec "$FG_BIN" list --iface wan1 -C "$FG_TMP/mwan3" | wc -l)
	((n == PER_UPLINK)) || bad "flowguard list --iface wan1: $n lines"
	n=$(ns_exec conntrack -L -m 0x100/0x3f00 2>/dev/null | wc -l)
	((n == PER_UPLINK)) || bad "conntrack -L -m 0x100/0x3f00: $n lines"
}

rounds()
{
	local r
	for ((r = 1; r <= ROUNDS; r++)); do
		timed fg_count /dev/null "$FG_BIN" count -C "$FG_TMP/mwan3"
		timed ct_loop /dev/null bash -c "$LOOP"
		timed ct_C /dev/null conntrack -C
		timed fg_list /dev/null "$FG_BIN" list --iface wan1 -C "$FG_TMP/mwan3"
		timed ct_L /dev/null conntrack -L -m 0x100/0x3f00
	done
	rss fg_count "$FG_BIN" count -C "$FG_TMP/mwan3"
	rss ct_L1 conntrack -L -m 0x100/0x3f00
	rss ct_C conntrack -C
	rss fg_list "$FG_BIN" list --iface wan1 -C "$FG_TMP/mwan3"
	RSS[ct_loop]=${RSS[ct_L1]}
	RSS[ct_L]=${RSS[ct_L1]}
}

median_ms()
{
	tr ' ' '\n' | grep . | sort -n |
		awk '{ v[++n] = $1 } END { i = int((n + 1) / 2); printf "%.1f", v[i] / 1000 }'
}

report()
{
	local k label m
	declare -A M=()
	echo
	echo "300,000 entries (4 uplinks x 60,000, 40,000 unmarked, 20,000 default), $ROUNDS rounds, medians; load $(cut -d' ' -f1-3 /proc/loadavg)"
	printf '%-48s %10s %10s\n' "" "ms" "peak KiB"
	for k in fg_count ct_loop ct_C fg_list ct_L; do
		case $k in
		fg_count) label="flowguard count" ;;
		ct_loop) label="conntrack -L -m MARK/MASK | wc -l, x4 uplinks" ;;
		ct_C) label="conntrack -C" ;;
		fg_list) label="flowguard list --iface wan1 >/dev/null" ;;
		ct_L) label="conntrack -L -m 0x100/0x3f00 >/dev/null" ;;
		esac
		m=$(median_ms <<<"${US[$k]}")
		M[$k]=$m
		printf '%-48s %10s %10s\n' "$label" "$m" "${RSS[$k]}"
	done
	echo "count vs the per-uplink loop: $(awk -v a="${M[ct_loop]}" -v b="${M[fg_count]}" 'BEGIN { printf "%.1fx faster", a / b }') (target >= 4x)"
	echo "list vs conntrack -L: $(awk -v a="${M[ct_L]}" -v b="${M[fg_list]}" 'BEGIN { printf "%.2fx", a / b }') (target >= 1x)"
	echo "peak RSS: count ${RSS[fg_count]} KiB, list ${RSS[fg_list]} KiB (target < 4096)"
	bench_notes
}

main()
{
	local f
	fg_require ip conntrack nsenter python3
	[[ -x /usr/bin/time ]] || fg_skip "/usr/bin/time not installed (apt-get install time)"
	for f in "$FG_BIN" "$FILL" "$CTB"; do
		[[ -x $f ]] || fg_skip "$f not built (make tests-build)"
	done
	[[ -w $CT_MAX_FILE ]] || fg_skip "$CT_MAX_FILE not writable"
	fg_log "$(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg), kernel $(uname -r)"
	fg_init
	fg_defer restore_ct_max
	fg_netns_add verbs || fg_fail "cannot create a network namespace"
	NS=$(fg_netns_name verbs)
	printf '%s\n' "config interface 'wan1'" "config interface 'wan2'" \
		"config interface 'wan3'" "config interface 'wan4'" >"$FG_TMP/mwan3"
	raise_ct_max
	fill
	check_counts
	rounds
	report
	((BAD == 0)) || fg_fail "$BAD wrong count(s)"
}

main
