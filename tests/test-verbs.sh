# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# shellcheck shell=bash
#
# tests/test-verbs.sh - the operator verbs (list, count, top, offload,
# flush --dry-run --json, status --json) against a known set of conntrack
# entries planted in a namespace of the test's own: IPv4 and IPv6, four
# uplinks' marks (one with bits outside the mask), unmarked, mwan3's
# default, unreachable and blackhole marks and a mark no uplink has; TCP
# (several states), UDP, ICMP and ICMPv6. Text and JSON; the JSON parsed
# and checked field by field against what was planted. `top` against
# real TCP flows with accounting on (byte counts from real traffic, order
# checked against the bytes really sent), and its notice with accounting
# off. Bad arguments: one line on stderr, a non-zero exit.
# Run: tests/run.sh test-verbs

# shellcheck source=tests/lib-guard.sh
source "$FG_ROOT/tests/lib-guard.sh"

VERBS_NS=
VERBS_MWAN3=
VERBS_SPEC=

# What is planted: MARK FAMILY PROTO STATE (- for none). The k-th entry
# (from 1) goes from 10.77.0.k / 2001:db8:77::k port 30000+k to
# 10.78.0.1 / 2001:db8:78::1 port 443 (TCP) or 53 (UDP); ICMP: echo
# request id k.
VERBS_PLANT=(
	"0x100 4 tcp ESTABLISHED"
	"0x100 4 tcp ESTABLISHED"
	"0x100 6 tcp SYN_SENT"
	"0x100 6 udp -"
	"0x100 4 icmp -"
	"0x10100 6 tcp ESTABLISHED"
	"0x200 6 tcp ESTABLISHED"
	"0x200 4 udp -"
	"0x200 4 udp -"
	"0x300 4 tcp CLOSE_WAIT"
	"0x400 6 icmpv6 -"
	"0x0 4 udp -"
	"0x0 6 tcp TIME_WAIT"
	"0x3f00 4 tcp ESTABLISHED"
	"0x3e00 6 udp -"
	"0x3d00 4 icmp -"
	"0x2a00 4 tcp ESTABLISHED"
)

verbs_ns() { ip netns exec "$VERBS_NS" "$@"; }
fgv() { verbs_ns "$FG_BIN" "$@"; }

# verbs_plant_one K MARK FAMILY PROTO STATE
verbs_plant_one()
{
	local k=$1 m=$2 f=$3 p=$4 st=$5 s d a=()
	if [[ $f == 6 ]]; then
		s=2001:db8:77::$k d=2001:db8:78::1
	else
		s=10.77.0.$k d=10.78.0.1
	fi
	case $p in
	tcp) a=(-p tcp --sport $((30000 + k)) --dport 443 --state "$st") ;;
	udp) a=(-p udp --sport $((30000 + k)) --dport 53) ;;
	icmp) a=(-p icmp --icmp-type 8 --icmp-code 0 --icmp-id "$k") ;;
	icmpv6) a=(-p icmpv6 --icmpv6-type 128 --icmpv6-code 0 --icmpv6-id "$k") ;;
	esac
	verbs_ns conntrack -I -s "$s" -d "$d" "${a[@]}" -t 600 -m "$m" \
		>/dev/null 2>&1 || fg_fail "conntrack -I $*"
}

# verbs_setup: the namespace, mwan3's config (wan1..wan4: ids 1..4, marks
# 0x100..0x400 under 0x3f00) and the planted entries; VERBS_SPEC the
# plant list as a file for the checker.
verbs_setup()
{
	local k=1 e
	command -v conntrack >/dev/null || fg_skip "conntrack(8) not installed"
	command -v python3 >/dev/null || fg_skip "python3 not installed"
	fg_netns_add verbs >/dev/null
	VERBS_NS=$(fg_netns_name verbs)
	VERBS_MWAN3=$FG_TMP/mwan3
	printf '%s\n' "config globals 'globals'" "	option mmx_mask '0x3f00'" \
		"config interface 'wan1'" "config interface 'wan2'" \
		"config interface 'wan3'" "config interface 'wan4'" >"$VERBS_MWAN3"
	export FLOWGUARD_MWAN3_CONFIG=$VERBS_MWAN3
	export FLOWGUARD_MWAN3_MASK_FILE=$FG_TMP/no-mask-cache
	VERBS_SPEC=$FG_TMP/plant
	: >"$VERBS_SPEC"
	for e in "${VERBS_PLANT[@]}"; do
		# shellcheck disable=SC2086
		verbs_plant_one "$k" $e
		echo "$k $e" >>"$VERBS_SPEC"
		k=$((k + 1))
	done
	verbs_write_checker
}

