#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# tests/bench/bench-recovery.sh - recovery time at mwan3's `disconnected`:
# from the hook's start to the LAN client's first echo on its new
# connection, with the uplink dead for a few seconds before mwan3 notices
# (the client's retransmission timer has backed off by then). The issue's
# target, 50 ms for flowguard behind both remotes, is reported, never
# asserted.
#
# Four configurations, interleaved (A B C D A B C D ...; a configuration
# with fewer drills has them spread evenly over the run):
#   flowguard/polite  flowguard/silent  the hook (scripts/mwan3.user ->
#                     `flowguard hook disconnected wan1 wan1`) with the
#                     service running, policy reset
#   plain/polite      plain/silent      `conntrack -D -f ipv4|ipv6 -m
#                     0x100/0x3f00` in the router (what a selective flush
#                     does without the client reset; the service runs too,
#                     as a bystander: it sees nothing to flag)
# "silent": the remote drops segments of flows it does not know instead of
# answering RST (the drill's --silent table, toggled per drill).
#
# One drill (the namespaces are built once and reused): client A (uplink 1) and
# client B (pinned to uplink 2), both echoing; ISP 1 dies; DEAD_S seconds
# later new flows go to uplink 2 (drill_policy 0x200) and t0 is taken just
# before the hook or the flush is started; recovery = the time of A's first
# echo through uplink 2 on a new connection minus t0. Then the clients are
# stopped, their sockets destroyed (ss -K, no orphan FIN retransmissions),
# both conntrack tables flushed, ISP 1 revived, the policy back to uplink
# 1, and for flowguard drills `connected wan1` through the hook.
#
# Times: fg_echo logs whole milliseconds since its own start (monotonic).
# Its start is anchored by a wrapper that writes $EPOCHREALTIME just before
# exec'ing it: fg_echo's clock starts a little later (exec, dynamic
# loading), so a figure may be low by up to that delay, measured once and
# printed, plus or minus 1 ms from the whole-ms log. Each figure is also
# checked against the time the benchmark saw the line (an upper bound).
# The figures include starting the hook (nsenter, env, sh) or conntrack(8)
# and the client's own reconnect pause (fg_echo -B, 20 ms by default).
# A plain flush behind a silent remote does not recover in useful time (the
# client waits for tcp_retries2, about 15 minutes): each drill waits at
# most CAP_S and is counted as not recovered.
#
# The dead time: A writes every 50 ms, so its first unacknowledged segment
# leaves within 50 ms of ISP 1 dying; its (re)transmissions then go about
# 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8 s after its last echo (a tail loss
# probe, then the RTO from 200 ms, doubling; seen here: 3.2 and 6.5 s). A
# plain flush recovers A at its next retransmission, so its figure is that
# schedule minus the dead time. With 3 s the flush comes just before the
# 3.2 s retransmission and the plain flush "recovers" in about 150 ms: the
# luck of the phase, not a backed-off client. 3.5 s sits well between two
# (plain recovery about 3 s). flowguard does not wait for a retransmission.
#
# Exit status: 0 when every drill ran, B was never disturbed and flowguard
# recovered A in every flowguard drill; 1 otherwise; 77 when it cannot run
# here. Timings never decide the status.
#
# Environment: FG_REC_DRILLS (drills per flowguard configuration, 20),
# FG_REC_PLAIN_DRILLS (plain flush, polite remote, 20),
# FG_REC_PLAIN_SILENT_DRILLS (plain flush, silent remote, 3),
# FG_REC_DEAD_S (seconds the uplink is dead before `disconnected`, 3.5:
# see above), FG_REC_CAP_S (longest wait for recovery per drill, 30),
# FG_REC_FAMILY (4 or 6, 4), FG_REC_CLIENT_BACKOFF_MS (fg_echo -B, 20),
# FG_KEEP=1 keeps the state folder (client and service logs).
# The defaults take about 6.5 minutes: a flowguard drill about DEAD_S +
# 0.6 s, a plain/polite one about DEAD_S + 3.6 s, a plain/silent one
# DEAD_S + CAP_S + 0.6 s.
# Run: tests/bench/run.sh recovery   or   bash tests/bench/bench-recovery.sh

set -u -o pipefail

# shellcheck source=tests/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/tests/lib.sh"
# shellcheck source=tests/bench/lib-bench.sh
source "$FG_ROOT/tests/bench/lib-bench.sh"
fg_private_mounts "$0" "$@"
# shellcheck source=tests/lib-guard.sh
source "$FG_ROOT/tests/lib-guard.sh"

