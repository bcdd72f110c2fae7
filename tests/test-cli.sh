# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# tests/test-cli.sh - the command line: bad input gets ONE line on stderr,
# nothing on stdout and a non-zero exit (2: usage, i.e. unknown options or
# commands and bad values, config file contents included; 1: runtime, such
# as an unreadable config or no service), and never starts
# anything: no pin dir, no socket, and (checked with strace when there is
# one) no bpf(), mkdir() or bind() call at all. `--help` of flowguard and of
# each command it lists exits 0 with its usage on stdout.
# Run: tests/run.sh cli
#
# Every case of a test runs even after one fails; the test then fails and
# its log names each failing case with the exact output the binary gave.

CLI_FAILED=0
CLI_PIN=
CLI_SOCK=
CLI_STRACE=
CLI_DEFAULTS=

# _cli_defaults: whether the default pin dir and socket exist (they must be
# the same after every case: nothing may touch them).
_cli_defaults()
{
	local p out=""
	for p in /sys/fs/bpf/flowguard /var/run/flowguard.sock; do
		if [[ -e $p ]]; then out+="$p=yes "; else out+="$p=no "; fi
	done
	echo "$out"
}

# cli_setup: a pin dir path from fg_pin_dir (removed again: nothing may
# create it) and a socket path in FG_TMP, both given to every command
# through the environment; strace when there is one.
cli_setup()
{
	[[ -x $FG_BIN ]] || fg_skip "$FG_BIN not built (make)"
	fg_init
	if [[ $(id -u) == 0 ]] && fg_pin_dir cli >/dev/null 2>&1; then
		CLI_PIN=$FG_PIN_DIR
		rmdir "$CLI_PIN"
	else
		CLI_PIN=$FG_TMP/pins # not a bpffs: still must not appear
	fi
	CLI_SOCK=$FG_TMP/fg.sock
	export FLOWGUARD_PIN_DIR=$CLI_PIN FLOWGUARD_SOCKET=$CLI_SOCK
	if command -v strace >/dev/null 2>&1; then
		CLI_STRACE=1
	fi
	CLI_DEFAULTS=$(_cli_defaults)
}

# _cli_bad CASE WHAT: one failing case, with what the binary printed.
_cli_bad()
{
	local out=$FG_TMP/cli.out err=$FG_TMP/cli.err
	CLI_FAILED=$((CLI_FAILED + 1))
	{
		echo "FAIL: case \`flowguard $1\`: $2"
		echo "    exit status $CLI_RC; stderr ($(wc -l <"$err") lines):"
		sed 's/^/    | /' "$err"
		if [[ -s $out ]]; then
			echo "    stdout ($(wc -l <"$out") lines):"
			head -n 5 "$out" | sed 's/^/    | /'
		fi
	} >&2
}

# cli_run [--netns] ARGS...: flowguard ARGS (in a fresh network namespace
# with --netns); CLI_RC, $FG_TMP/cli.out, cli.err, cli.trace.
cli_run()
{
	local pre=() tr=()
	if [[ ${1:-} == --netns ]]; then
		pre=(unshare -n)
		shift
	fi
	: >"$FG_TMP/cli.trace"
	if [[ -n $CLI_STRACE ]]; then
		tr=(strace "${FG_STRACE_ENV[@]}" -f -qq -o "$FG_TMP/cli.trace"
			-e 'trace=bpf,?mkdir,mkdirat,bind')
	fi
	CLI_RC=0
	"${pre[@]}" "${tr[@]}" "$FG_BIN" "$@" >"$FG_TMP/cli.out" \
		2>"$FG_TMP/cli.err" </dev/null || CLI_RC=$?
}