# The checker: python3 FG_TMP/check.py MODE SPEC < output.
verbs_write_checker()
{
	cat >"$FG_TMP/check.py" <<'EOF'
import json, sys
MASK = 0x3f00
UPLINKS = {0x100: "wan1", 0x200: "wan2", 0x300: "wan3", 0x400: "wan4"}
RESERVED = {0x3f00: "default", 0x3e00: "unreachable", 0x3d00: "blackhole"}
PROTONUM = {"tcp": 6, "udp": 17, "icmp": 1, "icmpv6": 58}

def planted(path):
    out = []
    for line in open(path):
        k, mark, fam, proto, state = line.split()
        out.append(dict(k=int(k), mark=int(mark, 16), family=int(fam),
                        proto=proto, state=None if state == "-" else state))
    return out

def cls(mark):
    m = mark & MASK
    if m == 0:
        return "unmarked"
    if m in RESERVED:
        return RESERVED[m]
    return "uplink" if m in UPLINKS else "other"

def addrs(p):
    if p["family"] == 6:
        return "2001:db8:77::%d" % p["k"], "2001:db8:78::1"
    return "10.77.0.%d" % p["k"], "10.78.0.1"

def fail(msg):
    print("check: " + msg)
    sys.exit(1)

def check_entry(p, e):
    src, dst = addrs(p)
    want = dict(family=p["family"], proto=p["proto"],
                protonum=PROTONUM[p["proto"]], mark=p["mark"],
                **{"class": cls(p["mark"])})
    for key, val in want.items():
        if e.get(key) != val:
            fail("entry %d: %s is %r, want %r" % (p["k"], key, e.get(key), val))
    if cls(p["mark"]) == "uplink":
        if e.get("uplink") != UPLINKS[p["mark"] & MASK]:
            fail("entry %d: uplink %r" % (p["k"], e.get("uplink")))
    elif "uplink" in e:
        fail("entry %d: uplink %r on a %s mark" % (p["k"], e["uplink"], cls(p["mark"])))
    if e.get("state") != p["state"]:
        fail("entry %d: state %r, want %r" % (p["k"], e.get("state"), p["state"]))
    o, r = e["orig"], e["reply"]
    if (o["src"], o["dst"], r["src"], r["dst"]) != (src, dst, dst, src):
        fail("entry %d: addresses %r %r" % (p["k"], o, r))
    if p["proto"] in ("tcp", "udp"):
        dport = 443 if p["proto"] == "tcp" else 53
        if (o["sport"], o["dport"], r["sport"], r["dport"]) != \
           (30000 + p["k"], dport, dport, 30000 + p["k"]):
            fail("entry %d: ports %r %r" % (p["k"], o, r))
    else:
        t = 8 if p["proto"] == "icmp" else 128
        if (o.get("type"), o.get("code"), o.get("id")) != (t, 0, p["k"]):
            fail("entry %d: icmp %r" % (p["k"], o))
        if "sport" in o:
            fail("entry %d: ports on icmp" % p["k"])
    if e["offload"] or e["hw_offload"] or e["zone"] != 0:
        fail("entry %d: offload/zone %r" % (p["k"], e))
    if not 0 < e["timeout"] <= 600:
        fail("entry %d: timeout %r" % (p["k"], e["timeout"]))
    if "packets" in o:
        fail("entry %d: counters with accounting off" % p["k"])

def key_of(e):
    o = e["orig"]
    return o["src"]

def check_list(spec, sel):
    ps = [p for p in planted(spec) if sel(p)]
    got = {}
    for line in sys.stdin:
        e = json.loads(line)
        if e["orig"]["src"] in got:
            fail("entry listed twice: %r" % e)
        got[e["orig"]["src"]] = e
    if len(got) != len(ps):
        fail("%d entries listed, want %d" % (len(got), len(ps)))
    for p in ps:
        src, _ = addrs(p)
        if src not in got:
            fail("entry %d not listed" % p["k"])
        check_entry(p, got[src])

def row(ps):
    return dict(entries=len(ps),
                ipv4=sum(p["family"] == 4 for p in ps),
                ipv6=sum(p["family"] == 6 for p in ps),
                tcp=sum(p["proto"] == "tcp" for p in ps),
                udp=sum(p["proto"] == "udp" for p in ps),
                icmp=sum(p["proto"] in ("icmp", "icmpv6") for p in ps),
                offloaded=0)

def check_count(spec, fam):
    ps = [p for p in planted(spec) if fam == "all" or p["family"] == int(fam)]
    d = json.load(sys.stdin)
    if d["mask"] != MASK or d["source"] != "mwan3 config" or d["family"] != fam:
        fail("head %r" % {k: d[k] for k in ("mask", "source", "family")})
    names = [u["name"] for u in d["uplinks"]]
    if names != ["wan1", "wan2", "wan3", "wan4"]:
        fail("uplinks %r" % names)
    for u in d["uplinks"]:
        m = [k for k, v in UPLINKS.items() if v == u["name"]][0]
        want = row([p for p in ps if cls(p["mark"]) == "uplink" and p["mark"] & MASK == m])
        got = {k: u[k] for k in want}
        if u["mark"] != m or got != want:
            fail("uplink %s: %r, want %r" % (u["name"], u, want))
    for c in ("unmarked", "default", "unreachable", "blackhole", "other"):
        want = row([p for p in ps if cls(p["mark"]) == c])
        got = {k: d[c][k] for k in want}
        if got != want:
            fail("%s: %r, want %r" % (c, got, want))
    want = row(ps)
    if {k: d["total"][k] for k in want} != want:
        fail("total %r, want %r" % (d["total"], want))
    t = d["table"]
    if t["count"] != len(planted(spec)) or t["max"] <= 0:
        fail("table %r" % t)

mode, spec = sys.argv[1], sys.argv[2]
if mode == "list":
    sel = sys.argv[3]
    sels = {
        "all": lambda p: True,
        "wan1": lambda p: p["mark"] & MASK == 0x100,
        "wan2-v6": lambda p: p["mark"] & MASK == 0x200 and p["family"] == 6,
        "unmarked": lambda p: p["mark"] & MASK == 0,
        "reserved": lambda p: (p["mark"] & MASK) in RESERVED,
        "mark300": lambda p: p["mark"] & MASK == 0x300,
        "udp": lambda p: p["proto"] == "udp",
        "established": lambda p: p["state"] == "ESTABLISHED",
    }
    check_list(spec, sels[sel])
elif mode == "count":
    check_count(spec, sys.argv[3])
print("ok")
EOF
}

