#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# tests/bench/bench-bigtable.sh - the disconnect flush at 1,000,000
# conntrack entries, side by side with conntrack(8) on the same table.
#
# The table (all TCP, ESTABLISHED, assured, planted by fg_ctfill in a
# namespace of our own): the dead uplink's mark 0x100: 450,000 IPv4 +
# 50,000 IPv6; left alone: the other uplink's 0x200 (300,000 IPv4 +
# 50,000 IPv6), unmarked 0x0 (120,000 IPv4 + 10,000 IPv6) and mwan3's
# default mark 0x3f00 (20,000 IPv4). 1,000,000 in all.
#
# ROUNDS times each, interleaved, the dead 500,000 planted again before
# every delete (the rest stays):
#   (a) service    `flowguard disconnected wan1` asking the running
#                  `flowguard run` (two veths as its uplinks, a private
#                  pin folder) over its control socket: what mwan3.user
#                  runs. The answer must say "(service table)": the
#                  service answered within the command's 200 ms (the
#                  command gives up and acts alone otherwise, saying
#                  "(mwan3 config)"), then had up to 10 s to finish.
#                  `connected wan1` between rounds, untimed.
#   (b) conntrack  `conntrack -D -m 0x100/0x3f00`: a kernel-filtered dump,
#                  then one delete request per entry, both families.
# Each timed from spawn to exit (CLOCK_MONOTONIC, fg_ctbench time). After
# each, a census (one dump, counts per family and mark): entries of the
# dead mark left (must be 0) and collateral, entries of any other class
# missing (must be 0), each class counted.
#
# 1,000,000 entries exceed the default nf_conntrack_max, which only the
# initial namespace can change and which is global: raised for the run
# (to 1,100,000) and restored on every exit path, unless someone else
# changed it meanwhile (then left alone, and said). The hash size is not
# touched: 262,144 buckets (this host's) make chains of about 4. The
# kernel needs about 320 bytes an entry, ~330 MB: with less than
# FG_BIGTABLE_MIN_MB (1500) of available memory the run is skipped.
#
# Exit status: 0 when everything ran and every count was right; 1 when it
# could not run or a count was wrong; 77 when it cannot run here. Timings
# never decide the status.
#
# Environment: FG_BIGTABLE_ROUNDS (3), FG_BIGTABLE_MIN_MB (1500),
# FG_KEEP=1 keeps the state folder.
# Run: tests/bench/run.sh bigtable   or   bash tests/bench/bench-bigtable.sh

set -u -o pipefail

# shellcheck source=tests/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/tests/lib.sh"
# shellcheck source=tests/bench/lib-bench.sh
source "$FG_ROOT/tests/bench/lib-bench.sh"
fg_private_mounts "$0" "$@"

ROUNDS=${FG_BIGTABLE_ROUNDS:-3}
MIN_MB=${FG_BIGTABLE_MIN_MB:-1500}
MASK=0x3f00
FILL=$FG_BUILD/tests/tools/fg_ctfill
CTB=$FG_BUILD/tests/tools/fg_ctbench
CT_MAX_WANT=1100000

# "family mark count base" (fg_ctfill add MARK COUNT FAMILY BASE; the
# bases keep the tuples of one family apart)
DEAD_CLASSES=(
	"4 0x100 450000 0"
	"6 0x100 50000 0"
)
LIVE_CLASSES=(
	"4 0x200 300000 1000000"
	"4 0x0 120000 2000000"
	"4 0x3f00 20000 3000000"
	"6 0x200 50000 1000000"
	"6 0x0 10000 2000000"
)
DEAD_TOTAL=500000
TABLE_TOTAL=1000000

NS=
SVC_PID=
SVC_ENV=()
BAD=0

bad() { BAD=$((BAD + 1)); printf 'COUNT WRONG: %s\n' "$*" >&2; }
ns_exec() { nsenter --net="/run/netns/$NS" -- "$@"; }

