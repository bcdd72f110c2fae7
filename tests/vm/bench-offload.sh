#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# tests/vm/bench-offload.sh - what the offload lookup costs and what
# offload does to recovery (issue 15), run in the test VM (Debian 12,
# kernel 6.1, nf_flow_table) by `make vmbench` (tests/vm/boot.sh --bench
# offload). Not part of make test or make vmtest. Under qemu's TCG
# emulation every time is inflated 10-50x and unevenly: read the figures
# as ratios between cases of the same run, never as absolute costs.
# Reports; never passes or fails on a timing.
#
# Guard cost (parts "offload" and "plain"): the drill (masquerade), an
# empty TC program ("r0 = TC_ACT_UNSPEC; exit", fg_progstats empty) on
# wan1's egress at pref 100, the guard at pref 0xf16 after it
# (--tc-priority), both on the same packets; BPF run-time statistics
# (BPF_ENABLE_STATS, held by fg_progstats for one window of WINDOW_S
# seconds) give each program's run_cnt and run_time_ns; ns/pkt of the
# guard minus that of the empty program is what the guard adds. Traffic:
# CONNS fg_echo clients on client A (one TCP connection each), a line
# every INTERVAL ms each (ct mark 0x100, out of wan1, allowed there:
# nothing is flagged). One service instance per case and round (policy
# monitor); the case order rotates each round; medians over ROUNDS.
#   offload  an nft flowtable on lan, wan1 and wan2 (fw4's flow_offloading)
#            and A's connections [OFFLOAD] (checked before and after each
#            window): the packets reach wan1's egress without a ct entry.
#            Cases: lookup1 (--offload-lookup on --lookup-sample 1: every
#            such packet looked up), lookup16 (--offload-lookup on, the
#            default sample 1 in 16), off (--offload-lookup off: the guard
#            as it was, counting them no-ct).
#   plain    no flowtable, new connections: every packet has its entry.
#            Cases: lookup (--offload-lookup on), off, and base (FG_BASE_BIN:
#            an older build's flowguard, run with its own fixed pref 0xf16)
#            when given. The ct path of packets with an entry is the same
#            code in lookup and off.
# Per window a raw line "raw PART CASE ROUND ..." (empty and guard
# run_cnt and ns/pkt, the guard's own counters over the window: seen,
# no-ct, lookups, hits; A's entries offloaded/total), then the tables.
#
# Recovery (part "recovery"): the service (policy reset, offload lookup
# auto) on the router; configurations offload/polite, offload/silent,
# plain/polite, plain/silent, DRILLS each, interleaved. One drill: client
# A (uplink 1) and B (pinned to uplink 2) echoing, with a flowtable A's
# entry [OFFLOAD]; ISP 1 dies; DEAD_S s later new flows go to uplink 2 and
# `flowguard disconnected wan1 DEV` is sent to the service; recovery = A's
# first echo on a new connection through uplink 2 minus the command's
# start (bench-recovery.sh's clock: fg_echo's ms log anchored at its
# launch stamp; includes fg_echo's 20 ms reconnect pause). A drill waits
# at most CAP_S s. B must not be disturbed (noted when it is).
#
# Exit status: 0 when every part ran (whatever the timings); 1 when one
# could not; 77 when it cannot run here (no flowtable, no BTF).
# Environment: FG_VB_PARTS (offload,plain,recovery), FG_VB_ROUNDS (5),
# FG_VB_WINDOW_S (4), FG_VB_CONNS (8), FG_VB_INTERVAL_MS (10),
# FG_VB_DRILLS (3 per recovery configuration), FG_VB_DEAD_S (3.5),
# FG_VB_CAP_S (20), FG_BASE_BIN (an older flowguard; relative paths are
# relative to the tree: build-base/flowguard).

set -u -o pipefail

# shellcheck source=tests/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/tests/lib.sh"
# shellcheck source=tests/bench/lib-bench.sh
source "$FG_ROOT/tests/bench/lib-bench.sh"
fg_private_mounts "$0" "$@"
# shellcheck source=tests/lib-guard.sh
source "$FG_ROOT/tests/lib-guard.sh"
# shellcheck source=tests/vm/lib-vm.sh
source "$FG_ROOT/tests/vm/lib-vm.sh"