# verbs_check WHAT MODE ARG -- flowguard args: the JSON output checked.
verbs_check()
{
	local what=$1 mode=$2 arg=$3 out
	shift 4
	fgv "$@" >"$FG_TMP/out.json" 2>"$FG_TMP/out.err" ||
		fg_fail "$what: flowguard $* exited $?: $(cat "$FG_TMP/out.err")"
	out=$(python3 "$FG_TMP/check.py" "$mode" "$VERBS_SPEC" "$arg" \
		<"$FG_TMP/out.json") ||
		fg_fail "$what ($*): $out; output: $(head -c 2000 "$FG_TMP/out.json")"
	fg_log "$what: $out"
}

test_list_json_field_by_field()
{
	verbs_setup
	verbs_check "list --json" list all -- list --json
	verbs_check "list --iface wan1" list wan1 -- list --json --iface wan1
	verbs_check "list --iface wan2 -f 6" list wan2-v6 -- list -j -i wan2 -f 6
	verbs_check "list --unmarked" list unmarked -- list --json --unmarked
	verbs_check "list --reserved" list reserved -- list --json --reserved
	verbs_check "list --mark 0x300" list mark300 -- list --json --mark 0x300/0x3f00
	verbs_check "list --proto udp" list udp -- list --json --proto udp
	verbs_check "list --state established" list established -- list --json --state established
}

