# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash disable=SC2016
# (SC2016: the $ in this file's single quotes is meant literally)
#
# tests/test-install.sh - `make install DESTDIR=... PREFIX=...` puts the
# binary, the mwan3 hook (naming the binary where it went), the systemd
# unit (paths filled in; `systemd-analyze verify` when there is one), the
# example config (which flowguard accepts) and a man page when there is
# one in place; `make uninstall` with the same variables leaves no file.
# Run: tests/run.sh install

# inst_make TARGET VAR=VALUE...: make in the tree, quietly; output into
# $FG_TMP/make.log.
inst_make()
{
	make -s --no-print-directory -C "$FG_ROOT" BUILD="$FG_BUILD" "$@" \
		>"$FG_TMP/make.log" 2>&1 || fg_fail "make $*: $(cat "$FG_TMP/make.log")"
}

# inst_files DIR: the files and links under DIR, relative, sorted.
inst_files() { (cd "$1" && find . -not -type d | sort); }

test_install_destdir()
{
	local d got want
	fg_init
	[[ -x $FG_BIN ]] || fg_skip "$FG_BIN not built (make)"
	d=$FG_TMP/root
	printf '.TH FLOWGUARD 8\n.SH NAME\nflowguard\n' >"$FG_TMP/flowguard.8"
	inst_make install DESTDIR="$d" PREFIX=/usr MAN_PAGES="$FG_TMP/flowguard.8"
	got=$(inst_files "$d")
	want="./usr/lib/systemd/system/flowguard.service
./usr/sbin/flowguard
./usr/share/flowguard/flowguard.conf.example
./usr/share/flowguard/mwan3.user
./usr/share/man/man8/flowguard.8"
	[[ $got == "$want" ]] || fg_fail "installed:
$got"
	cmp -s "$d/usr/sbin/flowguard" "$FG_BIN" || fg_fail "binary differs"
	[[ $(stat -c %a "$d/usr/sbin/flowguard" "$d/usr/share/flowguard/mwan3.user" \
		"$d/usr/lib/systemd/system/flowguard.service" \
		"$d/usr/share/man/man8/flowguard.8" | tr '\n' ' ') == "755 755 644 644 " ]] ||
		fg_fail "modes: $(stat -c '%a %n' "$d"/usr/sbin/* "$d"/usr/share/flowguard/*)"
	grep -q '^ExecStart=/usr/sbin/flowguard run -c /etc/flowguard/flowguard.conf$' \
		"$d/usr/lib/systemd/system/flowguard.service" || fg_fail "unit: $(cat "$d/usr/lib/systemd/system/flowguard.service")"
	! grep -q @ "$d/usr/lib/systemd/system/flowguard.service" || fg_fail "unit keeps a @PLACEHOLDER@"
	grep -q 'FLOWGUARD=${FLOWGUARD:-/usr/sbin/flowguard}' "$d/usr/share/flowguard/mwan3.user" ||
		fg_fail "hook: $(grep FLOWGUARD= "$d/usr/share/flowguard/mwan3.user")"
	inst_make uninstall DESTDIR="$d" PREFIX=/usr MAN_PAGES="$FG_TMP/flowguard.8"
	got=$(inst_files "$d")
	[[ -z $got ]] || fg_fail "left after uninstall: $got"
	[[ ! -e $d/usr/share/flowguard ]] || fg_fail "our folder stayed"

	# no man page in place: none installed, nothing else changes
	inst_make install DESTDIR="$d" PREFIX=/usr MAN_PAGES=
	[[ -z $(find "$d" -name '*.8') ]] || fg_fail "a man page without one"
	inst_make uninstall DESTDIR="$d" PREFIX=/usr MAN_PAGES=
	[[ -z $(inst_files "$d") ]] || fg_fail "left: $(inst_files "$d")"
}

test_install_prefix_runs()
{
	local p out rc
	fg_init
	[[ -x $FG_BIN ]] || fg_skip "$FG_BIN not built (make)"
	# PREFIX and SYSCONFDIR where the test can run what it installed
	p=$FG_TMP/local
	inst_make install PREFIX="$p" SYSCONFDIR="$p/etc"
	grep -q "^ExecStart=$p/sbin/flowguard run -c $p/etc/flowguard/flowguard.conf$" \
		"$p/lib/systemd/system/flowguard.service" || fg_fail "unit: $(grep Exec "$p/lib/systemd/system/flowguard.service")"
	grep -q "FLOWGUARD=\${FLOWGUARD:-$p/sbin/flowguard}" "$p/share/flowguard/mwan3.user" ||
		fg_fail "hook: $(grep FLOWGUARD= "$p/share/flowguard/mwan3.user")"
	# the example config as the unit would read it
	mkdir -p "$p/etc/flowguard"
	cp "$p/share/flowguard/flowguard.conf.example" "$p/etc/flowguard/flowguard.conf"
	out=$("$p/sbin/flowguard" run -c "$p/etc/flowguard/flowguard.conf" --dry-run 2>&1) ||
		fg_fail "the example config: $out"
	[[ $out == "mask 0x3f00 (configured)
uplink wan1: device eth1 mark 0x100, policy reset (configured)
uplink wan2: device eth2 mark 0x200, policy reset (configured)" ]] || fg_fail "example: $out"
	# the installed hook calls the installed binary: a bad interface gets
	# its usage refusal (exit 2; the line goes to syslog), not 127
	rc=0
	env -i ACTION=disconnected INTERFACE=../x /bin/sh "$p/share/flowguard/mwan3.user" \
		>/dev/null 2>&1 || rc=$?
	[[ $rc == 2 ]] || fg_fail "the hook exited $rc"
	if command -v systemd-analyze >/dev/null 2>&1; then
		systemd-analyze verify --man=no "$p/lib/systemd/system/flowguard.service" \
			>"$FG_TMP/verify.log" 2>&1 || fg_fail "systemd-analyze verify: $(cat "$FG_TMP/verify.log")"
		fg_log "systemd-analyze verify: ok"
	fi
	rm "$p/etc/flowguard/flowguard.conf"
	inst_make uninstall PREFIX="$p" SYSCONFDIR="$p/etc"
	[[ -z $(inst_files "$p") ]] || fg_fail "left: $(inst_files "$p")"
}