PARTS=${FG_VB_PARTS:-offload,plain,recovery}
ROUNDS=${FG_VB_ROUNDS:-5}
WINDOW_S=${FG_VB_WINDOW_S:-4}
CONNS=${FG_VB_CONNS:-8}
INTERVAL=${FG_VB_INTERVAL_MS:-10}
DRILLS=${FG_VB_DRILLS:-3}
DEAD_S=${FG_VB_DEAD_S:-3.5}
CAP_S=${FG_VB_CAP_S:-20}
BASE_BIN=${FG_BASE_BIN:-}
[[ -z $BASE_BIN || $BASE_BIN == /* ]] || BASE_BIN=$FG_ROOT/$BASE_BIN
EMPTY_PREF=100
GUARD_PREF=0xf16
FG_PS=$FG_BUILD/tests/tools/fg_progstats
# the slow emulated VM: loading the guard takes seconds
export GUARD_START_MS=${GUARD_START_MS:-60000}

BAD=0
EMPTY_ID=
RESULTS=
OFFLOAD=0
REMOTE_MODE=polite
declare -A REC_MS=() NOT_REC=() RAN=() DISC_MS=() ERRS=() REC_PID=()

bad() { BAD=$((BAD + 1)); note "COULD NOT RUN: $*"; }
now_us() { echo "${EPOCHREALTIME/./}"; }
has_part() { [[ ,$PARTS, == *",$1,"* ]]; }

# prog_field OUT ID KEY: KEY=VALUE of program ID in fg_progstats' output.
prog_field()
{
	awk -v id="id=$2" -v k="$3=" '
		$1 == id { for (i = 2; i <= NF; i++) if (index($i, k) == 1) print substr($i, length(k) + 1) }' <<<"$1"
}

# counters DEV: the guard's seen, no_ct, flagged, events, lost, lookup and
# lookup_hits of DEV summed over CPUs, one line (older builds name no
# fields: one array c[] in this order); "- - - - - - -" when they cannot
# be read (a still older build's layout).
counters()
{
	local slot out
	if slot=$(_vm_slot "$1" 2>/dev/null) &&
		out=$(bpftool -j map dump pinned "$FG_PIN_DIR/fg_counters" 2>/dev/null |
			jq -r --argjson k "$slot" '[.[].formatted | select(.key == $k) |
				.values[].value | (.c // [.seen, .no_ct, .flagged, .events,
				.lost, .lookup, .lookup_hits])] | transpose | map(add) | map(tostring) | join(" ")' 2>/dev/null) &&
		[[ $out =~ ^[0-9]+( [0-9]+){4,}$ ]]; then
		local v=()
		read -ra v <<<"$out"
		echo "${v[0]} ${v[1]} ${v[2]} ${v[5]:-0} ${v[6]:-0}"
	else
		echo "- - - - -"
	fi
}

# offload_set 0|1: the router's flowtable (lan, wan1, wan2) on or off.
offload_set()
{
	(($1 == OFFLOAD)) && return 0
	if (($1)); then
		vm_offload_on || return 1
	else
		drill_exec router nft delete chain inet fgdrill forward || return 1
		drill_exec router nft delete flowtable inet fgdrill ft || return 1
	fi
	OFFLOAD=$1
}

# a_entries: "OFFLOADED/TOTAL" of client A's TCP entries to the remote
a_entries()
{
	local l
	l=$(vm_ct_of "$DRILL_CLIENT_A_IP4")
	echo "$(grep -c -F '[OFFLOAD]' <<<"$l")/$(grep -c . <<<"$l")"
}

a_all_offloaded() { [[ $(a_entries) == "$CONNS/$CONNS" ]]; }

# traffic_start: CONNS fg_echo clients on A (one connection each), a
# line every INTERVAL ms each
traffic_start()
{
	local i n
	for ((i = 1; i <= CONNS; i++)); do
		drill_client_start "t$i" "$DRILL_CLIENT_A_IP4" -q -i "$INTERVAL"
	done
	if ! fg_wait_for 60000 _traffic_up >/dev/null 2>&1; then
		n=$(_traffic_echoing)
		bad "traffic: $n of $CONNS clients echo"
		return 1
	fi
}

_traffic_echoing()
{
	local i n=0
	for ((i = 1; i <= CONNS; i++)); do
		drill_log_grep "$(drill_client_log "t$i")" " echo via=$DRILL_WAN1_IP4 " >/dev/null &&
			n=$((n + 1))
	done
	echo "$n"
}

_traffic_up() { sleep 0.3; (($(_traffic_echoing) >= CONNS)); }

traffic_stop()
{
	local i
	for ((i = 1; i <= CONNS; i++)); do
		drill_client_stop "t$i"
	done
	drill_exec client ss -K -t "( dport = :$DRILL_PORT )" >/dev/null 2>&1 || true
	sleep 0.5
	ct_flush_all
}

ct_flush_all()
{
	local ns f
	for ns in router remote; do
		for f in ipv4 ipv6; do
			drill_exec "$ns" conntrack -F -f "$f" >/dev/null 2>&1 || true
		done
	done
}

# run_case PART CASE ROUND: one service instance, one window.
run_case()
{
	local part=$1 c=$2 round=$3 tag="$1/$2 round $3"
	local FG_BIN=$FG_BIN from line mode gid out k0 k1 ent0 ent1
	local opts=(--tc-priority "$((GUARD_PREF))" --policy monitor)
	local ecnt ens gcnt gns s0 s1 k i
	case $c in
	lookup1) opts+=(--offload-lookup on --lookup-sample 1) ;;
	lookup16 | lookup) opts+=(--offload-lookup on) ;;
	off) opts+=(--offload-lookup off) ;;
	base) FG_BIN=$BASE_BIN opts=(--policy monitor) ;;
	esac
	from=$(drill_log_mark "$FG_TMP/flowguard.log")
	if ! guard_start "${opts[@]}"; then
		bad "$tag: the service did not start"
		guard_halt "$tag"
		return 0
	fi
	line=$(drill_log_grep "$GUARD_LOG" ' guarding ' "$from" | head -n 1)
	mode=$(sed -n 's/.*; mode \(ct ([^)]*)\|[a-z]*\).*/\1/p' <<<"$line")
	if ! gid=$(drill_exec router "$FG_PS" tcid "$DRILL_WAN1_DEV" "$GUARD_PREF"); then
		bad "$tag: no guard on wan1 egress"
		guard_halt "$tag"
		return 0
	fi
	sleep 0.5
	ent0=$(a_entries)
	k0=$(counters "$DRILL_WAN1_DEV")
	out=$(drill_exec router "$FG_PS" run "$EMPTY_ID" "$gid" -- sleep "$WINDOW_S" 2>&1)
	k1=$(counters "$DRILL_WAN1_DEV")
	ent1=$(a_entries)
	guard_halt "$tag"
	ecnt=$(prog_field "$out" "$EMPTY_ID" run_cnt)
	ens=$(prog_field "$out" "$EMPTY_ID" run_time_ns)
	gcnt=$(prog_field "$out" "$gid" run_cnt)
	gns=$(prog_field "$out" "$gid" run_time_ns)
	if [[ -z $ecnt || -z $gcnt ]] || ((ecnt == 0 || gcnt == 0)); then
		bad "$tag: no runs counted (empty ${ecnt:-?}, guard ${gcnt:-?}): ${out//$'\n'/|}"
		return 0
	fi
	# the guard's own counters over the window: seen no-ct flagged lookups hits
	read -ra s0 <<<"$k0"
	read -ra s1 <<<"$k1"
	k=""
	for i in 0 1 2 3 4; do
		if [[ ${s0[i]} == - || ${s1[i]} == - ]]; then k+=" -"; else k+=" $((s1[i] - s0[i]))"; fi
	done
	line="raw $part $c $round $ecnt $(awk -v a="$gns" -v b="$gcnt" -v c="$ens" -v d="$ecnt" \
		'BEGIN { printf "%.1f %.1f", a / b, c / d }') $gcnt$k $ent0 $ent1"
	echo "$line" >>"$RESULTS"
	echo "$line    (mode: ${mode:-?})"
	((gcnt * 100 >= ecnt * 99 && gcnt * 100 <= ecnt * 101 + 100)) ||
		note "$tag: the guard ran $gcnt times, the empty program $ecnt"
	read -ra s1 <<<"$k"
	[[ ${s1[0]} == - ]] && return 0
	if [[ $part == offload ]]; then
		[[ $ent0 == "$CONNS/$CONNS" && $ent1 == "$CONNS/$CONNS" ]] ||
			note "$tag: A's entries offloaded before/after the window: $ent0 $ent1"
		((s1[1] * 100 >= s1[0] * 95)) ||
			note "$tag: only ${s1[1]} of ${s1[0]} packets without an entry"
	else
		((s1[1] * 100 <= s1[0])) || note "$tag: ${s1[1]} of ${s1[0]} packets without an entry"
	fi
	case $c in
	lookup1) ((s1[3] * 100 >= s1[1] * 99)) || note "$tag: ${s1[3]} lookups for ${s1[1]} no-ct packets" ;;
	off | lookup) ((s1[3] == 0)) || note "$tag: ${s1[3]} lookups" ;;
	esac
	((s1[2] == 0)) || note "$tag: ${s1[2]} packets flagged"
	return 0
}