# ---------------------------------------------------------------- host

# Deferred (every exit path): the service and the namespace go first
# (with them the table), then nf_conntrack_max gets its value back.
cleanup_host()
{
	[[ -n $SVC_PID ]] && fg_kill "$SVC_PID"
	SVC_PID=
	[[ -n $NS ]] && fg_netns_del "$NS"
	NS=
	bench_ct_max_restore
}

# enough_memory: skip (77) with one clear line when short of memory.
enough_memory()
{
	local avail
	avail=$(free -m | awk '$1 == "Mem:" { print $7 }')
	[[ $avail =~ ^[0-9]+$ ]] || fg_fail "free -m: no available memory figure"
	((avail >= MIN_MB)) ||
		fg_skip "1,000,000 conntrack entries need ~330 MB of kernel memory and room to spare: $avail MB available, less than $MIN_MB (FG_BIGTABLE_MIN_MB)"
	fg_log "memory: $avail MB available (at least $MIN_MB wanted)"
}

# ---------------------------------------------------------------- table

# census_check WHAT LABEL: the table must match bench_census_expected WHAT.
# Sets LEFT (entries of the dead mark left) and COLLATERAL (entries of the
# other classes missing) from the census, whatever it says.
census_check()
{
	local got want fam mark n k
	local -A have=()
	got=$(ns_exec "$CTB" census) || fg_fail "census failed"
	while read -r fam mark n; do
		[[ $fam == ipv* ]] && have["$fam $((mark))"]=$n
	done <<<"$got"
	LEFT=$((${have["ipv4 256"]:-0} + ${have["ipv6 256"]:-0}))
	COLLATERAL=0
	for k in "${LIVE_CLASSES[@]}"; do
		read -r fam mark n _ <<<"$k"
		n=$((n - ${have["ipv$fam $((mark))"]:-0}))
		((n > 0)) && COLLATERAL=$((COLLATERAL + n))
	done
	want=$(bench_census_expected "$1")
	[[ $got == "$want" ]] && return 0
	bad "$2: the table is not what it should be; want | got:"
	paste -d'|' <(echo "$want") <(echo "$got") | sed 's/^/    /' >&2
	return 1
}

# fill CLASS...: plant the classes; the table must then hold TOTAL.
fill()
{
	local total=$1 n i
	shift
	bench_ct_add "$NS" "$FILL" "$@"
	for ((i = 0; i < 25; i++)); do
		n=$(ns_exec cat /proc/sys/net/netfilter/nf_conntrack_count)
		((n == total)) && return 0
		sleep 0.02
	done
	fg_fail "fill: $n entries in the table, not $total"
}

# ---------------------------------------------------------------- service

setup_service()
{
	cat >"$FG_TMP/mwan3" <<EOF
config globals 'globals'
	option mmx_mask '0x3F00'

config interface 'wan1'
	option enabled '1'

config interface 'wan2'
	option enabled '1'
EOF
	bench_service_start "$NS" "$FG_TMP/mwan3" "$FG_TMP/service.log"
	SVC_PID=$BENCH_SVC_PID
	SVC_ENV=("${BENCH_SVC_ENV[@]}")
}

# ---------------------------------------------------------------- runs

declare -A R_US=() R_DEL=() R_LEFT=() R_COLL=() R_SRC=()
R_DONE=
FIRST_ANSWER=

# timed OUT ERR CMD...: CMD in the namespace (SVC_ENV set) under
# fg_ctbench time; T_US, T_RC.
timed()
{
	local r out=$1 err=$2
	shift 2
	r=$(ns_exec env "${SVC_ENV[@]}" "$CTB" time "$out" "$@" 2>"$err") ||
		fg_fail "could not run $*: $(cat "$err")"
	read -r T_US T_RC <<<"$r"
	[[ $T_US =~ ^[0-9]+$ ]] || fg_fail "fg_ctbench time: '$r'"
}