N_FG=${FG_REC_DRILLS:-20}
N_PLAIN=${FG_REC_PLAIN_DRILLS:-20}
N_PLAIN_SILENT=${FG_REC_PLAIN_SILENT_DRILLS:-3}
DEAD_S=${FG_REC_DEAD_S:-3.5}
CAP_S=${FG_REC_CAP_S:-30}
FAM=${FG_REC_FAMILY:-4}
BACKOFF_MS=${FG_REC_CLIENT_BACKOFF_MS:-20}
TARGET_MS=50

CONFIGS=(flowguard/polite flowguard/silent plain/polite plain/silent)
declare -A COUNT=([flowguard/polite]=$N_FG [flowguard/silent]=$N_FG
	[plain/polite]=$N_PLAIN [plain/silent]=$N_PLAIN_SILENT)
declare -A REC_MS=() NOT_REC=() HOOK_MS=() RAN=() ERRS=()
declare -A REC_PID=()

BAD=0        # B disturbed, flowguard not recovering, a drill not running
REMOTE_MODE=polite
START_DELAY_US=0

bad() { BAD=$((BAD + 1)); printf 'BAD: %s\n' "$*" >&2; NOTES+=("BAD: $*"); }
now_us() { echo "${EPOCHREALTIME/./}"; }

# us_to_ms US: rounded milliseconds.
us_to_ms() { echo $((($1 + 500) / 1000)); }

# ------------------------------------------------------------ drill parts

# remote_mode polite|silent: the remote answers RST to flows it does not
# know, or drops their segments (the table drill_setup --silent loads).
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

# client_start NAME SRC: an fg_echo client to the remote, its launch time
# (epoch us, written just before exec) in $FG_TMP/client-NAME.start and
# its log in $(drill_client_log NAME).
client_start()
{
	local name=$1 src=$2 dst=$DRILL_REMOTE_IP4
	[[ $src == *:* ]] && dst=$DRILL_REMOTE_IP6
	# shellcheck disable=SC2016
	drill_bg client bash -c 'printf "%s\n" "${EPOCHREALTIME/./}" >"$0"; exec "$@"' \
		"$FG_TMP/client-$name.start" "$FG_ECHO" client -B "$BACKOFF_MS" \
		-b "$src" "$dst" "$DRILL_PORT" >"$(drill_client_log "$name")" 2>&1
	REC_PID[$name]=$FG_LAST_PID
}

# client_start_us NAME: the launch time written by the wrapper.
client_start_us()
{
	local f=$FG_TMP/client-$1.start s=
	fg_wait_for 2000 test -s "$f" 2>/dev/null && read -r s <"$f"
	[[ $s =~ ^[0-9]+$ ]] || return 1
	echo "$s"
}

# hook ACTION: mwan3's call, the way 16-mwan3-user makes it.
hook()
{
	drill_exec router env -i ACTION="$1" INTERFACE=wan1 \
		DEVICE="$DRILL_WAN1_DEV" FLOWGUARD="$FG_BIN" \
		FLOWGUARD_SOCKET="$GUARD_SOCK" "$FG_ROOT/scripts/mwan3.user"
}

