#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# tests/fuzz/gen-seeds.sh - (re)write the binary seeds of the fuzz corpora
# (tests/fuzz/corpus/{ct,event,ctl,seg}/) with build/tests/tools/fg_fuzzseeds.
# The ct seeds are the kernel's own dump messages: entries of every kind
# the service meets (TCP with state and mark, UDP, ICMP, IPv6, ICMPv6,
# SCTP, GRE, a zone) created in a namespace of our own, then dumped.
# Needs root; touches nothing outside that namespace. The text seeds
# (uci, conf, mwan3) are written by hand.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TOOL=$ROOT/${BUILD:-build}/tests/tools/fg_fuzzseeds
CORPUS=$ROOT/tests/fuzz/corpus
NS=fg-fuzzseeds-$$

[[ -x $TOOL ]] || { echo "gen-seeds: $TOOL missing (make tests-build)" >&2; exit 1; }
trap 'ip netns del "$NS" 2>/dev/null || true' EXIT
ip netns add "$NS"

ct() { ip netns exec "$NS" conntrack -I "$@" >/dev/null 2>&1; }
ct -p tcp -s 192.168.1.10 -d 198.51.100.7 --sport 40000 --dport 443 \
	--state ESTABLISHED -t 300 -m 0x100 -u SEEN_REPLY,ASSURED
ct -p tcp -s 192.168.1.11 -d 198.51.100.8 --sport 40001 --dport 22 \
	-r 198.51.100.8 -q 203.0.113.2 --reply-port-src 22 --reply-port-dst 61000 \
	--state FIN_WAIT -t 60 -m 0x3f00
ct -p udp -s 192.168.1.10 -d 198.51.100.53 --sport 51000 --dport 53 -t 30 \
	-m 0x200
ct -p icmp -s 192.168.1.10 -d 198.51.100.7 --icmp-type 8 --icmp-code 0 \
	--icmp-id 7 -t 30 -m 0x300
ct -p tcp -s 2001:db8:1::10 -d 2001:db8:ff::7 --sport 40002 \
	--dport 443 --state ESTABLISHED -t 300 -m 0x200
ct -p icmpv6 -s 2001:db8:1::10 -d 2001:db8:ff::7 --icmpv6-type 128 \
	--icmpv6-code 0 --icmpv6-id 9 -t 30
ct -p sctp -s 192.168.1.12 -d 198.51.100.9 --sport 5000 --dport 5001 \
	--state ESTABLISHED --orig-vtag 1 --reply-vtag 2 -t 60 -m 0x100
ct -p gre -s 192.168.1.13 -d 198.51.100.10 --srckey 1 --dstkey 2 -t 60 \
	-m 0x100 || true # needs nf_conntrack_proto_gre
ct -p udp -s 192.168.1.14 -d 198.51.100.11 --sport 123 --dport 123 -t 30 \
	-w 7 -m 0x100
echo "gen-seeds: $(ip netns exec "$NS" conntrack -C) entries"

for what in ct event ctl seg; do
	rm -rf "${CORPUS:?}/$what"
	mkdir -p "$CORPUS/$what"
done
nsenter --net=/run/netns/"$NS" "$TOOL" ct "$CORPUS/ct"
"$TOOL" event "$CORPUS/event"
"$TOOL" ctl "$CORPUS/ctl"
"$TOOL" seg "$CORPUS/seg"
