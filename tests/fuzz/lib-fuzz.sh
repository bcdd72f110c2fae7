# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# tests/fuzz/lib-fuzz.sh - running one libFuzzer target of tests/fuzz/,
# shared by tests/fuzz/run.sh (`make fuzz`) and tests/test-fuzz.sh.

FUZZ_SRC_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# The targets: fuzz_NAME.c -> NAME.
fuzz_names()
{
	local f

	for f in "$FUZZ_SRC_DIR"/fuzz_*.c; do
		f=${f##*/fuzz_}
		echo "${f%.c}"
	done
}

# fuzz_run BIN_DIR NAME SECONDS NEW_CORPUS ARTIFACTS: fuzz NAME that long,
# starting from its seeds (tests/fuzz/corpus/NAME, which stays untouched:
# what is new goes to NEW_CORPUS), crash inputs to ARTIFACTS/NAME-*.
# Status 0 when nothing was found; the fuzzer's output on stdout.
fuzz_run()
{
	local bin=$1/fuzz_$2 name=$2 secs=$3 out=$4 art=$5 dict=() len=()

	[[ -x $bin ]] || { echo "fuzz: $bin is not built (make fuzz-build)"; return 1; }
	case $name in
	uci | conf | mwan3) dict=(-dict="$FUZZ_SRC_DIR/uci.dict") ;;
	ctl) len=(-max_len=8400) ;; # an answer is 8272 bytes
	esac
	mkdir -p "$out" "$art"
	# a smaller quarantine: several of these may run on a shared machine
	ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=32:detect_leaks=1} \
		UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
		"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 \
		-print_final_stats=1 -artifact_prefix="$art/$name-" \
		"${dict[@]}" "${len[@]}" "$out" "$FUZZ_SRC_DIR/corpus/$name" 2>&1
}