# expect_fail CODE [--netns] ARGS...: flowguard ARGS must exit CODE with
# exactly one non-empty line on stderr, nothing on stdout, and create
# nothing.
expect_fail()
{
	local code=$1 shown lines last calls
	shift
	shown=$*
	[[ ${1:-} == --netns ]] && shown="${*:2} (in a fresh netns)"
	cli_run "$@"
	local err=$FG_TMP/cli.err
	lines=$(wc -l <"$err")
	last=$(tail -c 1 "$err" | od -An -c | tr -d ' ')
	if [[ $CLI_RC != "$code" ]]; then
		_cli_bad "$shown" "exit status $CLI_RC, want $code"
	elif [[ $lines != 1 || $last != '\n' || $(head -c 1 "$err") == $'\n' ]]; then
		_cli_bad "$shown" "want exactly one line on stderr"
	elif [[ -s $FG_TMP/cli.out ]]; then
		_cli_bad "$shown" "want nothing on stdout"
	elif [[ -e $CLI_PIN ]]; then
		_cli_bad "$shown" "left pin dir $CLI_PIN"
	elif [[ -e $CLI_SOCK || -L $CLI_SOCK ]]; then
		_cli_bad "$shown" "left socket $CLI_SOCK"
	elif [[ $(_cli_defaults) != "$CLI_DEFAULTS" ]]; then
		_cli_bad "$shown" "touched the default pin dir or socket"
	elif calls=$(grep -E '(bpf|mkdir|mkdirat|bind)\(' "$FG_TMP/cli.trace" |
		grep -v -- '--- SIG'); then
		_cli_bad "$shown" "started something: $(echo "$calls" |
			sed -E 's/^[0-9]+ +//; s/\(([^,)]*).*/(\1...)/' |
			sort | uniq -c | sed 's/^ *//' | paste -sd ' ')"
	else
		fg_log "ok ($CLI_RC): flowguard $shown: $(cat "$err")"
	fi
	# whatever a failing case left, the next case starts clean
	[[ -d $CLI_PIN ]] && rm -rf "$CLI_PIN"
	rm -f "$CLI_SOCK"
	return 0
}

# expect_help ARGS...: exit 0, usage on stdout, nothing on stderr.
expect_help()
{
	cli_run "$@"
	if [[ $CLI_RC != 0 ]]; then
		_cli_bad "$*" "exit status $CLI_RC, want 0"
	elif [[ -s $FG_TMP/cli.err ]]; then
		_cli_bad "$*" "want nothing on stderr"
	elif ! grep -q '^usage: flowguard' "$FG_TMP/cli.out"; then
		_cli_bad "$*" "want a usage text on stdout"
	elif [[ -e $CLI_PIN || -e $CLI_SOCK ]]; then
		_cli_bad "$*" "left a pin dir or socket"
	else
		fg_log "ok: flowguard $*: $(head -n 1 "$FG_TMP/cli.out")"
	fi
	return 0
}

# cli_verdict: the test fails when one of its cases did.
cli_verdict()
{
	((CLI_FAILED == 0)) || fg_fail "$CLI_FAILED case(s) failed, see above"
}

# cli_conf NAME TEXT: a config file in FG_TMP; prints its path.
cli_conf()
{
	printf '%s' "$2" >"$FG_TMP/$1"
	echo "$FG_TMP/$1"
}

U1=wan:eth0:0x100 # a valid uplink, for the cases about something else

test_no_command()
{
	cli_setup
	expect_fail 2
	expect_fail 2 bogus
	expect_fail 2 --bogus
	expect_fail 2 ''
	cli_verdict
}

test_run_uplink_errors()
{
	cli_setup
	expect_fail 2 run
	expect_fail 2 run -u
	expect_fail 2 run --uplink wan
	expect_fail 2 run --uplink wan:eth0
	expect_fail 2 run --uplink wan::0x100
	expect_fail 2 run --uplink :eth0:0x100
	expect_fail 2 run --uplink wan:eth0:
	expect_fail 2 run --uplink wan:eth0:zz
	expect_fail 2 run --uplink wan:eth0:-1
	expect_fail 2 run --uplink wan:eth0:0x1000000000
	expect_fail 2 run --uplink wan:eth0:0
	expect_fail 2 run --uplink wan:eth0:0x3f00
	expect_fail 2 run --uplink wan:eth0:0x3e00
	expect_fail 2 run --uplink wan:eth0:0x3d00
	expect_fail 2 run --uplink wan:eth0:0x1
	expect_fail 2 run -u wan:eth0:0x100 -u wan:eth1:0x200
	expect_fail 2 run -u wan:eth0:0x100 -u wan2:eth1:0x100
	cli_verdict
}