# The text form: one line per entry, as `conntrack -L` prints it (marks in
# decimal there), then the uplink's name.
test_list_text()
{
	local out n
	verbs_setup
	out=$(fgv list) || fg_fail "list exited $?"
	n=$(wc -l <<<"$out")
	[[ $n == "${#VERBS_PLANT[@]}" ]] || fg_fail "list: $n lines, want ${#VERBS_PLANT[@]}"
	grep -q '^ipv4 \+2 tcp \+6 [0-9]\+ ESTABLISHED src=10.77.0.1 dst=10.78.0.1 sport=30001 dport=443 .*mark=256 use=1 uplink=wan1$' <<<"$out" ||
		fg_fail "list: no line for entry 1: $out"
	grep -q '^ipv6 \+10 tcp .*src=2001:db8:77::6 .*mark=65792 use=1 uplink=wan1$' <<<"$out" ||
		fg_fail "list: entry 6 (bits outside the mask) not wan1's"
	grep -q 'src=10.77.0.16 .*type=8 code=0 id=16 .*type=0 code=0 id=16 mark=15616 use=1 uplink=-(blackhole)$' <<<"$out" ||
		fg_fail "list: the blackhole entry"
	grep -q 'src=10.77.0.17 .*mark=10752 use=1 uplink=-(other)$' <<<"$out" ||
		fg_fail "list: the other mark"
	n=$(fgv list --iface wan2 | grep -c 'uplink=wan2$')
	[[ $n == 3 ]] || fg_fail "list --iface wan2: $n lines, want 3"
	fg_log "list: ${#VERBS_PLANT[@]} lines, wan2 3"
}

test_count()
{
	local out
	verbs_setup
	verbs_check "count --json" count all -- count --json
	verbs_check "count --json -f 4" count 4 -- count --json --family 4
	verbs_check "count --json -f 6" count 6 -- count --json -f 6
	out=$(fgv count) || fg_fail "count exited $?"
	grep -Eq '^wan1 +0x100 +6 +3 +3 +4 +1 +1 +0$' <<<"$out" ||
		fg_fail "count: wan1's row: $out"
	grep -Eq '^total +17 ' <<<"$out" || fg_fail "count: total: $out"
	grep -Eq '^table: nf_conntrack_count 17 of nf_conntrack_max [0-9]+' <<<"$out" ||
		fg_fail "count: table line: $out"
	fg_log "$out"
}

test_offload()
{
	local out
	verbs_setup
	out=$(fgv offload) || fg_fail "offload exited $?"
	grep -Eq '^wan1 +0x100 +6 +0 +0$' <<<"$out" || fg_fail "offload: wan1: $out"
	grep -Eq '^total +17 +0 +0$' <<<"$out" || fg_fail "offload: total: $out"
	grep -q '^flowtables: none$' <<<"$out" || fg_fail "offload: flowtables: $out"
	grep -q '^meaning: ' <<<"$out" || fg_fail "offload: no meaning line"
	fgv offload --json >"$FG_TMP/off.json" || fg_fail "offload --json exited $?"
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert [u["name"] for u in d["uplinks"]] == ["wan1", "wan2", "wan3", "wan4"], d
assert [u["entries"] for u in d["uplinks"]] == [6, 3, 1, 1], d
assert d["total"] == {"entries": 17, "offload": 0, "hw_offload": 0}, d
assert d["flowtables"] == [] and d["meaning"], d
assert d["unmarked"]["entries"] == 2 and d["other"]["entries"] == 1, d
' "$FG_TMP/off.json" || fg_fail "offload --json: $(cat "$FG_TMP/off.json")"
	fg_log "$out"
}

# flush --dry-run --json counts and deletes nothing.
test_flush_dry_run_json()
{
	local out n
	verbs_setup
	out=$(fgv flush --iface wan1 --dry-run --json) || fg_fail "flush exited $?"
	python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d == {"dry_run": True, "uplink": "wan1", "mark": 256, "mask": 16128,
             "family": "all", "entries": 6}, d
' "$out" || fg_fail "flush --dry-run --json: $out"
	n=$(fgv list | wc -l)
	[[ $n == "${#VERBS_PLANT[@]}" ]] || fg_fail "the dry run deleted: $n entries left"
	out=$(fgv flush --mark 0x200 --family 6 --dry-run -j)
	[[ $out == *'"entries":1}' ]] || fg_fail "flush --mark 0x200 -f 6: $out"
	fg_log "flush dry runs: ok, nothing deleted"
}

# verbs_traffic: real TCP flows over lo in the namespace, each sending
# its byte count to a reader, then closing; ports 7001..7004.
verbs_traffic()
{
	verbs_ns python3 - "$@" <<'EOF'
import socket, sys, threading
sizes = {7000 + i + 1: int(n) for i, n in enumerate(sys.argv[1:])}
def serve(ls):
    c, _ = ls.accept()
    while c.recv(65536):
        pass
    c.close()
threads = []
for port in sizes:
    ls = socket.socket()
    ls.bind(("127.0.0.1", port))
    ls.listen(1)
    t = threading.Thread(target=serve, args=(ls,))
    t.start()
    threads.append(t)
for port, n in sizes.items():
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"x" * n)
    s.shutdown(socket.SHUT_WR)
    s.recv(1)
    s.close()
