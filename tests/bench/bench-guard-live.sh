#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# tests/bench/bench-guard-live.sh - what the guard adds to REAL forwarded
# packets, with real conntrack entries. bench_guard measures the programs
# with bpf_prog_test_run, whose packets carry no conntrack entry: in ct
# mode it never reaches the read of the entry's mark. Here the packets are
# forwarded by the drill's router and leave wan1 with their entry attached.
#
# On the drill (masquerade): the service on the router (`flowguard run`,
# uplinks wan1/wan2), and on wan1's egress, at priority 100 (before the
# guard's 0xf16), an empty TC program, "r0 = TC_ACT_UNSPEC; exit" (loaded
# and attached by fg_progstats, no clang at run time; UNSPEC, not OK,
# because in direct-action mode TC_ACT_OK would end the classification
# before the guard). Both run on the same packets. fg_progstats turns the
# kernel's BPF run-time statistics on (BPF_ENABLE_STATS: on while its fd
# is open; the kernel.bpf_stats_enabled sysctl is not touched) for one
# window of traffic and prints each program's run_cnt and run_time_ns
# deltas. ns/pkt = run_time_ns / run_cnt; the empty program's figure is
# the statistics' own overhead (two sched_clock() reads) plus the call,
# so guard - empty is what the guard adds.
#
# Traffic, per window: FLOWS UDP flows from client A (fixed source ports,
# so every pass after the first hits the same conntrack entries, ct mark
# 0x100, allowed on wan1) to a sink on the remote, PASSES passes of one
# small datagram per flow (fg_udpflows send). Checked per window, reported
# as notes: the empty program ran about once per datagram sent, the guard
# as often, the drill's nft counter of packets leaving wan1 with ct mark
# 0x100 grew as much (they had entries), and the service's counters say
# "flagged 0" (and, in ct mode, "no-ct" ~0).
#
# Flagged steady state (FG_GL_FLAGGED=1, the default): in the same service
# instance, table 2 misrouted out of wan1, FLAG_FLOWS flows from client B
# (ct mark 0x200, foreign on wan1) after one warm-up pass (their events
# come then): the measured window is the deduped path (the report's
# parsing, clock and dedupe lookup, no event). The service runs with
# --policy monitor --dedupe-ms 60000 for that: the policy lives in user
# space, and the dedupe interval is read only on the flagged path, so
# neither changes the not-flagged figures.
#
# Cases: ct (kfunc), ct (probe read), skbmark; ROUNDS rounds, the order
# rotated each round; one service instance per case. The ct cases run the
# guard as `auto` chooses it, with the offload lookup where the kernel has
# bpf_skb_ct_lookup (these packets have entries: the lookup is not on
# their path). With FG_GL_BASE_BIN (another build's flowguard, e.g. the
# last release's), each case also runs as base:CASE with that binary, in
# the same rounds: before/after side by side. Reported: medians
# over rounds of guard ns/pkt, empty ns/pkt and their per-round
# difference (with its min..max). The project's target, under 15 ns added
# on the not-flagged path, is reported, never asserted.
#
# Exit status: 0 when every case ran (whatever the timings and notes); 1
# when one could not (service did not start, statistics not readable, the
# traffic failed); 77 when it cannot run here.
#
# Environment: FG_GL_ROUNDS (5), FG_GL_FLOWS (5000), FG_GL_PASSES (40),
# FG_GL_BASE_BIN (none),
# FG_GL_CASES ("ct:kfunc ct:probe skbmark"), FG_GL_FLAGGED (1),
# FG_GL_FLAG_FLOWS (1000), FG_GL_FLAG_PASSES (40), FG_GL_EMPTY_PREF (the
# empty program's priority, 100; it must be below the guard's 0xf16;
# 0xf15 puts it right before the guard, in case the chain's first filter
# pays for being first), FG_KEEP=1 keeps the state folder (service log,
# per-window figures in results).
# Run: tests/bench/run.sh guard-live   or   bash tests/bench/bench-guard-live.sh

set -u -o pipefail

