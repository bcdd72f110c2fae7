#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# tests/bench/bench-forward.sh - what a pending client-reset round costs
# the router's forwarding: a bulk TCP upload from a LAN client to the
# remote through the drill's router, side by side in one run, in rounds
# of three phases of equal length:
#   idle    the capture between rounds: its filter passes nothing;
#   narrow  the capture as a reset round in flight has it now: a filter
#           that passes only the bare ACKs of the round's 64 flows;
#   wide    the capture as it was: "every TCP packet", each copied to
#           userspace and read.
# Reported: the upload's throughput in each phase (median over the rounds,
# and as a ratio to none) and the packets each capture copied.
#
# Exit status: 0 when it ran (whatever the figures), 1 when it could not,
# 77 when it cannot run here.
# Environment: FG_FW_ROUNDS (3), FG_FW_SECONDS (per phase, 3),
# FG_KEEP=1 keeps the state folder.
# Run: tests/bench/run.sh forward   or   bash tests/bench/bench-forward.sh

set -u -o pipefail

# shellcheck source=tests/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/tests/lib.sh"
# shellcheck source=tests/bench/lib-bench.sh
source "$FG_ROOT/tests/bench/lib-bench.sh"
fg_private_mounts "$0" "$@"

BULK=$FG_BUILD/tests/tools/fg_bulk
TAP=$FG_BUILD/tests/tools/fg_taphold
PORT=7792
ROUNDS=${FG_FW_ROUNDS:-3}
SECS=${FG_FW_SECONDS:-3}

# lan_rx: packets the router's LAN device received so far (all forwarded:
# the upload's segments, GRO-merged as the router forwards them).
lan_rx()
{
	drill_exec router cat /proc/net/dev |
		awk -v d="$DRILL_LAN_DEV:" '$1 == d { print $3 }'
}

# phase MODE: one upload of SECS seconds with MODE's capture held open in
# the router meanwhile (the same reader process in every phase); prints
# "MB/s packets/s copied".
phase()
{
	local sent tap pid out rx0 rx1
	case $1 in
	idle) drill_exec router "$TAP" narrow $((SECS + 1)) 0 ;;
	narrow) drill_exec router "$TAP" narrow $((SECS + 1)) 64 ;;
	wide) drill_exec router "$TAP" wide $((SECS + 1)) ;;
	esac >"$FG_TMP/tap.out" 2>&1 &
	pid=$!
	sleep 0.3
	rx0=$(lan_rx)
	out=$(drill_exec client "$BULK" send "$DRILL_REMOTE_IP4" "$PORT" "$SECS") ||
		{ note "upload failed in phase $1: $out"; echo "0 0 -"; return; }
	rx1=$(lan_rx)
	sent=$(awk '{ print $2 }' <<<"$out")
	wait "$pid"
	tap=$(awk '{ print $2 }' "$FG_TMP/tap.out")
	echo "$((sent / SECS / 1000000)) $(((rx1 - rx0) / SECS)) $tap"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

main()
{
	local r m line a b c
	declare -A mbs pps copied
	fg_require ip nft nsenter
	[[ -x $BULK && -x $TAP ]] || fg_skip "not built (make tests-build)"
	# shellcheck disable=SC2119 # the defaults
	drill_setup || fg_fail "drill_setup failed"
	drill_bg remote "$BULK" sink "$PORT" >"$FG_TMP/sink.log" 2>&1
	drill_wait_log "$FG_TMP/sink.log" listening 3000 >/dev/null ||
		fg_fail "the sink did not start"
	for ((r = 0; r < ROUNDS; r++)); do
		for m in idle narrow wide; do
			line=$(phase "$m")
			read -r a b c <<<"$line"
			mbs[$m]+="$a "
			pps[$m]+="$b "
			copied[$m]+="$c "
		done
	done
	echo
	echo "forwarding a bulk TCP upload through the router, ${SECS} s phases, $ROUNDS rounds (medians; ratio to idle)"
	local base pbase med pmed
	base=$(bench_words "${mbs[idle]}" | median)
	pbase=$(bench_words "${pps[idle]}" | median)
	for m in idle narrow wide; do
		med=$(bench_words "${mbs[$m]}" | median)
		pmed=$(bench_words "${pps[$m]}" | median)
		printf '  %-7s %5s MB/s x%s, %7s packets/s x%s (rounds: %s); copied to userspace: %s\n' \
			"$m" "$med" "$(awk -v a="$med" -v b="$base" 'BEGIN { printf "%.2f", b ? a / b : 0 }')" \
			"$pmed" "$(awk -v a="$pmed" -v b="$pbase" 'BEGIN { printf "%.2f", b ? a / b : 0 }')" \
			"${mbs[$m]% }" "${copied[$m]% }"
	done
	bench_notes
}

main