for t in threads:
    t.join()
EOF
}

# Accounting on in the namespace, flows of known sizes marked by port:
# top's order is the order of the bytes sent; entries from before
# accounting have no counters and are not ranked.
test_top_real_traffic()
{
	local out
	verbs_setup
	verbs_ns sysctl -qw net.netfilter.nf_conntrack_acct=1
	verbs_ns nft -f - <<'EOF' || fg_fail "nft rules"
table inet fgverbs {
	chain out {
		type filter hook output priority 0;
		tcp dport { 7001, 7003 } ct mark set 0x100
		tcp dport 7002 ct mark set 0x200
	}
}
EOF
	verbs_traffic 300000 100000 200000 50000 || fg_fail "traffic failed"
	fgv top -n 4 --proto tcp --json >"$FG_TMP/top.json" ||
		fg_fail "top exited $?"
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sent = {7001: 300000, 7002: 100000, 7003: 200000, 7004: 50000}
assert d["accounting"] is True and d["by"] == "bytes" and d["n"] == 4, d
ports = [f["entry"]["orig"]["dport"] for f in d["flows"]]
assert ports == [7001, 7003, 7002, 7004], ports
for f in d["flows"]:
    e = f["entry"]
    b = e["orig"]["bytes"] + e["reply"]["bytes"]
    assert f["bytes"] == b and f["packets"] == e["orig"]["packets"] + e["reply"]["packets"], f
    n = sent[e["orig"]["dport"]]
    assert n <= f["bytes"] <= n * 1.15 + 2000, (n, f)
assert d["flows"][0]["entry"]["uplink"] == "wan1", d["flows"][0]
assert d["without_counters"] == 9, d["without_counters"]
' "$FG_TMP/top.json" || fg_fail "top --json: $(cat "$FG_TMP/top.json")"
	out=$(fgv top -n 3 --iface wan1) || fg_fail "top --iface exited $?"
	grep -q '^1 .*dport=7001 ' <<<"$out" && grep -q '^2 .*dport=7003 ' <<<"$out" ||
		fg_fail "top --iface wan1: $out"
	[[ $(grep -c 'dport=700' <<<"$out") == 2 ]] || fg_fail "top --iface wan1: not 2 flows: $out"
	grep -q '^6 matching entries have no counters' <<<"$out" ||
		fg_fail "top --iface wan1: the planted entries without counters: $out"
	out=$(fgv top -n 2 --by packets --json) || fg_fail "top --by packets"
	python3 -c '
import json, sys
f = json.loads(sys.argv[1])["flows"]
assert len(f) == 2 and f[0]["packets"] >= f[1]["packets"] > 0, f
' "$out" || fg_fail "top --by packets: $out"
	fg_log "top: 7001 > 7003 > 7002 > 7004 by bytes, as sent"
}

# Accounting off (the default): the notice, exit 1, never a ranking.
test_top_accounting_off()
{
	verbs_setup
	[[ $(verbs_ns sysctl -n net.netfilter.nf_conntrack_acct) == 0 ]] ||
		fg_skip "accounting is on by default here"
	fgv top >"$FG_TMP/top.out" 2>"$FG_TMP/top.err" && fg_fail "top exited 0"
	[[ $(wc -l <"$FG_TMP/top.err") == 1 ]] || fg_fail "not one line: $(cat "$FG_TMP/top.err")"
	grep -q 'accounting is off.*nf_conntrack_acct=1.*created after' "$FG_TMP/top.err" ||
		fg_fail "notice: $(cat "$FG_TMP/top.err")"
	[[ ! -s $FG_TMP/top.out ]] || fg_fail "top printed: $(cat "$FG_TMP/top.out")"
	[[ $(fgv top --json 2>/dev/null) == '{"accounting":false}' ]] ||
		fg_fail "top --json with accounting off"
	fg_log "$(cat "$FG_TMP/top.err")"
}

VERBS_BAD=0

# verbs_bad CODE ARGS...: exit CODE, one line on stderr, nothing on stdout.
verbs_bad()
{
	local code=$1 rc=0
	shift
	fgv "$@" >"$FG_TMP/bad.out" 2>"$FG_TMP/bad.err" || rc=$?
	if [[ $rc != "$code" || $(wc -l <"$FG_TMP/bad.err") != 1 || -s $FG_TMP/bad.out ]]; then
		echo "FAIL: flowguard $*: exit $rc (want $code): $(cat "$FG_TMP/bad.err" "$FG_TMP/bad.out")" >&2
		VERBS_BAD=$((VERBS_BAD + 1))
	else
		fg_log "ok ($rc): $*: $(cat "$FG_TMP/bad.err")"
	fi
}

