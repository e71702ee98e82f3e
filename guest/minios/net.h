/* SPDX-License-Identifier: MIT */
/*
 * minios: a tiny IPv4 stack over one netfront.  It answers ARP for its
 * address, ICMP echo requests, and UDP to the echo port (7) by sending
 * the datagram back; it counts UDP to the discard port (9, the sink), and
 * as a generator sends UDP datagrams of a given size to a peer.  Replies
 * go back to the sender's MAC: only the generator needs ARP.
 */
#ifndef MINIOS_NET_H
#define MINIOS_NET_H

#include <stdbool.h>
#include <stdint.h>

#include "netfront.h"

#define NET_PORT_ECHO 7
#define NET_PORT_DISCARD 9

struct net {
    struct netfront *nf;
    uint32_t ip;          /* ours, host order */
    /* The generator. */
    uint32_t peer_ip;
    uint16_t peer_port;
    uint8_t peer_mac[6];
    bool peer_known;
    uint64_t gen_left;    /* datagrams still to send */
    uint32_t gen_size;    /* UDP payload bytes */
    /* Counters. */
    uint64_t arp_replies, icmp_replies, udp_echoes, sink_packets, sink_bytes;
    uint64_t gen_sent, rx_dropped;
};

/** Parse "a.b.c.d": 0 or -1. */
int net_ip_parse(const char *s, uint32_t *ip);

/** Handle one received frame. */
void net_input(struct net *n, const uint8_t *frame, uint32_t len);

/** The generator's turn: ARP for the peer, then a burst.  @return true if
 *  it has more to do. */
bool net_generate(struct net *n);

#endif /* MINIOS_NET_H */