# plain_flush OUT: the selective flush by conntrack(8), both families;
# the deleted entries are listed in OUT.
plain_flush()
{
	drill_exec router conntrack -D -f ipv4 -m "$DRILL_MARK1/$DRILL_MASK" \
		>"$1" 2>/dev/null
	drill_exec router conntrack -D -f ipv6 -m "$DRILL_MARK1/$DRILL_MASK" \
		>>"$1" 2>/dev/null
	return 0
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

# teardown CFG A B: stop both clients and everything their sockets could
# still send, clean tables, uplink 1 back in service.
teardown()
{
	local cfg=$1 ca=$2 cb=$3 rc
	# the remote's side of this drill's connections (A's stale one stays
	# open there otherwise)
	clients_stop "$ca" "$cb"
	# orphans of the closed sockets (FIN_WAIT etc.) would retransmit into
	# the next drill and leave entries with mark 0x100 behind; the remote
	# would keep A's stale connection open
	drill_exec client ss -K -t "( dport = :$DRILL_PORT )" >/dev/null 2>&1 || true
	drill_exec remote ss -K -t state established "( sport = :$DRILL_PORT )" \
		>/dev/null 2>&1 || true
	sleep 0.02
	ct_flush_all
	drill_isp_revive 1 || fg_fail "drill: reviving ISP 1"
	drill_policy "$DRILL_MARK1" || fg_fail "drill: policy back to uplink 1"
	if [[ $cfg == flowguard/* ]]; then
		hook connected >>"$FG_TMP/hook.log" 2>&1
		rc=$?
		((rc == 0)) || note "$cfg: the hook's connected exited $rc"
	fi
}

# clients_stop NAME...: SIGTERM and reap (they are this shell's children;
# fg_cleanup skips them later: their start times no longer match).
clients_stop()
{
	local n pids=()
	for n in "$@"; do
		pids+=("${REC_PID[$n]}")
	done
	kill -TERM "${pids[@]}" 2>/dev/null
	wait "${pids[@]}" 2>/dev/null
	return 0
}

# abs_us START_US LINE: the absolute time (epoch us) of a client log line.
abs_us() { echo $(($1 + $(drill_log_time "$2") * 1000)); }

# one_drill CFG K: one drill of configuration CFG (K: a unique number).
one_drill()
{
	local cfg=$1 k=$2 how=${1%/*} remote=${1#*/}
	local ca=a$k cb=b$k la lb sa from_a from_b t_die t0 t1 t_seen line
	local via1 via2 a_ip b_ip n rc err res st stale rst out

	a_ip=DRILL_CLIENT_A_IP$FAM b_ip=DRILL_CLIENT_B_IP$FAM
	via1=DRILL_WAN1_IP$FAM via2=DRILL_WAN2_IP$FAM
	via1=${!via1} via2=${!via2}
	remote_mode "$remote" || fg_fail "drill: remote $remote"

	client_start "$ca" "${!a_ip}"
	client_start "$cb" "${!b_ip}"
	la=$(drill_client_log "$ca") lb=$(drill_client_log "$cb")
	drill_wait_echo "$ca" "$via1" 3 5000 >/dev/null ||
		fg_fail "$cfg #$k: client A does not echo through uplink 1"
	drill_wait_echo "$cb" "$via2" 3 5000 >/dev/null ||
		fg_fail "$cfg #$k: client B does not echo through uplink 2"
	sa=$(client_start_us "$ca") ||
		fg_fail "$cfg #$k: no launch time from the client wrapper"
	n=$(drill_ct_count -p tcp -m "$DRILL_MARK1/$DRILL_MASK")
	((n == 1)) || note "$cfg #$k: $n TCP entries with mark 0x100 before the drill (1 expected: A's)"

	drill_isp_die 1 || fg_fail "drill: ISP 1 dies"
	t_die=$(now_us)
	sleep "$DEAD_S"
	drill_policy "$DRILL_MARK2" || fg_fail "drill: policy to uplink 2"
	from_a=$(drill_log_mark "$la") from_b=$(drill_log_mark "$lb")
	st=$(drill_log_mark "$GUARD_LOG")

	t0=$(now_us)
	if [[ $how == flowguard ]]; then
		hook disconnected >>"$FG_TMP/hook.log" 2>&1
		rc=$?
	else
		out=$FG_TMP/flush-$k.txt
		plain_flush "$out"
		rc=0
	fi
	t1=$(now_us)
	((rc == 0)) || note "$cfg #$k: the hook exited $rc"
	HOOK_MS[$cfg]+="$(((t1 - t0) / 1000)) "

	# A must have been stale: no echo from shortly after ISP 1 died to t0
	stale=$(awk -v s="$sa" -v lo=$((t_die + 300000)) -v hi="$t0" \
		'$2 == "echo" { t = s + $1 * 1000; if (t > lo && t < hi) n++ }
		 END { print n + 0 }' "$la")
	((stale == 0)) || note "$cfg #$k: A echoed $stale times while uplink 1 was dead"

	if line=$(drill_wait_log "$la" "echo via=$via2 vport=[0-9]+ n=1 conn=[0-9]+\$" \
		$((CAP_S * 1000)) "$from_a" 2>/dev/null); then
		t_seen=$(now_us)
		res=$(($(abs_us "$sa" "$line") - t0))
		# the log time can not be later than the moment we read it
		(($(abs_us "$sa" "$line") <= t_seen + 1000)) ||
			note "$cfg #$k: log time $(us_to_ms "$res") ms is after the line was seen ($(us_to_ms $((t_seen - t0))) ms): clock anchor off"
		((res < 0)) && res=0
		REC_MS[$cfg]+="$res "
		fg_log "$cfg #$k: $(us_to_ms "$res") ms (hook/flush $(((t1 - t0) / 1000)) ms)"
	else
		NOT_REC[$cfg]=$((${NOT_REC[$cfg]:-0} + 1))
		fg_log "$cfg #$k: not recovered within $CAP_S s"
		[[ $how == flowguard ]] &&
			bad "$cfg #$k: flowguard did not recover A within $CAP_S s"
	fi
	err=$(drill_log_grep "$la" ' error | connect-failed ' "$from_a" | head -n 1 |
		awk '{ print $3 }')
	ERRS[$cfg]+="${err:-none} "

	# B: no error, no reconnect, echoes through uplink 2 only, still going
	if drill_log_grep "$lb" ' error | reconnect | connect-failed ' >/dev/null; then
		bad "$cfg #$k: B was disturbed: $(drill_log_grep "$lb" ' error | reconnect | connect-failed ' | head -n 2 | tr '\n' '|')"
	elif drill_log_grep "$lb" " echo via=" | grep -qv " echo via=$via2 "; then
		bad "$cfg #$k: B echoed through another uplink"
	elif ! drill_wait_echoes "$cb" "$via2" 2 2000 "$from_b" 2>/dev/null; then
		bad "$cfg #$k: B stopped echoing"
	fi

	if [[ $how == flowguard ]]; then
		line=$(drill_log_grep "$GUARD_LOG" "disconnected wan1: " "$st" | head -n 1)
		if [[ -z $line ]]; then
			note "$cfg #$k: no 'disconnected wan1' line in the service log"
		else
			rst=$(grep -oE '[0-9]+ of [0-9]+ TCP clients reset' <<<"$line")
			[[ $rst == "1 of 1 TCP clients reset" ]] ||
				note "$cfg #$k: service: ${rst:-no client reset}: $line"
		fi
	else
		n=$(grep -c 'mark=' "$out" || true)
		((n >= 1)) || note "$cfg #$k: conntrack -D deleted $n entries"
	fi
	RAN[$cfg]=$((${RAN[$cfg]:-0} + 1))
	teardown "$cfg" "$ca" "$cb"
}

# ------------------------------------------------------------ report

# stats_line CFG: its table row; drills that did not recover count as
# infinite (nearest-rank median).
stats_line()
{
	local cfg=$1 vals nrec n
	vals=${REC_MS[$cfg]:-}
	nrec=${NOT_REC[$cfg]:-0}
	n=${RAN[$cfg]:-0}
	{
		for v in $vals; do echo "$v"; done
		for ((i = 0; i < nrec; i++)); do echo inf; done
	} | awk -v n="$n" -v cap="$CAP_S" -v target="$TARGET_MS" -v cfg="$cfg" '
		function ms(v) { return v == "inf" ? sprintf("> %d s", cap) : sprintf("%.0f", v / 1000) }
		{ v[NR] = $1 == "inf" ? 1e18 : $1; raw[NR] = $1 }
		END {
			rec = 0
			for (i = 1; i <= NR; i++) if (raw[i] != "inf") rec++
			# sort (insertion: n is small)
			for (i = 2; i <= NR; i++) {
				x = v[i]; y = raw[i]
				for (j = i - 1; j >= 1 && v[j] > x; j--) { v[j + 1] = v[j]; raw[j + 1] = raw[j] }
				v[j + 1] = x; raw[j + 1] = y
			}
			if (!NR) { printf "%-18s %3d %9s %10s %10s %10s\n", cfg, n, "-", "-", "-", "-"; exit }
			m = int((NR + 1) / 2)
			printf "%-18s %3d %9s %10s %10s %10s", cfg, n, rec "/" NR, ms(raw[1]), ms(raw[m]), ms(raw[NR])
			if (cfg ~ /^flowguard/)
				printf "   target %d ms: median %s, max %s", target,
					v[m] <= target * 1000 ? "met" : "MISSED",
					v[NR] <= target * 1000 ? "met" : "MISSED"
			if (rec < NR)
				printf "   (%d not recovered)", NR - rec
			printf "\n"
		}'
}

median_ms()
{
	bench_words "$1" | sort -n |
		awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "-" }'
}

# measure_start_delay: an upper bound of the time from the wrapper's
# timestamp to fg_echo's own clock start: exec of fg_echo up to its exit
# (usage error), the smallest of 5.
measure_start_delay()
{
	local i s e best=
	for ((i = 0; i < 5; i++)); do
		# shellcheck disable=SC2016
		s=$(drill_exec client bash -c 'printf "%s" "${EPOCHREALTIME/./}"; exec "$0" 2>/dev/null' "$FG_ECHO")
		e=$(now_us)
		[[ $s =~ ^[0-9]+$ ]] || continue
		((e - s >= 0)) || continue
		[[ -z $best ]] || ((e - s < best)) && best=$((e - s))
	done
	START_DELAY_US=${best:-0}
}

main()
{
	local r rounds=0 cfg k=0 c n start prev cur

	fg_require ip nft conntrack nsenter ss
	[[ -x $FG_BIN ]] || fg_skip "$FG_BIN not built (make tests-build)"
	[[ -x $FG_ECHO ]] || fg_skip "$FG_ECHO not built (make tests-build)"
	[[ $FAM == 4 || $FAM == 6 ]] || fg_fail "FG_REC_FAMILY: 4 or 6"
	for c in "$N_FG" "$N_PLAIN" "$N_PLAIN_SILENT" "$CAP_S" "$BACKOFF_MS"; do
		[[ $c =~ ^[0-9]+$ ]] || fg_fail "counts, FG_REC_CAP_S and ms are whole numbers: '$c'"
	done
	[[ $DEAD_S =~ ^[0-9]+(\.[0-9]+)?$ ]] || fg_fail "FG_REC_DEAD_S: seconds, e.g. 3.5"
	start=$(fg_now_ms)
	# shellcheck disable=SC2119 # the polite remote: silent is toggled per drill
	drill_setup || fg_fail "drill_setup failed"
	fg_bpffs || fg_fail "no bpffs for the pins"
	guard_start -p reset || fg_fail "the service did not start"
	: >"$FG_TMP/hook.log"
	measure_start_delay

	for cfg in "${CONFIGS[@]}"; do
		((COUNT[$cfg] > rounds)) && rounds=${COUNT[$cfg]}
	done
	fg_log "recovery: $N_FG drills per flowguard configuration, $N_PLAIN plain/polite, $N_PLAIN_SILENT plain/silent; uplink dead ${DEAD_S} s before disconnected; IPv$FAM"
	for ((r = 0; r < rounds; r++)); do
		for cfg in "${CONFIGS[@]}"; do
			n=${COUNT[$cfg]}
			# spread a smaller count evenly over the rounds
			prev=$((r * n / rounds)) cur=$(((r + 1) * n / rounds))
			((cur > prev)) || continue
			k=$((k + 1))
			one_drill "$cfg" "$k"
		done
		fg_log "round $((r + 1))/$rounds done ($(($(fg_now_ms) - start)) ms)"
	done

	echo
	echo "recovery: hook (or flush) start -> A's first echo on its new connection (ms)"
	echo "(uplink 1 dead ${DEAD_S} s before disconnected; IPv$FAM; includes fg_echo's ${BACKOFF_MS} ms"
	echo " reconnect pause and starting the hook or conntrack; figures may be low by up to"
	echo " $(awk -v d="$START_DELAY_US" 'BEGIN { printf "%.1f", d / 1000 }') ms (fg_echo's start after its launch stamp), +-1 ms (whole-ms log);"
	echo " a drill waits at most ${CAP_S} s; flowguard target ${TARGET_MS} ms, reported only)"
	printf '%-18s %3s %9s %10s %10s %10s\n' configuration n recovered "min ms" "median ms" "max ms"
	for cfg in "${CONFIGS[@]}"; do
		stats_line "$cfg"
	done
	echo
	printf '%-18s %16s   %s\n' configuration "hook/flush ms" "A's error (first after t0)"
	for cfg in "${CONFIGS[@]}"; do
		printf '%-18s %16s   %s\n' "$cfg" "$(median_ms "${HOOK_MS[$cfg]:-}") (median)" \
			"$(bench_words "${ERRS[$cfg]:-}" | bench_tally)"
	done
	if ((N_PLAIN_SILENT < N_PLAIN)); then
		echo "plain/silent ran $N_PLAIN_SILENT drills only (each waits the full ${CAP_S} s: it does not recover)"
	fi
	bench_notes
	fg_log "took $(($(fg_now_ms) - start)) ms"
	((BAD == 0)) || fg_fail "$BAD drill(s) with B disturbed or flowguard not recovering"
}

main