test_bad_arguments()
{
	local n
	verbs_setup
	verbs_bad 2 list --iface wanX
	verbs_bad 2 list --mark 0x4000
	verbs_bad 2 list --mark 0x100/0
	verbs_bad 2 list --mark junk
	verbs_bad 2 list --iface wan1 --mark 0x100
	verbs_bad 2 list --unmarked --reserved
	verbs_bad 2 list --family 5
	verbs_bad 2 list --proto bogus
	verbs_bad 2 list --proto 256
	verbs_bad 2 list --state bogus
	verbs_bad 2 list --state established --proto udp
	verbs_bad 2 list extra
	verbs_bad 2 list --bogus
	verbs_bad 2 list -i
	verbs_bad 2 top -n 0
	verbs_bad 2 top -n abc
	verbs_bad 2 top -n 12x
	verbs_bad 2 top -n 100001
	verbs_bad 2 top --by bogus
	verbs_bad 2 top --iface wanX
	verbs_bad 2 count --family x
	verbs_bad 2 count --iface wan1
	verbs_bad 2 offload --mark 0x100
	verbs_bad 2 count -u wan1:eth0:0x101
	verbs_bad 2 count -u wan1:eth0:0x100 -C "$VERBS_MWAN3"
	verbs_bad 2 flush --iface wan1 --socket /x
	verbs_bad 2 flush --iface wan1 --pin-dir /x
	verbs_bad 2 flush --iface wan1 --json
	verbs_bad 2 help bogus
	verbs_bad 1 list -c "$FG_TMP/no-such-config"
	n=$(fgv list | wc -l)
	[[ $n == "${#VERBS_PLANT[@]}" ]] || fg_fail "entries went: $n left"
	((VERBS_BAD == 0)) || fg_fail "$VERBS_BAD bad-argument case(s) failed"
}

# Uplink names from flowguard's own config (-c) and --uplink override
# mwan3's: the same entries, other names.
test_names_from_flowguard_config()
{
	local conf out
	verbs_setup
	conf=$FG_TMP/fg.conf
	printf '%s\n' "config uplink 'dsl'" "	option device 'eth9'" \
		"	option mark '0x100'" >"$conf"
	out=$(fgv list -c "$conf" --iface dsl | grep -c 'uplink=dsl$')
	[[ $out == 6 ]] || fg_fail "list -c: $out lines of dsl, want 6"
	out=$(fgv count -u lte:wwan0:0x200 --json)
	python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["source"] == "flowguard config", d
assert [(u["name"], u["entries"]) for u in d["uplinks"]] == [("lte", 3)], d
assert d["other"]["entries"] == 1 + 6 + 1 + 1, d
' "$out" || fg_fail "count -u: $out"
	out=$(fgv offload -u lte:wwan0:0x200)
	grep -q '^uplink lte: device wwan0 in no flowtable$' <<<"$out" ||
		fg_fail "offload -u: $out"
}

test_version_and_help()
{
	local v
	v=$("$FG_BIN" --version) || fg_fail "--version exited $?"
	[[ $v =~ ^flowguard\ [0-9]+\.[0-9]+\.[0-9]+ ]] || fg_fail "--version: $v"
	for c in run status flush disconnected connected hook list count top offload; do
		"$FG_BIN" help "$c" | grep -q "^usage: flowguard $c " ||
			fg_fail "help $c"
	done
	"$FG_BIN" help | grep -q '^  offload ' || fg_fail "help lists no offload"
	fg_log "$v"
}