# shellcheck source=tests/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/tests/lib.sh"
# shellcheck source=tests/bench/lib-bench.sh
source "$FG_ROOT/tests/bench/lib-bench.sh"
# shellcheck source=tests/lib-guard.sh
source "$FG_ROOT/tests/lib-guard.sh"
fg_private_mounts "$0" "$@"

ROUNDS=${FG_GL_ROUNDS:-5}
FLOWS=${FG_GL_FLOWS:-5000}
PASSES=${FG_GL_PASSES:-40}
CASES=${FG_GL_CASES:-ct:kfunc ct:probe skbmark}
FLAGGED=${FG_GL_FLAGGED:-1}
FLAG_FLOWS=${FG_GL_FLAG_FLOWS:-1000}
FLAG_PASSES=${FG_GL_FLAG_PASSES:-40}
UDP_PORT=9999
A_BASE=20000       # client A's source ports
B_BASE=40000       # client B's
EMPTY_PREF=${FG_GL_EMPTY_PREF:-100}
GUARD_PREF=0xf16   # the guard's tc pref here (--tc-priority), after the empty program
BASE_BIN=${FG_GL_BASE_BIN:-}
FG_UDP=$FG_BUILD/tests/tools/fg_udpflows
FG_PS=$FG_BUILD/tests/tools/fg_progstats

BAD=0       # windows that could not be measured
EMPTY_ID=
RESULTS=    # file: CASE PATH ROUND PACKETS GUARD_NS EMPTY_NS

bad() { BAD=$((BAD + 1)); printf 'COULD NOT RUN: %s\n' "$*" >&2; }

stats_sysctl() { cat /proc/sys/kernel/bpf_stats_enabled 2>/dev/null || echo '?'; }

# status_field STATUS DEV KEY: a figure of `device DEV:` in the status.
status_field()
{
	awk -v d="device $2:" -v k="$3" '
		index($0, d) == 1 { for (i = 1; i < NF; i++) if ($i == k) { print $(i + 1); f = 1 } }
		END { if (!f) print 0 }' <<<"$1"
}

# prog_field OUT ID KEY: KEY=VALUE of program ID in fg_progstats' output.
prog_field()
{
	awk -v id="id=$2" -v k="$3=" '
		$1 == id { for (i = 2; i <= NF; i++) if (index($i, k) == 1) print substr($i, length(k) + 1) }' <<<"$1"
}