test_run_knob_errors()
{
	cli_setup
	expect_fail 2 run -u $U1 --mask 0
	expect_fail 2 run -u $U1 --mask 0x100
	expect_fail 2 run -u $U1 --mask 0x3f00x
	expect_fail 2 run -u $U1 --mode bogus
	expect_fail 2 run -u $U1 --mode ''
	expect_fail 2 run -u $U1 --policy bogus
	expect_fail 2 run -u $U1 --ct-way bogus
	expect_fail 2 run -u $U1 --dedupe-ms 0
	expect_fail 2 run -u $U1 --dedupe-ms 600001
	expect_fail 2 run -u $U1 --dedupe-ms 99999999999
	expect_fail 2 run -u $U1 --dedupe-ms 12abc
	expect_fail 2 run -u $U1 --dedupe-ms ' 12'
	expect_fail 2 run -u $U1 --max-deletes 0
	expect_fail 2 run -u $U1 --max-deletes 1000001
	expect_fail 2 run -u $U1 --tc-priority 0
	expect_fail 2 run -u $U1 --tc-priority 70000
	expect_fail 2 run -u $U1 --tc-priority 65536
	expect_fail 2 run -u $U1 --tc-priority abc
	expect_fail 2 run -u $U1 --tc-priority ''
	expect_fail 2 run -u $U1 --bogus
	expect_fail 2 run -u $U1 -x
	expect_fail 2 run -u $U1 --mask
	expect_fail 2 run -u $U1 extra
	cli_verdict
}

test_run_config_errors()
{
	local syntax unknown section prio
	cli_setup
	syntax=$(cli_conf syntax "config globals
	option mask '0x3f00
")
	unknown=$(cli_conf unknown "config globals
	option mask 0x3f00
	option colour blue
")
	section=$(cli_conf section "config uplink 'wan'
	option device eth0
	option mark 0x100
config bogus
")
	prio=$(cli_conf prio "config globals
	option tc_priority 70000
config uplink 'wan'
	option device eth0
	option mark 0x100
")
	# unreadable: runtime failures
	expect_fail 1 run -c "$FG_TMP/no-such-file"
	expect_fail 1 run -c "$FG_TMP"
	# readable but wrong: usage errors, and the message names the line
	expect_fail 2 run -c "$syntax"
	grep -q "line 2" "$FG_TMP/cli.err" ||
		_cli_bad "run -c $syntax" "the message does not name line 2"
	expect_fail 2 run -c "$unknown"
	grep -q "line 3" "$FG_TMP/cli.err" ||
		_cli_bad "run -c $unknown" "the message does not name line 3"
	expect_fail 2 run -c "$section" -u wan2:eth1:0x200
	grep -q "line 4" "$FG_TMP/cli.err" ||
		_cli_bad "run -c $section" "the message does not name line 4"
	expect_fail 2 run -c "$prio"
	grep -q "line 2.*tc_priority" "$FG_TMP/cli.err" ||
		_cli_bad "run -c $prio" "the message does not name line 2's tc_priority"
	cli_verdict
}

test_status_no_service()
{
	cli_setup
	expect_fail 1 status
	expect_fail 1 status --socket "$FG_TMP/other.sock"
	expect_fail 2 status --bogus
	expect_fail 2 status extra
	cli_verdict
}

# --help of flowguard and of every command it lists.
test_help()
{
	local cmds c
	cli_setup
	expect_help --help
	expect_help -h
	expect_help help
	cmds=$(awk '/^commands:/ {on = 1; next} on && /^  [a-z]/ {print $1}' \
		"$FG_TMP/cli.out")
	[[ -n $cmds ]] || fg_fail "no commands listed by flowguard help"
	fg_log "commands: $(echo "$cmds" | paste -sd ' ')"
	for c in $cmds; do
		expect_help "$c" --help
		expect_help "$c" -h
	done
	cli_verdict
}
