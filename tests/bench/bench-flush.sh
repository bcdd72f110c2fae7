#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# tests/bench/bench-flush.sh - the cost of deleting one uplink's conntrack
# entries: 100,000 entries of the dead mark 0x100 among 320,000.
#
# Part 1, the delete itself, on identical tables, interleaved, ROUNDS each:
#   (a) flowguard flush --mark 0x100/0x3f00   our one kernel-side request
#   (b) conntrack -D -m 0x100/0x3f00          kernel-filtered dump, then one
#                                             delete request per entry
#       (conntrack-tools 1.4.7 without -f deletes in both families: checked,
#       the census after it shows the IPv6 ones gone too)
#   (c) conntrack -F                          everything (both families):
#                                             the floor
# After (a) and (b) a census of the table (one dump, counts per family and
# mark) must show exactly the 0x100 entries gone and every other one left;
# after (c) an empty table. Reported: min and median per method and the
# ratio conntrack -D / flowguard (the issue's target: at least 7.5x).
#
# Part 2, `flowguard disconnected wan1` end to end (what mwan3.user runs),
# 100,000 dead entries in the table each time, RUNS times each, interleaved:
#   (a) service   `flowguard run` in the namespace (two veth pairs as its
#                 uplinks, a private pin folder); the command asks it over
#                 the control socket (`connected wan1` between runs, untimed)
#   (b) alone     no service listening: the command reads a mwan3 config
#                 written here and does the delete itself
# Timed from the process's spawn to its exit (CLOCK_MONOTONIC, by
# fg_ctbench time). Reported: min, median, p99, max (target: within 100 ms),
# where each answer says the mark came from ("service table" in (a); an (a)
# answer saying "mwan3 config" means the command gave up waiting for the
# service, 200 ms, and acted alone) and its "N entries deleted (counted by
# the dump before the delete)", which must be 100,000 ("about N ... (table
# size change)" only when that dump failed: reported, never a wrong count).
#
# The table (all TCP, ESTABLISHED, assured, planted by fg_ctfill): dead
# 0x100: 90,000 IPv4 + 10,000 IPv6; left alone: 0x200 80,000 IPv4 + 30,000
# IPv6, 0x0 50,000 IPv4 + 10,000 IPv6, 0x3f00 50,000 IPv4. Between runs
# only the dead ones are planted again (all of it after conntrack -F).
#
# The table lives in a fresh network namespace; the host's is untouched.
# 320,000 entries exceed the default nf_conntrack_max, which only the
# initial namespace can change and which is global: it is raised for the
# run and restored on every exit path (the only host change).
#
# Exit status: 0 when everything ran and every count was right; 1 when it
# could not run or a count was wrong; 77 when it cannot run here. Timings
# never decide the status.
#
# Environment: FG_FLUSH_ROUNDS (part 1 rounds per method, 5), FG_FLUSH_RUNS
# (part 2 runs per case, 20), FG_KEEP=1 keeps the state folder.
# Run: tests/bench/run.sh flush   or   bash tests/bench/bench-flush.sh

set -u -o pipefail

# shellcheck source=tests/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/tests/lib.sh"
# shellcheck source=tests/bench/lib-bench.sh
source "$FG_ROOT/tests/bench/lib-bench.sh"
fg_private_mounts "$0" "$@"

ROUNDS=${FG_FLUSH_ROUNDS:-5}
RUNS=${FG_FLUSH_RUNS:-20}
MASK=0x3f00
DEAD_MARK=0x100
FILL=$FG_BUILD/tests/tools/fg_ctfill
CTB=$FG_BUILD/tests/tools/fg_ctbench
CT_MAX_WANT=400000

# The table: "family mark count base" (fg_ctfill add MARK COUNT FAMILY BASE;
# bases keep the tuples of one family apart). The dead ones first.
DEAD_CLASSES=(
	"4 0x100 90000 0"
	"6 0x100 10000 0"
)
LIVE_CLASSES=(
	"4 0x200 80000 100000"
	"4 0x0 50000 200000"
	"4 0x3f00 50000 300000"
	"6 0x200 30000 100000"
	"6 0x0 10000 200000"
)
DEAD_TOTAL=100000
TABLE_TOTAL=320000

NS=             # our network namespace (full name)
SVC_PID=        # the service of part 2
STATE=unknown   # full | nodead | empty | unknown
BAD=0

bad() { BAD=$((BAD + 1)); printf 'COUNT WRONG: %s\n' "$*" >&2; }
ns_exec() { nsenter --net="/run/netns/$NS" -- "$@"; }

# ---------------------------------------------------------------- host