# window CASE PATH ROUND GID SRC BASE FLOWS PASSES COUNTER: one measured
# window; appends to RESULTS; status 1 when it could not be measured.
window()
{
	local c=$1 path=$2 round=$3 gid=$4 src=$5 base=$6 flows=$7 passes=$8
	local counter=$9 tag="$1/$2 round $3"
	local st0 st1 n0 n1 out sent ecnt ens gcnt gns status log
	local seen nocr flag ev tracked
	# shellcheck disable=SC2016
	local cmd=(bash -c 'for ((i = 0; i < $1; i++)); do
		nsenter --net="$2" -- "$3" send -w 0 "$4" "$5" "$6" "$7" "$8" || exit 1
	done' _ "$passes" "/run/netns/$DRILL_NS_CLIENT" "$FG_UDP" "$src" "$base"
		"$flows" "$DRILL_REMOTE_IP4" "$UDP_PORT")

	log=$FG_TMP/traffic.log
	st0=$(guard_status 2>&1) || { bad "$tag: status: $st0"; return 1; }
	n0=$(drill_counter "$counter")
	if ! out=$(drill_exec router "$FG_PS" run "$EMPTY_ID" "$gid" -- \
		"${cmd[@]}" 2>"$log"); then
		bad "$tag: fg_progstats: $(tail -n 3 "$log" | tr '\n' '|')"
		return 1
	fi
	n1=$(drill_counter "$counter")
	st1=$(guard_status 2>&1) || { bad "$tag: status: $st1"; return 1; }
	status=$(sed -n 's/^cmd status=\([0-9]*\) .*/\1/p' <<<"$out")
	if [[ $status != 0 ]]; then
		bad "$tag: the traffic failed (status ${status:-?}): $(grep -v '^sent ' "$log" | head -n 3 | tr '\n' '|')"
		return 1
	fi
	sent=$(awk '$1 == "sent" { s += $2 } END { print s + 0 }' "$log")
	ecnt=$(prog_field "$out" "$EMPTY_ID" run_cnt)
	ens=$(prog_field "$out" "$EMPTY_ID" run_time_ns)
	gcnt=$(prog_field "$out" "$gid" run_cnt)
	gns=$(prog_field "$out" "$gid" run_time_ns)
	if [[ -z $ecnt || -z $gcnt ]] || ((ecnt == 0 || gcnt == 0)); then
		bad "$tag: no runs counted (empty ${ecnt:-?}, guard ${gcnt:-?}; sent $sent)"
		return 1
	fi
	echo "$c $path $round $ecnt $(awk -v a="$gns" -v b="$gcnt" -v c="$ens" -v d="$ecnt" \
		'BEGIN { printf "%.3f %.3f", a / b, c / d }') $gcnt" >>"$RESULTS"

	# the packets were the ones meant: sent, leaving wan1, tracked
	seen=$(($(status_field "$st1" wan1 seen) - $(status_field "$st0" wan1 seen)))
	nocr=$(($(status_field "$st1" wan1 no-ct) - $(status_field "$st0" wan1 no-ct)))
	flag=$(($(status_field "$st1" wan1 flagged) - $(status_field "$st0" wan1 flagged)))
	ev=$(($(status_field "$st1" wan1 events) - $(status_field "$st0" wan1 events)))
	tracked=$((n1 - n0))
	((ecnt * 100 >= sent * 99 && ecnt <= sent + sent / 100 + 10)) ||
		note "$tag: the empty program ran $ecnt times for $sent datagrams sent"
	((gcnt * 100 >= ecnt * 99 && gcnt * 100 <= ecnt * 101 + 1000)) ||
		note "$tag: the guard ran $gcnt times, the empty program $ecnt"
	((tracked * 100 >= sent * 99)) ||
		note "$tag: only $tracked of $sent datagrams left wan1 with the expected ct mark"
	((seen * 100 >= ecnt * 99)) ||
		note "$tag: the guard's wan1 counter saw $seen packets, the empty program $ecnt"
	if [[ $path == not-flagged ]]; then
		((flag == 0)) || note "$tag: $flag packets flagged on the not-flagged path"
		[[ $c != ct* ]] || ((nocr * 100 <= seen)) ||
			note "$tag: $nocr of $seen packets without a conntrack entry"
	else
		((flag * 100 >= seen * 99)) || note "$tag: only $flag of $seen packets flagged"
		((ev == 0)) || note "$tag: $ev events during the window (deduped path expected)"
	fi
	fg_log "$tag: sent $sent, empty $ecnt runs $(awk -v a="$ens" -v b="$ecnt" 'BEGIN { printf "%.1f", a / b }') ns, guard $gcnt runs $(awk -v a="$gns" -v b="$gcnt" 'BEGIN { printf "%.1f", a / b }') ns; wan1 seen $seen no-ct $nocr flagged $flag events $ev"
	return 0
}

# guard_halt: SIGTERM to the service; notes when it does not exit 0 or
# leaves its filter behind.
guard_halt()
{
	local rc=0
	kill -TERM "$GUARD_PID" 2>/dev/null
	wait "$GUARD_PID" 2>/dev/null || rc=$?
	((rc == 0)) || note "the service ($1) exited $rc on SIGTERM"
	if drill_exec router "$FG_PS" tcid "$DRILL_WAN1_DEV" "$GUARD_PREF" \
		>/dev/null 2>&1; then
		note "$1: the guard's filter is left on wan1 after the service stopped"
	fi
}

