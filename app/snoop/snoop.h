/* SPDX-License-Identifier: MIT */
/* snoop internals: the one-line frame summary (print.c). */
#ifndef SNOOP_H
#define SNOOP_H

#include <stddef.h>
#include <stdint.h>

/**
 * Write into @buf (@len bytes) a one-line summary of the frame @p
 * (@caplen bytes captured): MACs, VLAN, then ARP / IPv4 / IPv6 with
 * ICMP, ICMPv6, TCP or UDP.  Never reads past @caplen.
 */
void snoop_summary(const uint8_t *p, uint32_t caplen, char *buf, size_t len);

#endif