# status --json with a service (field by field against its options) and
# without one.
test_status_json()
{
	local rc=0 out
	drill_setup --no-server
	guard_start --policy delete
	drill_exec router "$FG_BIN" status --socket "$GUARD_SOCK" --json \
		>"$FG_TMP/status.json" || fg_fail "status --json exited $?"
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["policy"] == "delete" and d["mask"] == 0x3f00, d
assert d["mode"].startswith(("ct", "skbmark")), d["mode"]
u = [(x["name"], x["device"], x["mark"], x["up"], x["device_present"]) for x in d["uplinks"]]
assert u == [("wan1", "wan1", 0x100, True, True), ("wan2", "wan2", 0x200, True, True)], u
devs = {x["name"]: x for x in d["devices"]}
assert set(devs) == {"wan1", "wan2"}, devs
for x in devs.values():
    assert x["present"] and x["attached"] and x["ifindex"] > 0 and x["l2_len"] == 14, x
    assert set(x["counters"]) == {"seen", "no_ct", "flagged", "events", "lost",
                                  "lookup", "lookup_hits", "unparsed"}, x
assert d["events"]["total"] == 0 and d["events"]["deleted"] == 0, d["events"]
assert isinstance(d["sock_destroy"], bool), d
' "$FG_TMP/status.json" || fg_fail "status --json: $(cat "$FG_TMP/status.json")"
	# after an action: its uplink's last action, in both forms
	drill_exec router "$FG_BIN" disconnected --socket "$GUARD_SOCK" wan1 \
		>/dev/null || fg_fail "disconnected wan1 through the service"
	out=$(guard_status) || fg_fail "status after disconnected"
	grep -Eq '^up [0-9]+ s; kernel features in use: .*(SOCK_DESTROY)' <<<"$out" ||
		fg_fail "status: no uptime and features line: $out"
	grep -A1 '^uplink wan1:' <<<"$out" |
		grep -Eq '^  last: disconnected at [0-9-]+ [0-9:]+ UTC \([0-9]+ s ago\): [0-9]+ entries deleted$' ||
		fg_fail "status: no last action under wan1: $out"
	grep -A1 '^uplink wan2:' <<<"$out" | grep -q '^  last:' &&
		fg_fail "status: a last action for wan2: $out"
	drill_exec router "$FG_BIN" status --socket "$GUARD_SOCK" -j \
		>"$FG_TMP/status.json" || fg_fail "status --json exited $?"
	python3 -c '
import json, sys, time
d = json.load(open(sys.argv[1]))
assert d["uptime_s"] >= 0 and d["features"], d
l = d["uplinks"][0]["last"]
assert l["event"] == "disconnected" and l["ok"] and not l["alone"], l
assert l["deleted"] >= 0 and abs(l["time"] - time.time()) < 60, l
assert "last" not in d["uplinks"][1], d["uplinks"][1]
' "$FG_TMP/status.json" || fg_fail "status --json after: $(cat "$FG_TMP/status.json")"
	drill_exec router "$FG_BIN" status --json --socket "$FG_TMP/none.sock" \
		>/dev/null 2>&1 || rc=$?
	[[ $rc == 1 ]] || fg_fail "status --json without a service: exit $rc"
	guard_stop
}

# scripts/flowguard.8: every command flowguard lists is documented, with
# the version --version prints; groff finds nothing to warn about.
test_man_page()
{
	local man=$FG_ROOT/scripts/flowguard.8 c v err
	for c in $("$FG_BIN" help | awk '/^commands:/ {on = 1; next} on && /^  [a-z]/ {print $1}'); do
		grep -q "^\.B flowguard $c\b" "$man" || fg_fail "flowguard.8: no synopsis of $c"
	done
	v=$("$FG_BIN" --version)
	grep -q "^\.TH FLOWGUARD 8 .*\"$v\"" "$man" || fg_fail "flowguard.8: not '$v'"
	grep -q '^\.SH EXIT STATUS' "$man" || fg_fail "flowguard.8: no exit status"
	command -v groff >/dev/null || fg_skip "groff not installed"
	err=$(groff -man -Tutf8 -ww "$man" 2>&1 >/dev/null)
	[[ -z $err ]] || fg_fail "groff warns: $err"
}