# run_case CASE ROUND: one service instance, its windows.
run_case()
{
	local c=$1 round=$2 bare=${1#base:} mode way='' line got gid
	local prio=(--tc-priority "$((GUARD_PREF))")
	mode=${bare%%:*}
	[[ $bare == *:* ]] && way=${bare#*:}
	# an older build (its own fixed pref, 0xf16), for this case's service
	# and the status requests to it (the protocol may differ)
	if [[ $c == base:* ]]; then
		local FG_BIN=$BASE_BIN
		prio=()
	fi
	local from
	from=$(drill_log_mark "$FG_TMP/flowguard.log")
	if ! guard_start --mode "$mode" ${way:+--ct-way "$way"} \
		"${prio[@]}" --policy monitor --dedupe-ms 60000; then
		bad "$c round $round: the service did not start"
		kill -TERM "$GUARD_PID" 2>/dev/null
		wait "$GUARD_PID" 2>/dev/null
		return 0
	fi
	line=$(drill_log_grep "$GUARD_LOG" ' guarding ' "$from" | head -n 1)
	got=$(sed -n 's/.*; mode \([^,]*\),.*/\1/p' <<<"$line")
	case $bare in
	ct:kfunc) [[ $got == 'ct (kfunc'* ]] ;;
	ct:probe) [[ $got == 'ct (probe read'* ]] ;;
	*) [[ $got == "$mode"* ]] ;;
	esac || note "$c round $round: the service says mode '$got'"
	if ! gid=$(drill_exec router "$FG_PS" tcid "$DRILL_WAN1_DEV" "$GUARD_PREF"); then
		bad "$c round $round: no guard on wan1 egress"
		guard_halt "$c"
		return 0
	fi
	window "$c" not-flagged "$round" "$gid" "$DRILL_CLIENT_A_IP4" "$A_BASE" \
		"$FLOWS" "$PASSES" out_wan1_mark1
	if [[ $FLAGGED == 1 ]]; then
		if drill_misroute 2; then
			# the warm-up: each flow's one event, before the window
			drill_exec client "$FG_UDP" send -w 0 "$DRILL_CLIENT_B_IP4" \
				"$B_BASE" "$FLAG_FLOWS" "$DRILL_REMOTE_IP4" "$UDP_PORT" \
				>/dev/null || note "$c round $round: the flagged warm-up failed"
			sleep 0.2
			window "$c" flagged "$round" "$gid" "$DRILL_CLIENT_B_IP4" \
				"$B_BASE" "$FLAG_FLOWS" "$FLAG_PASSES" out_wan1_mark2
		else
			bad "$c round $round: misrouting table 2"
		fi
		drill_misroute_undo 2 || bad "drill: table 2 back to wan2"
	fi
	guard_halt "$c"
}

# summary: the table from RESULTS (medians over rounds, per case and path).
summary()
{
	local c path
	echo
	echo "guard cost on forwarded packets: BPF run-time stats, the guard vs an empty"
	echo "TC program on the same wan1 packets; medians over $ROUNDS interleaved rounds"
	if [[ $FLAGGED == 1 ]]; then
		echo "(per round: not-flagged $FLOWS flows x $PASSES passes, flagged $FLAG_FLOWS x $FLAG_PASSES);"
	else
		echo "(per round: $FLOWS flows x $PASSES passes);"
	fi
	echo "target < 15 ns added on the not-flagged path, reported only"
	printf '%-14s %-12s %7s %8s %8s %8s  %s\n' mode/way path packets \
		"guard" "empty" "added" "added min..max (ns/pkt)"
	for c in $CASES; do
		for path in not-flagged flagged; do
			awk -v c="$c" -v p="$path" '
				function med(a, n,  i, j, t) {
					for (i = 2; i <= n; i++) {
						t = a[i]
						for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]
						a[j + 1] = t
					}
					return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
				}
				$1 == c && $2 == p {
					n++; pk[n] = $4; g[n] = $5; e[n] = $6; d[n] = $5 - $6
					if (n == 1 || d[n] < lo) lo = d[n]
					if (n == 1 || d[n] > hi) hi = d[n]
				}
				END {
					if (!n) exit
					printf "%-14s %-12s %7d %8.1f %8.1f %+8.1f  %+.1f..%+.1f (%d rounds)\n",
						c, p, med(pk, n), med(g, n), med(e, n), med(d, n), lo, hi, n
				}' "$RESULTS"
		done
	done
}

