-- SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
--
-- flowguard.lua - a collector for OpenWrt's prometheus-node-exporter-lua:
-- copy it to /usr/lib/lua/prometheus-collectors/ and restart the
-- exporter. Each scrape runs `flowguard metrics` (the service's counters
-- and the conntrack entries per uplink, already in the Prometheus text
-- format) and hands its output over as it is; the exporter's own
-- output() writes raw text, as its textfile collector does.
--
-- The binary: FLOWGUARD in the exporter's environment, else
-- /usr/sbin/flowguard. A scrape costs one dump of the conntrack table
-- (a few ms for a router's usual few thousand entries).

local bin = os.getenv("FLOWGUARD") or "/usr/sbin/flowguard"

local function scrape()
	local p = io.popen(bin .. " metrics 2>/dev/null")
	if not p then
		return
	end
	local text = p:read("*a")
	p:close()
	if text and #text > 0 then
		output(text)
	end
end

return { scrape = scrape }
