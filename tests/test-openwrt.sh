# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash disable=SC2016
# (SC2016: the $ in this file's single quotes is meant literally)
#
# tests/test-openwrt.sh - the OpenWrt package (scripts/openwrt/flowguard)
# as far as it can be checked without an SDK: every shell script through
# `sh -n` and shellcheck; the init script's start_service, service_triggers
# and rescan run with rc.common's procd and UCI functions stubbed to print
# what they were given; the uci-defaults script run twice on mwan3's
# shipped /etc/mwan3.user (one line added, once), on none, on a user's own
# file, then the package's prerm taking the line out again (the file as it
# was, byte for byte); the hooked file run the way mwan3 runs it; the
# default /etc/config/flowguard accepted by flowguard. Run:
# tests/run.sh openwrt

OW_DIR=$FG_ROOT/scripts/openwrt/flowguard
OW_FILES=$OW_DIR/files

# /etc/mwan3.user as mwan3 (2.11, OpenWrt 23.05/24.10) installs it.
OW_MWAN3_USER='#!/bin/sh
#
# This file is interpreted as shell script.
# Put your custom mwan3 action here, they will
# be executed with each netifd hotplug interface event
# on interfaces for which mwan3 is enabled.
#
# There are three main environment variables that are passed to this script.
#
# $ACTION
#      <ifup>         Is called by netifd and mwan3track.
#      <ifdown>       Is called by netifd and mwan3track.
#      <connected>    Is only called by mwan3track if tracking was successful.
#      <disconnected> Is only called by mwan3track if tracking has failed.
# $INTERFACE	Name of the interface an action relates to (e.g. "wan" or "wwan").
# $DEVICE	Physical device name of the interface the action relates to (e.g. "eth0" or "wwan0").
#               Note: On an ifdown event, $DEVICE is not available, use $INTERFACE instead.
'

# ow_prerm FILE: the package's prerm script from its Makefile, as the
# package would carry it (make's $$ is one $), into FILE.
ow_prerm()
{
	sed -n '/^define Package\/flowguard\/prerm$/,/^endef$/p' "$OW_DIR/Makefile" |
		sed -e '1d' -e '$d' -e 's/\$\$/$/g' >"$1"
	[[ -s $1 ]] || fg_fail "no prerm in $OW_DIR/Makefile"
}

