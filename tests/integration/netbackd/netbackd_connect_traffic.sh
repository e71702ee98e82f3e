#!/bin/bash
# SPDX-License-Identifier: MIT
#
# xvm-netbackd connects two process domains through the netif xenbus
# handshake (both sides reach Connected) and switches their frames by MAC
# both ways: ping, iperf3 TCP with GSO passed through, unknown unicast
# dropped and counted, the rate key (maxbw) limiting guest transmit.
#
# usage: netbackd_connect_traffic.sh XVMD XVM XVM-NETBACKD NBD_GUEST
. "$(dirname "$0")/lib.sh"

start_xvmd
start_nbd
a=$(create_dom ga 02:00:00:77:00:01) || exit 1
b=$(create_dom gb 02:00:00:77:00:02) || exit 1
c=$(create_dom gc 02:00:00:77:00:03 maxbw=50M) || exit 1
for d in $a $b $c; do
    if wait_until 10 both_connected $d; then ok "dom $d: backend and frontend Connected"
    else fail "dom $d not Connected (be $(rd /local/domain/0/backend/vif/$d/0/state), fe $(rd /local/domain/$d/device/vif/0/state))"; fi
done
expect "feature-rx-copy offered" 1 "$(rd /local/domain/0/backend/vif/$a/0/feature-rx-copy)"
expect "frontend asked for rx-copy" 1 "$(rd /local/domain/$a/device/vif/0/request-rx-copy)"

ping_ok ga 10.77.0.$b && ok "ping ga -> gb" || fail "ping ga -> gb"
ping_ok gb 10.77.0.$a && ok "ping gb -> ga" || fail "ping gb -> ga"
ping_ok gc 10.77.0.$a && ok "ping gc -> ga" || fail "ping gc -> ga"

mbps=$(iperf_mbps ga gb 10.77.0.$b 3)
echo "     iperf3 ga -> gb: $mbps Mbit/s"
[ "$mbps" -gt 500 ] && ok "iperf3 TCP ga -> gb ($mbps Mbit/s)" || fail "iperf3 ga -> gb: $mbps Mbit/s"
mbps=$(iperf_mbps gb ga 10.77.0.$a 2)
echo "     iperf3 gb -> ga: $mbps Mbit/s"
[ "$mbps" -gt 500 ] && ok "iperf3 TCP gb -> ga ($mbps Mbit/s)" || fail "iperf3 gb -> ga: $mbps Mbit/s"

# gc transmits under rate=312500,50000 (50 Mbit/s); its receive is free.
expect "rate key" 312500,50000 "$(rd /local/domain/0/backend/vif/$c/0/rate)"
mbps=$(iperf_mbps gc ga 10.77.0.$a 3)
echo "     iperf3 gc -> ga (maxbw=50M): $mbps Mbit/s"
[ "$mbps" -gt 20 ] && [ "$mbps" -le 60 ] && ok "gc's transmit held to its rate ($mbps Mbit/s)" ||
    fail "gc's transmit at $mbps Mbit/s, want 20..60"

# Unknown unicast: a neighbour no vif has.
in_dom ga ip neigh replace 10.77.0.99 lladdr 02:00:00:77:00:99 dev eth0
in_dom ga ping -c 3 -i 0.2 -W 1 -q 10.77.0.99 >/dev/null 2>&1

stats_fresh || fail "no fresh stats after SIGUSR1"
cat "$STATS"
[ "$(stat $a tx_pkts)" -gt 1000 ] && [ "$(stat $a rx_pkts)" -gt 1000 ] &&
    [ "$(stat $b tx_pkts)" -gt 1000 ] && [ "$(stat $b rx_pkts)" -gt 1000 ] &&
    ok "frames counted both ways on both vifs" || fail "vif counters"
[ "$(stat $a tx_gso)" -gt 0 ] && [ "$(stat $b rx_gso)" -gt 0 ] &&
    [ "$(stat $a tx_max_len)" -gt 1514 ] &&
    ok "large segments passed through (ga tx_gso $(stat $a tx_gso), longest $(stat $a tx_max_len))" ||
    fail "no GSO pass-through"
[ "$(stat $a drop_unknown)" -ge 3 ] && ok "unknown unicast dropped and counted ($(stat $a drop_unknown))" ||
    fail "drop_unknown = $(stat $a drop_unknown)"
[ "$(stat $c nb_tx_credit_stalls)" -gt 0 ] && ok "rate-limited vif stalled on credit" ||
    fail "no credit stalls on gc"
expect "rate applied" 312500,50000 "$(stat $c rate)"
expect "one mapping per domain" 3 "$(grep -c '^dom ' "$STATS")"
kill -0 "$NBD_PID" && ok "netbackd still running" || fail "netbackd died"
finish