run_one()
{
	local m=$1 r=$2 out=$FG_TMP/$1-$2 said src line from t0 sline
	case $m in
	service)
		from=$(drill_log_mark "$FG_TMP/service.log")
		t0=$(fg_now_ms)
		timed "$out" "$out.err" "$FG_BIN" disconnected wan1
		# the service's own line says its work is done, also when the
		# command gave up waiting for it (10 s): polled, so the time is
		# an upper bound by 20 ms
		sline=$(drill_wait_log "$FG_TMP/service.log" "disconnected wan1: mark " \
			600000 "$from") || fg_fail "the service never finished round $r"
		R_DONE+="$(($(fg_now_ms) - t0)) "
		line=$(grep -m1 '^disconnected wan1: ' "$out") || line=$(cat "$out.err")
		[[ -n $FIRST_ANSWER ]] || FIRST_ANSWER=$line
		if ((T_RC == 0)); then
			src=$(sed -n 's/.*mark 0x100\/0x3f00 (\([^)]*\)).*/\1/p' <<<"$line")
			[[ $src == "service table" ]] ||
				note "round $r: not answered by the service: '$line'"
		elif [[ $line == *"took the request but has not finished"* ]]; then
			src="service, not finished in its 10 s (exit $T_RC)"
			note "round $r: $line"
		else
			fg_fail "$m (round $r) exited with $T_RC: $line"
		fi
		said=$(sed -n -e 's/.*, \([0-9]*\) entries deleted (counted by .*/\1/p' \
			-e 's/.*, about \([0-9]*\) entries deleted (table size change.*/~\1/p' <<<"$sline")
		fg_log "service's line: ${sline#*flowguard: }"
		;;
	conntrack)
		# one line per deleted entry on stdout: not kept
		timed /dev/null "$out.err" conntrack -D -m "0x100/$MASK"
		((T_RC == 0)) || fg_fail "$m (round $r) exited with $T_RC: $(cat "$out.err")"
		src=-
		said=$(sed -n 's/.*: \([0-9]*\) flow entries have been deleted.*/\1/p' "$out.err")
		;;
	esac
	[[ $said == "$DEAD_TOTAL" || $said == "~"* ]] ||
		bad "$m, round $r: says it deleted '${said:-?}', not $DEAD_TOTAL"
	census_check without "$m, round $r"
	fg_log "$m, round $r: $((T_US / 1000)) ms, ${said:-?} deleted (as it says), $LEFT of the dead mark left, collateral $COLLATERAL${src:+, mark from: $src}"
	R_US[$m]+="$T_US "
	R_DEL[$m]+="${said:-?} "
	R_LEFT[$m]+="$LEFT "
	R_COLL[$m]+="$COLLATERAL "
	R_SRC[$m]+="${src// /_} "
	if [[ $m == service ]]; then
		ns_exec env "${SVC_ENV[@]}" "$FG_BIN" connected wan1 >"$out.conn" 2>&1 ||
			note "connected wan1 after round $r: $(cat "$out.conn")"
	fi
}

# ms STATS_OF_US: "min median max" in ms of the microseconds given
ms3()
{
	bench_words "$1" | sort -n | awk '{ v[++n] = $1 }
		END { if (!n) { print "- - -"; exit }
			printf "%.0f %.0f %.0f\n", v[1] / 1000, v[int((n + 1) / 2)] / 1000, v[n] / 1000 }'
}

sum_words() { bench_words "$1" | awk '{ s += $1 } END { print s + 0 }'; }