# guard_halt TAG: SIGTERM to the service; notes when it does not exit 0.
guard_halt()
{
	local rc=0
	[[ -n ${GUARD_PID:-} ]] || return 0
	kill -TERM "$GUARD_PID" 2>/dev/null
	wait "$GUARD_PID" 2>/dev/null || rc=$?
	((rc == 0)) || note "$1: the service exited $rc on SIGTERM"
	GUARD_PID=
}

# cost_part PART CASE...: ROUNDS rounds of every case, order rotated.
cost_part()
{
	local part=$1 round k nc
	shift
	local cases=("$@")
	nc=${#cases[@]}
	for ((round = 1; round <= ROUNDS; round++)); do
		for ((k = 0; k < nc; k++)); do
			run_case "$part" "${cases[(k + round - 1) % nc]}" "$round"
		done
		fg_log "$part: round $round/$ROUNDS done ($(($(fg_now_ms) - START)) ms)"
	done
}

# cost_table PART REF CASE...: medians over rounds; "x REF": the case's
# added ns over REF's (ratio of the medians).
cost_table()
{
	local part=$1 ref=$2
	shift 2
	printf '%-9s %-9s %8s %9s %9s %9s %7s %7s  %s\n' part case packets "guard" "empty" \
		"added" "x $ref" lookups "rounds; added min..max"
	awk -v part="$part" -v ref="$ref" -v order="$*" '
		function med(a, n,  i, j, t, b) {
			for (i = 1; i <= n; i++) b[i] = a[i]
			for (i = 2; i <= n; i++) {
				t = b[i]
				for (j = i - 1; j >= 1 && b[j] > t; j--) b[j + 1] = b[j]
				b[j + 1] = t
			}
			return n % 2 ? b[(n + 1) / 2] : (b[n / 2] + b[n / 2 + 1]) / 2
		}
		$1 == "raw" && $2 == part {
			c = $3; n[c]++; k = n[c]
			pk[c, k] = $5; g[c, k] = $6; e[c, k] = $7; d[c, k] = $6 - $7
			lk[c, k] = ($10 == "-" || $9 == "-" || $9 == 0) ? -1 : $12 / $9
		}
		END {
			nc = split(order, cs, " ")
			for (i = 1; i <= nc; i++) {
				c = cs[i]
				if (!n[c]) continue
				for (k = 1; k <= n[c]; k++) {
					P[k] = pk[c, k]; G[k] = g[c, k]; E[k] = e[c, k]; D[k] = d[c, k]; L[k] = lk[c, k]
					if (k == 1 || D[k] < lo) lo = D[k]
					if (k == 1 || D[k] > hi) hi = D[k]
				}
				md[c] = med(D, n[c])
				row[c] = sprintf("%-9s %-9s %8d %9.1f %9.1f %+9.1f", part, c, med(P, n[c]),
					med(G, n[c]), med(E, n[c]), md[c])
				l = med(L, n[c])
				lks[c] = l < 0 ? "-" : sprintf("%.3f", l)
				rest[c] = sprintf("%d; %+.1f..%+.1f", n[c], lo, hi)
			}
			for (i = 1; i <= nc; i++) {
				c = cs[i]
				if (!n[c]) continue
				x = (ref in md && md[ref] > 0) ? sprintf("%.2f", md[c] / md[ref]) : "-"
				printf "%s %7s %7s  %s\n", row[c], x, lks[c], rest[c]
			}
		}' "$RESULTS"
}

# ------------------------------------------------------------ recovery

remote_mode()
{
	[[ $1 == "$REMOTE_MODE" ]] && return 0
	if [[ $1 == silent ]]; then
		_drill_remote_nft || return 1
	else
		drill_exec remote nft delete table inet fgremote || return 1
	fi
	REMOTE_MODE=$1
}

# client_start NAME SRC: fg_echo client, launch stamp in client-NAME.start
client_start()
{
	# shellcheck disable=SC2016
	drill_bg client bash -c 'printf "%s\n" "${EPOCHREALTIME/./}" >"$0"; exec "$@"' \
		"$FG_TMP/client-$1.start" "$FG_ECHO" client -b "$2" "$DRILL_REMOTE_IP4" \
		"$DRILL_PORT" >"$(drill_client_log "$1")" 2>&1
	REC_PID[$1]=$FG_LAST_PID
}

client_start_us()
{
	local f=$FG_TMP/client-$1.start s=
	fg_wait_for 5000 test -s "$f" 2>/dev/null && read -r s <"$f"
	[[ $s =~ ^[0-9]+$ ]] || return 1
	echo "$s"
}

abs_us() { echo $(($1 + $(drill_log_time "$2") * 1000)); }

teardown()
{
	kill -TERM "${REC_PID[$1]}" "${REC_PID[$2]}" 2>/dev/null
	wait "${REC_PID[$1]}" "${REC_PID[$2]}" 2>/dev/null
	drill_exec client ss -K -t "( dport = :$DRILL_PORT )" >/dev/null 2>&1 || true
	drill_exec remote ss -K -t state established "( sport = :$DRILL_PORT )" \
		>/dev/null 2>&1 || true
	offload_set 0 || note "drill: flowtable not removed"
	sleep 0.1
	ct_flush_all
	drill_isp_revive 1 || fg_fail "drill: reviving ISP 1"
	drill_policy "$DRILL_MARK1" || fg_fail "drill: policy back to uplink 1"
	drill_exec router "$FG_BIN" connected --socket "$GUARD_SOCK" wan1 \
		"$DRILL_WAN1_DEV" >/dev/null 2>&1 || note "connected wan1 failed"
}

one_drill()
{
	local cfg=$1 k=$2 off=0 remote=${1#*/} ca=a$2 cb=b$2
	local la lb sa from_a t0 t1 line res out offl=no err
	[[ $cfg == offload/* ]] && off=1
	remote_mode "$remote" || fg_fail "drill: remote $remote"
	offload_set "$off" || fg_fail "drill: flowtable $off"
	client_start "$ca" "$DRILL_CLIENT_A_IP4"
	client_start "$cb" "$DRILL_CLIENT_B_IP4"
	la=$(drill_client_log "$ca") lb=$(drill_client_log "$cb")
	drill_wait_echo "$ca" "$DRILL_WAN1_IP4" 3 30000 >/dev/null ||
		fg_fail "$cfg #$k: client A does not echo through uplink 1"
	drill_wait_echo "$cb" "$DRILL_WAN2_IP4" 3 30000 >/dev/null ||
		fg_fail "$cfg #$k: client B does not echo through uplink 2"
	sa=$(client_start_us "$ca") || fg_fail "$cfg #$k: no launch stamp"
	if ((off)); then
		fg_wait_for 30000 vm_offloaded "$DRILL_CLIENT_A_IP4" >/dev/null 2>&1 && offl=yes
		[[ $offl == yes ]] || note "$cfg #$k: A's entry not offloaded"
	else
		vm_offloaded "$DRILL_CLIENT_A_IP4" && offl=yes
	fi
	drill_isp_die 1 || fg_fail "drill: ISP 1 dies"
	sleep "$DEAD_S"
	drill_policy "$DRILL_MARK2" || fg_fail "drill: policy to uplink 2"
	from_a=$(drill_log_mark "$la")
	t0=$(now_us)
	out=$(drill_exec router "$FG_BIN" disconnected --socket "$GUARD_SOCK" wan1 \
		"$DRILL_WAN1_DEV" 2>&1) || out+=" (exit status $?)"
	t1=$(now_us)
	DISC_MS[$cfg]+="$(((t1 - t0) / 1000)) "
	if line=$(drill_wait_log "$la" "echo via=$DRILL_WAN2_IP4 vport=[0-9]+ n=1 conn=[0-9]+\$" \
		$((CAP_S * 1000)) "$from_a" 2>/dev/null); then
		res=$(($(abs_us "$sa" "$line") - t0))
		((res < 0)) && res=0
		REC_MS[$cfg]+="$res "
		res="$(((res + 500) / 1000)) ms"
	else
		NOT_REC[$cfg]=$((${NOT_REC[$cfg]:-0} + 1))
		res="not recovered within $CAP_S s"
	fi
	err=$(drill_log_grep "$la" ' error | connect-failed ' "$from_a" | head -n 1 | awk '{ print $3 }')
	ERRS[$cfg]+="${err:-none} "
	echo "raw recovery $cfg #$k: $res (A offloaded: $offl; disconnected $(((t1 - t0) / 1000)) ms: ${out//$'\n'/ | }; A's error: ${err:-none})"
	if drill_log_grep "$lb" ' error | reconnect | connect-failed ' >/dev/null; then
		note "$cfg #$k: B was disturbed"
	fi
	RAN[$cfg]=$((${RAN[$cfg]:-0} + 1))
	teardown "$ca" "$cb"
}

recovery_table()
{
	local cfg v
	printf '%-16s %3s %9s %8s %9s %8s %8s   %s\n' configuration n recovered "min ms" \
		"median ms" "max ms" "disc ms" "A's error"
	for cfg in "$@"; do
		{
			for v in ${REC_MS[$cfg]:-}; do echo "$v"; done
			for ((v = 0; v < ${NOT_REC[$cfg]:-0}; v++)); do echo inf; done
		} | sort -g | awk -v cfg="$cfg" -v cap="$CAP_S" -v n="${RAN[$cfg]:-0}" \
			-v disc="$(bench_words "${DISC_MS[$cfg]:-}" | sort -n | awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : "-" }')" \
			-v errs="$(bench_words "${ERRS[$cfg]:-}" | bench_tally)" '
			function ms(x) { return x == "inf" ? sprintf(">%ds", cap) : sprintf("%.0f", x / 1000) }
			{ r[NR] = $1; if ($1 != "inf") rec++ }
			END {
				if (!NR) { printf "%-16s %3d\n", cfg, n; exit }
				printf "%-16s %3d %9s %8s %9s %8s %8s   %s\n", cfg, n, rec + 0 "/" NR,
					ms(r[1]), ms(r[int((NR + 1) / 2)]), ms(r[NR]), disc, errs
			}'
	done
}

recovery_part()
{
	local cfgs=(offload/polite offload/silent plain/polite plain/silent) r cfg k=0 from
	from=$(drill_log_mark "$FG_TMP/flowguard.log")
	guard_start || { bad "recovery: the service did not start"; return; }
	fg_log "recovery: $DRILLS drills each, ISP 1 dead $DEAD_S s before disconnected, cap $CAP_S s; service: $(drill_log_grep "$GUARD_LOG" ' guarding ' "$from" | head -n 1)"
	for ((r = 1; r <= DRILLS; r++)); do
		for cfg in "${cfgs[@]}"; do
			k=$((k + 1))
			one_drill "$cfg" "$k"
		done
		fg_log "recovery: round $r/$DRILLS done ($(($(fg_now_ms) - START)) ms)"
	done
	guard_halt recovery
	echo
	echo "recovery: disconnected's start -> A's first echo on a new connection through uplink 2"
	echo "(TCG; includes fg_echo's 20 ms reconnect pause; median: nearest rank, the lower of two;"
	echo " disc ms: the command's own time, median)"
	recovery_table "${cfgs[@]}"
}

# ------------------------------------------------------------ main

main()
{
	local cost=()
	fg_require ip nft conntrack nsenter tc ss jq bpftool
	[[ -x $FG_PS ]] || fg_skip "$FG_PS not built (make tests-build)"
	[[ -r /sys/kernel/btf/vmlinux ]] || fg_skip "no kernel BTF"
	modprobe -a nf_flow_table nf_flow_table_inet nft_flow_offload 2>/dev/null
	[[ -z $BASE_BIN || -x $BASE_BIN ]] || fg_fail "FG_BASE_BIN: $BASE_BIN is not executable"
	START=$(fg_now_ms)
	echo "# bench-offload: $(date -u '+%Y-%m-%d %H:%M UTC'), kernel $(uname -r), $(nproc) CPUs, parts $PARTS"
	echo "# rounds $ROUNDS, window $WINDOW_S s, $CONNS connections every $INTERVAL ms; base ${BASE_BIN:-none}"
	# shellcheck disable=SC2119 # the polite remote: silent is toggled per drill
	drill_setup >/dev/null || fg_fail "drill_setup failed"
	fg_bpffs || fg_fail "no bpffs"
	RESULTS=$FG_TMP/results
	: >"$RESULTS"
	if has_part offload || has_part plain; then
		EMPTY_ID=$(drill_exec router "$FG_PS" empty "$DRILL_WAN1_DEV" "$EMPTY_PREF") ||
			fg_fail "the empty program: not loaded or not attached"
		fg_log "empty program id $EMPTY_ID on wan1 egress pref $EMPTY_PREF, guard at pref $((GUARD_PREF))"
		echo "raw columns: PART CASE ROUND EMPTY_RUNS GUARD_NS/PKT EMPTY_NS/PKT GUARD_RUNS SEEN NO-CT FLAGGED LOOKUPS HITS A_OFFLOADED/A_ENTRIES(before) (after)"
	fi
	if has_part offload; then
		offload_set 1 || fg_fail "flowtable"
		traffic_start || fg_fail "traffic"
		fg_wait_for 30000 a_all_offloaded >/dev/null 2>&1 ||
			note "offload: A's entries offloaded: $(a_entries)"
		fg_log "offload: A's entries offloaded/total: $(a_entries)"
		cost_part offload lookup1 lookup16 off
		traffic_stop
		offload_set 0 || fg_fail "flowtable off"
	fi
	if has_part plain; then
		cost=(lookup off)
		[[ -n $BASE_BIN ]] && cost+=(base)
		traffic_start || fg_fail "traffic"
		fg_log "plain: A's entries offloaded/total: $(a_entries)"
		cost_part plain "${cost[@]}"
		traffic_stop
	fi
	if has_part offload || has_part plain; then
		drill_exec router tc filter del dev "$DRILL_WAN1_DEV" egress pref "$EMPTY_PREF" || true
		echo
		echo "guard cost per packet leaving wan1 (TCG ns: ratios only): BPF run-time stats,"
		echo "guard vs an empty TC program on the same packets, medians of $ROUNDS interleaved rounds;"
		echo "added = guard - empty; x REF = added / REF's added; lookups = lookups / packets seen"
		has_part offload && cost_table offload off lookup1 lookup16 off
		has_part plain && cost_table plain off lookup off base
	fi
	has_part recovery && recovery_part
	bench_notes
	fg_log "took $(($(fg_now_ms) - START)) ms"
	((BAD == 0)) || fg_fail "$BAD window(s) or drill(s) could not run"
}

main