# Deferred (runs on every exit path): the namespace goes first, then
# nf_conntrack_max gets its value back.
restore_ct_max()
{
	[[ -n $NS ]] || return 0 # nothing done yet
	[[ -n $SVC_PID ]] && fg_kill "$SVC_PID"
	SVC_PID=
	[[ -n $NS ]] && fg_netns_del "$NS"
	bench_ct_max_restore
}

# ---------------------------------------------------------------- table

add_classes() { bench_ct_add "$NS" "$FILL" "$@"; }

# ensure_full: the table holds exactly the 320,000 entries again.
ensure_full()
{
	local n i
	case $STATE in
	full) return 0 ;;
	nodead) add_classes "${DEAD_CLASSES[@]}" ;;
	empty) add_classes "${DEAD_CLASSES[@]}" "${LIVE_CLASSES[@]}" ;;
	*)
		ns_exec conntrack -F >/dev/null 2>&1
		add_classes "${DEAD_CLASSES[@]}" "${LIVE_CLASSES[@]}"
		;;
	esac
	for ((i = 0; i < 25; i++)); do
		n=$(ns_exec cat /proc/sys/net/netfilter/nf_conntrack_count)
		((n == TABLE_TOTAL)) && break
		sleep 0.02
	done
	if ((n != TABLE_TOTAL)); then
		STATE=unknown
		fg_fail "refill: $n entries in the table, not $TABLE_TOTAL"
	fi
	STATE=full
}

# check_census WHAT LABEL: the table matches bench_census_expected WHAT; sets
# STATE. A mismatch is a wrong count (and the table gets rebuilt).
check_census()
{
	local got want
	got=$(ns_exec "$CTB" census) || fg_fail "census failed"
	want=$(bench_census_expected "$1")
	if [[ $got == "$want" ]]; then
		case $1 in
		with) STATE=full ;;
		without) STATE=nodead ;;
		empty) STATE=empty ;;
		esac
		return 0
	fi
	bad "$2: the table is not what it should be; want | got:"
	paste -d'|' <(echo "$want") <(echo "$got") | sed 's/^/    /' >&2
	STATE=unknown
	return 1
}

# timed OUT ERR ENV... -- CMD...: run CMD in the namespace under
# fg_ctbench time, its stdout to the file OUT, its stderr to ERR; sets
# T_US and T_RC (CMD's exit status).
timed()
{
	local out=$1 err=$2 r
	local -a envs=()
	shift 2
	while [[ $1 != -- ]]; do
		envs+=("$1")
		shift
	done
	shift
	r=$(ns_exec env "${envs[@]}" "$CTB" time "$out" "$@" 2>"$err") ||
		fg_fail "could not run $*: $(cat "$err")"
	read -r T_US T_RC <<<"$r"
	[[ $T_US =~ ^[0-9]+$ ]] || fg_fail "fg_ctbench time: '$r'"
}

# ---------------------------------------------------------------- stats

# stats: microseconds on stdin -> "n min median p99 max" in ms (nearest rank)
stats()
{
	sort -n | awk '
		function rank(q,  i) { i = int(q * n); if (i < q * n) i++; return i < 1 ? 1 : i }
		function ms(v) { return sprintf("%.1f", v / 1000) }
		{ v[++n] = $1 }
		END {
			if (!n) { print "0 - - - -"; exit }
			print n, ms(v[1]), ms(v[rank(0.5)]), ms(v[rank(0.99)]), ms(v[n])
		}'
}

median_us()
{
	sort -n | awk '{ v[++n] = $1 } END { i = int(n / 2); if (i < n / 2) i++; print n ? v[i < 1 ? 1 : i] : 0 }'
}

min_us() { sort -n | head -n 1; }

# ---------------------------------------------------------------- part 1

declare -A P1_US=()   # method -> "us us us ..."
declare -A P1_DEL=()  # method -> what each run says it deleted

p1_run()
{
	local m=$1 r=$2 out=$FG_TMP/p1-$1-$2 said
	ensure_full
	case $m in
	flowguard)
		timed "$out" "$out.err" -- "$FG_BIN" flush --mark "$DEAD_MARK/$MASK"
		said=$(sed -n 's/.*about \([0-9]*\) entries deleted.*/\1/p' "$out")
		;;
	ctdelete)
		# one line per deleted entry on stdout: not kept
		timed /dev/null "$out.err" -- conntrack -D -m "$DEAD_MARK/$MASK"
		said=$(sed -n 's/.*: \([0-9]*\) flow entries have been deleted.*/\1/p' "$out.err")
		[[ $said == "$DEAD_TOTAL" ]] ||
			bad "conntrack -D, round $r: says it deleted '${said:-?}', not $DEAD_TOTAL"
		;;
	ctflush)
		timed "$out" "$out.err" -- conntrack -F
		said=all
		;;
	esac
	((T_RC == 0)) || fg_fail "$m (round $r) exited with $T_RC: $(cat "$out.err")"
	[[ $m != flowguard || $said == "$DEAD_TOTAL" ]] ||
		note "flowguard flush, round $r: says about '${said:-?}' deleted (table size change)"
	P1_US[$m]+="$T_US "
	P1_DEL[$m]+="${said:-?} "
	if [[ $m == ctflush ]]; then
		check_census empty "conntrack -F, round $r"
	else
		check_census without "$m, round $r"
	fi
}