main()
{
	local round i k c start s0 s1 cases=() nc

	fg_require ip nft conntrack nsenter tc
	[[ -x $FG_BIN ]] || fg_skip "$FG_BIN not built (make tests-build)"
	[[ -x $FG_UDP ]] || fg_skip "$FG_UDP not built (make tests-build)"
	[[ -x $FG_PS ]] || fg_skip "$FG_PS not built (make tests-build)"
	[[ -x $FG_ECHO ]] || fg_skip "$FG_ECHO not built (make tests-build)"
	((FLOWS >= 1 && FLOWS <= 15000 && FLAG_FLOWS >= 1 && FLAG_FLOWS <= 15000)) ||
		fg_fail "FG_GL_FLOWS and FG_GL_FLAG_FLOWS: 1..15000"
	((EMPTY_PREF >= 1 && EMPTY_PREF < GUARD_PREF)) ||
		fg_fail "FG_GL_EMPTY_PREF: 1..$((GUARD_PREF - 1)) (before the guard)"
	# what this kernel cannot run is left out, with a note
	for c in $CASES; do
		if [[ $c == ct* && ! -r /sys/kernel/btf/vmlinux ]]; then
			note "$c left out: no kernel BTF"
		elif [[ $c == ct:kfunc ]] &&
			! grep -q bpf_cast_to_kern_ctx /sys/kernel/btf/vmlinux; then
			note "$c left out: the kernel has no bpf_cast_to_kern_ctx (6.2+)"
		else
			cases+=("$c")
		fi
	done
	if [[ -n $BASE_BIN ]]; then
		[[ -x $BASE_BIN ]] || fg_fail "FG_GL_BASE_BIN: $BASE_BIN is not executable"
		for c in "${cases[@]}"; do cases+=("base:$c"); done
	fi
	nc=${#cases[@]}
	((nc)) || fg_skip "no case this kernel can run"
	CASES=${cases[*]}
	start=$(fg_now_ms)
	s0=$(stats_sysctl)
	drill_setup --no-server || fg_fail "drill_setup failed"
	RESULTS=$FG_TMP/results
	: >"$RESULTS"
	drill_bg remote "$FG_UDP" sink "$UDP_PORT" >"$FG_TMP/sink.log" 2>&1
	drill_wait_log "$FG_TMP/sink.log" listening 3000 >/dev/null ||
		fg_fail "the sink did not start"
	fg_bpffs || fg_fail "no bpffs for the pins"
	EMPTY_ID=$(drill_exec router "$FG_PS" empty "$DRILL_WAN1_DEV" "$EMPTY_PREF") ||
		fg_fail "the empty program: not loaded or not attached"
	fg_log "empty program id $EMPTY_ID on wan1 egress pref $EMPTY_PREF"
	# the entries (and neighbours) before any window
	drill_exec client "$FG_UDP" send -w 0 "$DRILL_CLIENT_A_IP4" "$A_BASE" \
		"$FLOWS" "$DRILL_REMOTE_IP4" "$UDP_PORT" >/dev/null ||
		fg_fail "client A: the first datagrams"
	i=$(drill_ct_count -f ipv4 -p udp -s "$DRILL_CLIENT_A_IP4" --dport "$UDP_PORT")
	((i == FLOWS)) || note "$i conntrack entries for client A's $FLOWS flows after the first pass"

	for ((round = 1; round <= ROUNDS; round++)); do
		for ((k = 0; k < nc; k++)); do
			run_case "${cases[(k + round - 1) % nc]}" "$round"
		done
	done

	summary
	s1=$(stats_sysctl)
	[[ $s0 == "$s1" ]] || note "kernel.bpf_stats_enabled was $s0, is $s1 (not by us)"
	bench_notes
	fg_log "took $(($(fg_now_ms) - start)) ms"
	((BAD == 0)) || fg_fail "$BAD window(s) could not be measured"
}

main
