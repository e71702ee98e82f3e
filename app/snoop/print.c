/* SPDX-License-Identifier: MIT */
/*
 * One line per frame, in the spirit of snoop's and tcpdump's summaries.
 * Everything read is bounds-checked against the captured length: a frame
 * cut by the snap length just gets a shorter line.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "linkprop/linkprop.h"
#include "snoop.h"

struct out {
    char *buf;
    size_t len, off;
};

static void put(struct out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (o->off >= o->len)
        return;
    va_start(ap, fmt);
    n = vsnprintf(o->buf + o->off, o->len - o->off, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->off += (size_t)n;
}

static unsigned be16(const uint8_t *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
           (uint32_t)p[2] << 8 | p[3];
}

static void mac(struct out *o, const uint8_t *m)
{
    char buf[LP_MACSTRLEN];

    lp_mac_format(m, buf);
    put(o, "%s", buf);
}

static const char *icmp_name(unsigned type)
{
    switch (type) {
    case 0: return "echo reply";
    case 3: return "unreachable";
    case 8: return "echo request";
    case 11: return "time exceeded";
    default: return NULL;
    }
}

static const char *icmp6_name(unsigned type)
{
    switch (type) {
    case 1: return "unreachable";
    case 128: return "echo request";
    case 129: return "echo reply";
    case 133: return "router solicitation";
    case 134: return "router advertisement";
    case 135: return "neighbor solicitation";
    case 136: return "neighbor advertisement";
    default: return NULL;
    }
}

/* The transport part, after "src -> dst". */
static void l4(struct out *o, unsigned proto, const uint8_t *p, uint32_t n,
               const char *sa, const char *da, unsigned l4len)
{
    const char *name;

    if (proto == 6 && n >= 14) {
        static const char fl[] = "FSRPAU";
        char flags[8];
        unsigned i, k = 0;

        for (i = 0; i < 6; i++)
            if (p[13] & (1u << i))
                flags[k++] = fl[i];
        flags[k] = '\0';
        put(o, "%s.%u -> %s.%u TCP [%s] seq %u", sa, be16(p), da,
            be16(p + 2), flags, be32(p + 4));
        if (p[13] & 0x10)
            put(o, " ack %u", be32(p + 8));
        return;
    }
    if (proto == 17 && n >= 8) {
        put(o, "%s.%u -> %s.%u UDP len %u", sa, be16(p), da, be16(p + 2),
            be16(p + 4) >= 8 ? be16(p + 4) - 8 : 0);
        return;
    }
    if ((proto == 1 || proto == 58) && n >= 4) {
        name = proto == 1 ? icmp_name(p[0]) : icmp6_name(p[0]);
        put(o, "%s -> %s %s", sa, da, proto == 1 ? "ICMP" : "ICMPv6");
        if (name)
            put(o, " %s", name);
        else
            put(o, " type %u code %u", p[0], p[1]);
        if (n >= 8 && ((proto == 1 && (p[0] == 0 || p[0] == 8)) ||
                       (proto == 58 && (p[0] == 128 || p[0] == 129))))
            put(o, " id %u seq %u", be16(p + 4), be16(p + 6));
        return;
    }
    put(o, "%s -> %s proto %u len %u", sa, da, proto, l4len);
}

static void ipv4(struct out *o, const uint8_t *p, uint32_t n)
{
    char sa[INET_ADDRSTRLEN], da[INET_ADDRSTRLEN];
    unsigned ihl, tot;

    if (n < 20 || (p[0] >> 4) != 4 || (ihl = (p[0] & 15u) * 4) < 20) {
        put(o, " IPv4 (truncated)");
        return;
    }
    inet_ntop(AF_INET, p + 12, sa, sizeof(sa));
    inet_ntop(AF_INET, p + 16, da, sizeof(da));
    tot = be16(p + 2);
    put(o, " IPv4 ");
    if (be16(p + 6) & 0x1fff) {
        put(o, "%s -> %s fragment proto %u", sa, da, p[9]);
        return;
    }
    if (n < ihl) {
        put(o, "%s -> %s proto %u", sa, da, p[9]);
        return;
    }
    l4(o, p[9], p + ihl, n - ihl, sa, da, tot > ihl ? tot - ihl : 0);
}

static void ipv6(struct out *o, const uint8_t *p, uint32_t n)
{
    char sa[INET6_ADDRSTRLEN], da[INET6_ADDRSTRLEN];

    if (n < 40 || (p[0] >> 4) != 6) {
        put(o, " IPv6 (truncated)");
        return;
    }
    inet_ntop(AF_INET6, p + 8, sa, sizeof(sa));
    inet_ntop(AF_INET6, p + 24, da, sizeof(da));
    put(o, " IPv6 ");
    /* Extension headers are not walked: their protocol is shown. */
    l4(o, p[6], p + 40, n - 40, sa, da, be16(p + 4));
}

static void arp(struct out *o, const uint8_t *p, uint32_t n)
{
    char spa[INET_ADDRSTRLEN], tpa[INET_ADDRSTRLEN];
    unsigned op;

    if (n < 28 || be16(p) != 1 || be16(p + 2) != 0x0800 || p[4] != 6 ||
        p[5] != 4) {
        put(o, " ARP");
        return;
    }
    op = be16(p + 6);
    inet_ntop(AF_INET, p + 14, spa, sizeof(spa));
    inet_ntop(AF_INET, p + 24, tpa, sizeof(tpa));
    if (op == 1) {
        put(o, " ARP who-has %s tell %s", tpa, spa);
    } else if (op == 2) {
        put(o, " ARP %s is-at ", spa);
        mac(o, p + 8);
    } else {
        put(o, " ARP op %u", op);
    }
}

void snoop_summary(const uint8_t *p, uint32_t caplen, char *buf, size_t len)
{
    struct out o = {.buf = buf, .len = len};
    uint32_t off = 12;
    unsigned type;

    buf[0] = '\0';
    if (caplen < 14) {
        put(&o, "runt (%u bytes)", caplen);
        return;
    }
    mac(&o, p + 6);
    put(&o, " -> ");
    mac(&o, p);
    type = be16(p + off);
    while ((type == 0x8100 || type == 0x88a8) && caplen >= off + 6) {
        put(&o, " vlan %u", be16(p + off + 2) & 0xfff);
        off += 4;
        type = be16(p + off);
    }
    off += 2;
    if (off > caplen)
        return;
    switch (type) {
    case 0x0800: ipv4(&o, p + off, caplen - off); break;
    case 0x86dd: ipv6(&o, p + off, caplen - off); break;
    case 0x0806: arp(&o, p + off, caplen - off); break;
    default: put(&o, " ethertype 0x%04x", type); break;
    }
}