part1()
{
	local methods=(flowguard ctdelete ctflush) r k i m
	fg_log "part 1: $ROUNDS rounds of (a) flowguard flush, (b) conntrack -D, (c) conntrack -F"
	for ((r = 1; r <= ROUNDS; r++)); do
		for ((k = 0; k < 3; k++)); do
			i=$(((r - 1 + k) % 3))
			m=${methods[i]}
			p1_run "$m" "$r"
		done
	done
}

# ---------------------------------------------------------------- part 2

MWAN3_CONF=
ALONE_ENV=()
SVC_ENV=()

# mwan3 numbers interfaces in config order: wan1 is 1 (0x100), wan2 2.
write_mwan3()
{
	MWAN3_CONF=$FG_TMP/mwan3
	cat >"$MWAN3_CONF" <<EOF
config globals 'globals'
	option mmx_mask '0x3F00'

config interface 'wan1'
	option enabled '1'

config interface 'wan2'
	option enabled '1'
EOF
}

setup_service()
{
	bench_service_start "$NS" "$MWAN3_CONF" "$FG_TMP/service.log"
	SVC_PID=$BENCH_SVC_PID
}

declare -A P2_US=()     # case -> "us us ..."
declare -A P2_SRC=()    # case -> where each answer says the mark came from
declare -A P2_DEL=()    # case -> N deleted (~N: an estimate), each run
declare -A P2_FIRST=()  # case -> the first run's answer

p2_run()
{
	local c=$1 r=$2 out=$FG_TMP/p2-$1-$2 line src del
	local -a envs
	ensure_full
	if [[ $c == service ]]; then
		envs=("${SVC_ENV[@]}")
	else
		envs=("${ALONE_ENV[@]}")
	fi
	timed "$out" "$out.err" "${envs[@]}" -- "$FG_BIN" disconnected wan1
	((T_RC == 0)) || fg_fail "disconnected wan1 ($c, run $r) exited with $T_RC: $(cat "$out.err")"
	line=$(grep -m1 '^disconnected wan1: ' "$out")
	src=$(sed -n 's/.*mark 0x100\/0x3f00 (\([^)]*\)).*/\1/p' <<<"$line")
	[[ -n $src ]] || bad "$c, run $r: unexpected answer: '$line' $(cat "$out.err")"
	del=$(sed -n -e 's/.*, \([0-9]*\) entries deleted (counted by .*/\1/p' \
		-e 's/.*, about \([0-9]*\) entries deleted (table size change.*/~\1/p' <<<"$line")
	[[ $del == "~"* || $del == "$DEAD_TOTAL" ]] ||
		bad "$c, run $r: says '${del:-?}' entries deleted, not $DEAD_TOTAL: '$line'"
	[[ -n ${P2_FIRST[$c]:-} ]] || P2_FIRST[$c]=$line
	P2_US[$c]+="$T_US "
	P2_SRC[$c]+="${src// /_} "
	P2_DEL[$c]+="${del:-?} "
	check_census without "disconnected wan1 ($c), run $r"
	if [[ $c == service ]]; then
		# the uplink comes back before the next run (untimed)
		ns_exec env "${SVC_ENV[@]}" "$FG_BIN" connected wan1 \
			>"$out.conn" 2>&1 ||
			note "connected wan1 after run $r: $(cat "$out.conn")"
	fi
}

part2()
{
	local r n
	fg_log "part 2: $RUNS runs each of flowguard disconnected wan1, with and without the service"
	write_mwan3
	ALONE_ENV=(FLOWGUARD_SOCKET="$FG_TMP/nobody.sock"
		FLOWGUARD_MWAN3_CONFIG="$MWAN3_CONF"
		FLOWGUARD_MWAN3_MASK_FILE="$FG_TMP/no-mmx_mask"
		FLOWGUARD_PIN_DIR="$FG_TMP/no-pins")
	setup_service
	SVC_ENV=("${BENCH_SVC_ENV[@]}")
	for ((r = 1; r <= RUNS; r++)); do
		if ((r % 2)); then
			p2_run service "$r"
			p2_run alone "$r"
		else
			p2_run alone "$r"
			p2_run service "$r"
		fi
	done
	n=$(grep -c 'disconnected wan1: ' "$FG_TMP/service.log")
	((n == RUNS)) || note "the service logged $n disconnects for $RUNS requests"
	fg_kill "$SVC_PID"
	SVC_PID=
	if [[ -n $(ls -A "$FG_PIN_DIR" 2>/dev/null) ]]; then
		note "the service left pins in its pin folder: $(find "$FG_PIN_DIR" -mindepth 1 -maxdepth 1 -printf '%f ')"
	fi
	if grep -vE ' guarding |disconnected wan1: |connected wan1: |signal [0-9]+: stopping' \
		"$FG_TMP/service.log" | grep -q .; then
		note "other service log lines: $(grep -vE ' guarding |disconnected wan1: |connected wan1: |signal [0-9]+: stopping' "$FG_TMP/service.log" | head -n 3 | tr '\n' '|')"
	fi
}