# verbs_prom_check FILE: the Prometheus text format, exactly: HELP and
# TYPE once per family, before its samples; samples of a family together;
# names, labels (quoted, escaped) and numbers well-formed; no duplicate
# series. Prints "families samples".
verbs_prom_check()
{
	python3 - "$1" <<'PYEOF'
import re, sys
name = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
label = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
sample = re.compile(r"^(%s)(\{%s(?:,%s)*\})? (-?[0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?)$" % (name, label, label))
help_re = re.compile(r"^# HELP (%s) \S.*$" % name)
type_re = re.compile(r"^# TYPE (%s) (counter|gauge|untyped)$" % name)
seen, series, cur, helped, typed, n = set(), set(), None, set(), {}, 0
for i, line in enumerate(open(sys.argv[1]).read().split("\n")[:-1], 1):
    m = help_re.match(line) or type_re.match(line)
    if m:
        fam = m.group(1)
        if fam in seen and fam != cur:
            sys.exit("line %d: family %s again" % (i, fam))
        if line.startswith("# HELP"):
            assert fam not in helped, (i, line)
            helped.add(fam)
        else:
            assert fam not in typed, (i, line)
            typed[fam] = m.group(2)
        seen.add(fam)
        cur = fam
        continue
    m = sample.match(line)
    if not m:
        sys.exit("line %d not in the format: %r" % (i, line))
    fam = m.group(1)
    if fam != cur or fam not in typed or fam not in helped:
        sys.exit("line %d: sample of %s outside its family" % (i, fam))
    if typed[fam] == "counter" and not fam.endswith("_total"):
        sys.exit("counter %s without _total" % fam)
    key = (fam, m.group(2))
    if key in series:
        sys.exit("line %d: series twice: %r" % (i, line))
    series.add(key)
    n += 1
print(len(seen), n)
PYEOF
}

# metrics_value FILE SERIES: the value of one series (exact text before
# the value).
metrics_value() { awk -v s="$2" 'index($0, s " ") == 1 { print $NF }' "$1"; }

# Without a service: flowguard_service_up 0 and the entries per uplink.
test_metrics_no_service()
{
	local f
	verbs_setup
	f=$FG_TMP/metrics.txt
	fgv metrics --socket "$FG_TMP/none.sock" >"$f" || fg_fail "metrics exited $?"
	verbs_prom_check "$f" >/dev/null || fg_fail "metrics: not the format: $(cat "$f")"
	[[ $(metrics_value "$f" flowguard_service_up) == 0 ]] || fg_fail "service_up"
	[[ $(metrics_value "$f" 'flowguard_conntrack_entries{class="uplink",uplink="wan1",mark="0x100"}') == 6 ]] ||
		fg_fail "wan1's entries: $(cat "$f")"
	[[ $(metrics_value "$f" 'flowguard_conntrack_entries{class="unmarked"}') == 2 ]] ||
		fg_fail "unmarked entries"
	[[ $(metrics_value "$f" 'flowguard_conntrack_entries{class="blackhole"}') == 1 ]] ||
		fg_fail "blackhole entries"
	[[ $(metrics_value "$f" flowguard_conntrack_count) == 17 ]] || fg_fail "count"
	fg_log "metrics without a service: $(verbs_prom_check "$f") (families, samples)"
}

# With a service: its counters, uplinks and last action, in the format.
test_metrics_service()
{
	local f out
	drill_setup --no-server
	guard_start
	drill_exec router "$FG_BIN" disconnected --socket "$GUARD_SOCK" wan2 \
		>/dev/null || fg_fail "disconnected wan2"
	f=$FG_TMP/metrics.txt
	drill_exec router "$FG_BIN" metrics --socket "$GUARD_SOCK" -u "wan1:$DRILL_WAN1_DEV:0x100" \
		-u "wan2:$DRILL_WAN2_DEV:0x200" >"$f" || fg_fail "metrics exited $?"
	out=$(verbs_prom_check "$f") || fg_fail "metrics: not the format: $out; $(cat "$f")"
	[[ $(metrics_value "$f" flowguard_service_up) == 1 ]] || fg_fail "service_up: $(cat "$f")"
	[[ $(metrics_value "$f" 'flowguard_uplink_up{uplink="wan1",mark="0x100",device="wan1"}') == 1 ]] ||
		fg_fail "wan1 up: $(grep uplink_up "$f")"
	[[ $(metrics_value "$f" 'flowguard_uplink_up{uplink="wan2",mark="0x200",device="wan2"}') == 0 ]] ||
		fg_fail "wan2 down: $(grep uplink_up "$f")"
	[[ $(metrics_value "$f" 'flowguard_device_attached{device="wan1"}') == 1 ]] ||
		fg_fail "wan1 attached"
	[[ $(metrics_value "$f" 'flowguard_device_seen_packets_total{device="wan1"}') =~ ^[0-9]+$ ]] ||
		fg_fail "seen packets"
	[[ $(metrics_value "$f" 'flowguard_uplink_last_action_deleted_entries{uplink="wan2",action="disconnected"}') =~ ^[0-9]+$ ]] ||
		fg_fail "wan2's last action: $(grep last_action "$f")"
	grep -q 'uplink="wan1",action=' "$f" && fg_fail "a last action for wan1"
	fg_log "metrics with a service: $out (families, samples)"
	guard_stop
}