report()
{
	local m label ma mb
	echo
	echo "delete the 500,000 entries of mark 0x100/0x3f00 among 1,000,000 ($ROUNDS rounds each, interleaved, the same table refilled)"
	printf '%-40s %7s %7s %7s  %-22s %5s %10s  %s\n' method "min ms" median max \
		"deleted (as it says)" left collateral "answered by"
	for m in service conntrack; do
		case $m in
		service) label="(a) flowguard disconnected (service)" ;;
		conntrack) label="(b) conntrack -D -m 0x100/0x3f00" ;;
		esac
		# shellcheck disable=SC2046
		set -- $(ms3 "${R_US[$m]:-}")
		printf '%-40s %7s %7s %7s  %-22s %5s %10s  %s\n' "$label" "$1" "$2" "$3" \
			"$(bench_words "${R_DEL[$m]:-}" | bench_tally)" \
			"$(sum_words "${R_LEFT[$m]:-}")" "$(sum_words "${R_COLL[$m]:-}")" \
			"$(bench_words "${R_SRC[$m]:-}" | bench_tally | tr '_' ' ')"
	done
	ma=$(bench_words "${R_US[service]:-}" | sort -n | head -n 1)
	mb=$(bench_words "${R_US[conntrack]:-}" | sort -n | head -n 1)
	if ((${ma:-0} > 0 && ${mb:-0} > 0)); then
		echo "conntrack -D / flowguard disconnected: $(awk -v a="$ma" -v b="$mb" 'BEGIN { printf "%.1fx", b / a }') (mins)"
	fi
	# shellcheck disable=SC2046
	set -- $(bench_words "$R_DONE" | sort -n | tr '\n' ' ')
	echo "(a) the service's work done (its log line) after: $* ms (per round, sorted; the command waits up to 10 s for it)"
	echo "left: entries of mark 0x100 left over all rounds; collateral: entries of 0x200, 0x0 and 0x3f00 missing over all rounds (each census counts 500,000 of them)"
	echo "first answer: ${FIRST_ANSWER:-none}"
	if grep -vE ' guarding |disconnected wan1: |connected wan1: |signal [0-9]+: stopping' \
		"$FG_TMP/service.log" | grep -q .; then
		echo "other service log lines: $(grep -vE ' guarding |disconnected wan1: |connected wan1: |signal [0-9]+: stopping' "$FG_TMP/service.log" | head -n 3 | tr '\n' '|')"
	fi
	bench_notes
}

main()
{
	local start f r
	fg_require ip conntrack nsenter free
	for f in "$FG_BIN" "$FILL" "$CTB"; do
		[[ -x $f ]] || fg_skip "$f not built (make tests-build)"
	done
	[[ -w $BENCH_CT_MAX_FILE ]] || fg_skip "$BENCH_CT_MAX_FILE not writable"
	[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] ||
		fg_fail "FG_BIGTABLE_ROUNDS must be a positive number, not '$ROUNDS'"
	enough_memory
	start=$(fg_now_ms)
	fg_log "$(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg), kernel $(uname -r), $(cat /proc/sys/net/netfilter/nf_conntrack_buckets) conntrack buckets"
	fg_init
	fg_defer cleanup_host
	fg_netns_add ct || fg_fail "cannot create a network namespace"
	NS=$(fg_netns_name ct)
	bench_ct_max_raise "$CT_MAX_WANT"
	setup_service
	fill "$TABLE_TOTAL" "${DEAD_CLASSES[@]}" "${LIVE_CLASSES[@]}"
	census_check with "the first fill" || fg_fail "the table is not as planned"
	fg_log "table planted: $TABLE_TOTAL entries ($(($(fg_now_ms) - start)) ms so far)"
	for ((r = 1; r <= ROUNDS; r++)); do
		if ((r % 2)); then
			run_one service "$r"
			fill "$TABLE_TOTAL" "${DEAD_CLASSES[@]}"
			run_one conntrack "$r"
		else
			run_one conntrack "$r"
			fill "$TABLE_TOTAL" "${DEAD_CLASSES[@]}"
			run_one service "$r"
		fi
		((r == ROUNDS)) || fill "$TABLE_TOTAL" "${DEAD_CLASSES[@]}"
	done
	report
	fg_log "took $(($(fg_now_ms) - start)) ms"
	((BAD == 0)) || fg_fail "$BAD wrong count(s)"
}

main