# ---------------------------------------------------------------- report

report()
{
	local m label fa fb ma mb u d
	echo
	echo "part 1: delete the 100,000 entries of mark 0x100/0x3f00 among 320,000"
	echo "(ms, $ROUNDS rounds each, interleaved, identical tables)"
	printf '%-44s %3s %8s %8s  %s\n' method n min median "deleted (as each reports)"
	for m in flowguard ctdelete ctflush; do
		case $m in
		flowguard) label="(a) flowguard flush --mark 0x100/0x3f00" ;;
		ctdelete) label="(b) conntrack -D -m 0x100/0x3f00" ;;
		ctflush) label="(c) conntrack -F (all 320,000: the floor)" ;;
		esac
		# shellcheck disable=SC2046
		set -- $(bench_words "${P1_US[$m]:-}" | stats)
		d=$(bench_words "${P1_DEL[$m]:-}" | bench_tally)
		printf '%-44s %3s %8s %8s  %s\n' "$label" "$1" "$2" "$3" "$d"
	done
	fa=$(bench_words "${P1_US[flowguard]:-}" | median_us)
	fb=$(bench_words "${P1_US[ctdelete]:-}" | median_us)
	ma=$(bench_words "${P1_US[flowguard]:-}" | min_us)
	mb=$(bench_words "${P1_US[ctdelete]:-}" | min_us)
	if ((${fa:-0} > 0 && ${ma:-0} > 0)); then
		printf 'conntrack -D / flowguard: %s (medians), %s (mins); target at least 7.5x, reported only\n' \
			"$(awk -v a="$fa" -v b="$fb" 'BEGIN { printf "%.1fx", b / a }')" \
			"$(awk -v a="$ma" -v b="$mb" 'BEGIN { printf "%.1fx", b / a }')"
	fi

	echo
	echo "part 2: flowguard disconnected wan1, 100,000 entries to delete among 320,000"
	echo "(ms from spawn to exit, $RUNS runs each, interleaved; target within 100 ms, reported only)"
	printf '%-34s %3s %7s %7s %7s %7s  %s\n' case n min median p99 max \
		"mark from (as answered); N deleted (~N: estimate)"
	for m in service alone; do
		case $m in
		service) label="(a) service running (ctl socket)" ;;
		alone) label="(b) no service (mwan3 config)" ;;
		esac
		# shellcheck disable=SC2046
		set -- $(bench_words "${P2_US[$m]:-}" | stats)
		u=$(bench_words "${P2_SRC[$m]:-}" | bench_tally | tr '_' ' ')
		d=$(bench_words "${P2_DEL[$m]:-}" |
			awk -v want="$DEAD_TOTAL" '$1 == want { ok++; next } { other++ }
				END { printf "%s x%d", want, ok; if (other) printf ", other x%d", other }')
		printf '%-34s %3s %7s %7s %7s %7s  %s; %s\n' "$label" "$1" "$2" "$3" "$4" "$5" "$u" "$d"
	done
	for m in service alone; do
		echo "first answer, $m: ${P2_FIRST[$m]:-none}"
	done
	bench_notes
}

main()
{
	local start f
	fg_require ip conntrack nsenter
	for f in "$FG_BIN" "$FILL" "$CTB"; do
		[[ -x $f ]] || fg_skip "$f not built (make tests-build)"
	done
	[[ -w $BENCH_CT_MAX_FILE ]] || fg_skip "$BENCH_CT_MAX_FILE not writable"
	start=$(fg_now_ms)
	fg_log "$(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg), kernel $(uname -r)"
	fg_init
	fg_defer restore_ct_max
	fg_netns_add ct || fg_fail "cannot create a network namespace"
	NS=$(fg_netns_name ct)
	bench_ct_max_raise "$CT_MAX_WANT"
	ensure_full
	check_census with "the first fill" || fg_fail "the table is not as planned"

	part1
	part2
	report
	fg_log "took $(($(fg_now_ms) - start)) ms"
	((BAD == 0)) || fg_fail "$BAD wrong count(s)"
}

main