test_openwrt_shell_scripts()
{
	local f n=0 sh_scripts=()
	fg_require shellcheck
	fg_init
	ow_prerm "$FG_TMP/prerm"
	sh_scripts=("$OW_FILES/flowguard.init" "$OW_FILES/flowguard.uci-defaults"
		"$OW_FILES/mwan3-hook" "$FG_TMP/prerm" "$FG_ROOT/scripts/mwan3.user"
		"$FG_ROOT/scripts/install-deps.sh")
	for f in "${sh_scripts[@]}"; do
		sh -n "$f" || fg_fail "sh -n $f"
		# busybox ash is OpenWrt's sh: POSIX plus `local`
		shellcheck -s sh "$f" >"$FG_TMP/sc.out" 2>&1 ||
			fg_fail "shellcheck $f: $(cat "$FG_TMP/sc.out")"
		n=$((n + 1))
	done
	# the bash ones: scripts/ and this package's own tests
	for f in "$FG_ROOT"/scripts/*.sh "$FG_ROOT"/tests/test-openwrt.sh \
		"$FG_ROOT"/tests/test-mwan3.sh "$FG_ROOT"/tests/test-bpffs.sh \
		"$FG_ROOT"/tests/test-install.sh; do
		[[ -f $f && $(head -n 1 "$f") != '#!/bin/sh' ]] || continue
		bash -n "$f" || fg_fail "bash -n $f"
		shellcheck -x "$f" >"$FG_TMP/sc.out" 2>&1 ||
			fg_fail "shellcheck $f: $(cat "$FG_TMP/sc.out")"
		n=$((n + 1))
	done
	fg_log "$n scripts checked"
}

# ow_init_run ENABLED FUNCTION...: the init script sourced with rc.common's
# procd and UCI functions stubbed (each prints its name and arguments; the
# globals section's enabled option answers ENABLED), then FUNCTIONs run.
ow_init_run()
{
	local enabled=$1
	shift
	OW_ENABLED=$enabled sh -c '
		config_load() { echo "config_load $*"; }
		config_get_bool() {
			echo "config_get_bool $*"
			eval "$1=\$OW_ENABLED"
		}
		procd_open_instance() { echo "procd_open_instance $*"; }
		procd_set_param() { echo "procd_set_param $*"; }
		procd_close_instance() { echo "procd_close_instance $*"; }
		procd_add_reload_trigger() { echo "procd_add_reload_trigger $*"; }
		procd_add_config_trigger() { echo "procd_add_config_trigger $*"; }
		procd_send_signal() { echo "procd_send_signal $*"; }
		. "$1"
		shift
		echo "START=$START STOP=$STOP USE_PROCD=$USE_PROCD EXTRA_COMMANDS=$EXTRA_COMMANDS"
		for f in "$@"; do "$f" || echo "$f failed"; done
	' ow-init "$OW_FILES/flowguard.init" "$@" 2>&1 </dev/null
}

test_openwrt_init_script()
{
	local got want
	got=$(ow_init_run 1 start_service service_triggers rescan)
	want="START=25 STOP=85 USE_PROCD=1 EXTRA_COMMANDS=rescan
config_load flowguard
config_get_bool enabled globals enabled 1
procd_open_instance 
procd_set_param command /usr/sbin/flowguard run --syslog -c /etc/config/flowguard
procd_set_param file /etc/config/flowguard
procd_set_param respawn 3600 5 5
procd_set_param stdout 1
procd_set_param stderr 1
procd_close_instance 
procd_add_reload_trigger flowguard
procd_add_config_trigger config.change mwan3 /etc/init.d/flowguard rescan
procd_add_config_trigger config.change network /etc/init.d/flowguard rescan
procd_send_signal flowguard * HUP"
	[[ $got == "$want" ]] || fg_fail "init script, enabled; wanted:
$want
got:
$got"
	# option enabled '0': no instance at all
	got=$(ow_init_run 0 start_service)
	want="START=25 STOP=85 USE_PROCD=1 EXTRA_COMMANDS=rescan
config_load flowguard
config_get_bool enabled globals enabled 1"
	[[ $got == "$want" ]] || fg_fail "init script, disabled; got:
$got"
}

# ow_share: a copy of /usr/share/flowguard as the package installs it, in
# FG_TMP/share (FLOWGUARD_SHARE), with a flowguard hook that records how
# it was run instead of calling the binary.
ow_share()
{
	fg_init
	export FLOWGUARD_SHARE=$FG_TMP/share
	mkdir -p "$FLOWGUARD_SHARE"
	cp "$OW_FILES/mwan3-hook" "$FLOWGUARD_SHARE/mwan3-hook"
	cat >"$FLOWGUARD_SHARE/mwan3.user" <<EOF
#!/bin/sh
echo "hook ACTION=\$ACTION INTERFACE=\$INTERFACE DEVICE=\$DEVICE" >>"$FG_TMP/hook.log"
EOF
	chmod +x "$FLOWGUARD_SHARE/mwan3-hook" "$FLOWGUARD_SHARE/mwan3.user"
}

ow_defaults() { MWAN3_USER=$1 sh "$OW_FILES/flowguard.uci-defaults"; }

test_openwrt_uci_defaults()
{
	local f hook_line n
	ow_share
	f=$FG_TMP/mwan3.user
	printf '%s' "$OW_MWAN3_USER" >"$f"
	chmod 0640 "$f"
	cp -p "$f" "$FG_TMP/mwan3.user.orig"
	ow_defaults "$f" >"$FG_TMP/out1" || fg_fail "uci-defaults failed"
	# one line, right after "#!/bin/sh", the rest unchanged
	n=$(grep -c flowguard "$f")
	[[ $n == 1 ]] || fg_fail "$n lines mention flowguard: $(cat "$f")"
	hook_line=$(sed -n 2p "$f")
	[[ $hook_line == "[ -x $FLOWGUARD_SHARE/mwan3.user ] && $FLOWGUARD_SHARE/mwan3.user #flowguard-mwan3-hook"* ]] ||
		fg_fail "line 2: $hook_line"
	diff <(sed 2d "$f") "$FG_TMP/mwan3.user.orig" >/dev/null ||
		fg_fail "the user's lines changed: $(diff <(sed 2d "$f") "$FG_TMP/mwan3.user.orig")"
	[[ $(stat -c %a "$f") == 640 ]] || fg_fail "mode now $(stat -c %a "$f")"
	cp "$f" "$FG_TMP/after1"
	# again (an upgrade runs it again): nothing changes
	ow_defaults "$f" >"$FG_TMP/out2" || fg_fail "uci-defaults failed the second time"
	cmp -s "$f" "$FG_TMP/after1" || fg_fail "second run changed it: $(cat "$f")"
	grep -q "already calls flowguard: left as it is" "$FG_TMP/out2" ||
		fg_fail "second run said: $(cat "$FG_TMP/out2")"
	# run as mwan3 runs it: the hook gets the three variables, nothing else
	env -i ACTION=disconnected INTERFACE=wan DEVICE=pppoe-wan /bin/sh "$f" ||
		fg_fail "the hooked mwan3.user failed"
	[[ $(cat "$FG_TMP/hook.log") == "hook ACTION=disconnected INTERFACE=wan DEVICE=pppoe-wan" ]] ||
		fg_fail "hook log: $(cat "$FG_TMP/hook.log")"
	# the package's removal: the file as it was, byte for byte
	ow_prerm "$FG_TMP/prerm"
	sed -i "s|/usr/share/flowguard/|$FLOWGUARD_SHARE/|" "$FG_TMP/prerm"
	MWAN3_USER=$f sh "$FG_TMP/prerm" >/dev/null || fg_fail "prerm failed"
	cmp -s "$f" "$FG_TMP/mwan3.user.orig" || fg_fail "after removal: $(diff "$f" "$FG_TMP/mwan3.user.orig")"
	[[ $(stat -c %a "$f") == 640 ]] || fg_fail "mode after removal $(stat -c %a "$f")"
	MWAN3_USER=$f sh "$FG_TMP/prerm" >/dev/null || fg_fail "prerm failed twice"
	cmp -s "$f" "$FG_TMP/mwan3.user.orig" || fg_fail "a second removal changed it"
	[[ -z $(find "$FG_TMP" -name '*.flowguard-new') ]] || fg_fail "temporary file left"
}

test_openwrt_uci_defaults_other_files()
{
	local f
	ow_share
	# no mwan3.user (mwan3 not installed): nothing created
	ow_defaults "$FG_TMP/none" >"$FG_TMP/out" || fg_fail "failed without a file"
	[[ ! -e $FG_TMP/none ]] || fg_fail "created $FG_TMP/none"
	grep -q "does not exist" "$FG_TMP/out" || fg_fail "said: $(cat "$FG_TMP/out")"
	# a user's own file without "#!", ending in exit: our line goes first,
	# so that it runs; the user's lines stay
	f=$FG_TMP/own.user
	printf 'logger "mwan3: $ACTION $INTERFACE"\nexit 0\n' >"$f"
	ow_defaults "$f" >/dev/null
	[[ $(sed -n 1p "$f") == "[ -x "*"#flowguard-mwan3-hook"* &&
		$(sed -n 2,3p "$f") == 'logger "mwan3: $ACTION $INTERFACE"
exit 0' ]] || fg_fail "own file: $(cat "$f")"
	# a file the user hooked by hand (a copy of our hook): left alone
	cp "$FG_ROOT/scripts/mwan3.user" "$FG_TMP/copy.user"
	ow_defaults "$FG_TMP/copy.user" >/dev/null
	cmp -s "$FG_TMP/copy.user" "$FG_ROOT/scripts/mwan3.user" || fg_fail "hand-hooked file changed"
	# a symlink stays a symlink; its target gets the line
	printf '#!/bin/sh\n' >"$FG_TMP/target.user"
	ln -s "$FG_TMP/target.user" "$FG_TMP/link.user"
	ow_defaults "$FG_TMP/link.user" >/dev/null
	[[ -L $FG_TMP/link.user ]] || fg_fail "the symlink was replaced"
	grep -q "#flowguard-mwan3-hook" "$FG_TMP/target.user" || fg_fail "target not hooked"
}

test_openwrt_default_config()
{
	local out rc=0
	fg_init
	printf "config interface 'wan'\n\toption enabled '1'\nconfig interface 'wanb'\n\toption enabled '1'\n" \
		>"$FG_TMP/mwan3"
	printf "config interface 'wan'\n\toption device 'eth1'\n\toption proto 'pppoe'\n" >"$FG_TMP/network"
	printf "config interface 'wanb'\n\toption device 'eth2'\n" >>"$FG_TMP/network"
	out=$(PATH=/usr/bin:/bin "$FG_BIN" run -c "$OW_FILES/flowguard.config" \
		--mwan3-config "$FG_TMP/mwan3" --mwan3-mask-file "$FG_TMP/none" \
		--network-config "$FG_TMP/network" --dry-run 2>&1) || rc=$?
	[[ $rc == 0 && $out == "mask 0x3f00 (mwan3's default)
uplink wan: device pppoe-wan mark 0x100, policy reset (mwan3 id 1, device from network config)
uplink wanb: device eth2 mark 0x200, policy reset (mwan3 id 2, device from network config)" ]] ||
		fg_fail "default config (exit $rc): $out"
	# each commented example, uncommented, is valid too
	sed -e 's/^\t# option \([a-z_]*\) \(.\{1,\}\) *#.*/\toption \1 \2/' \
		-e 's/^\t# option /\toption /' -e 's/^#config /config /' -e 's/^#\t/\t/' \
		"$OW_FILES/flowguard.config" >"$FG_TMP/all.config"
	grep -q "^config uplink 'wwan'" "$FG_TMP/all.config" || fg_fail "no example uplink"
	out=$(PATH=/usr/bin:/bin "$FG_BIN" run -c "$FG_TMP/all.config" \
		--mwan3-config "$FG_TMP/mwan3" --mwan3-mask-file "$FG_TMP/none" \
		--network-config "$FG_TMP/network" --dry-run 2>&1) ||
		fg_fail "examples uncommented: $out"
	[[ $out == *"uplink wwan: device wwan0 mark 0x300, policy monitor (configured (not in mwan3))"* ]] ||
		fg_fail "examples uncommented: $out"
}
