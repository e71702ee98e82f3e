/* SPDX-License-Identifier: MIT */
/* Datalink names, MAC addresses and allowed-ips (linkprop/linkprop.h). */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <arpa/inet.h>

#include "linkprop/linkprop.h"


const uint8_t lp_mac_prefix[LP_MAC_PREFIX_LEN] = {0x02, 0x08, 0x20};

int lp_name_check(const char *name)
{
    size_t len = strlen(name), i;

    if (len >= LP_NAMSIZ)
        return -ENAMETOOLONG;
    if (len < 2 || isdigit((unsigned char)name[0]) ||
        !isdigit((unsigned char)name[len - 1]))
        return -EINVAL;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];

        if (!isalnum(c) && c != '_' && c != '.')
            return -EINVAL;
    }
    /* The trailing number: no leading zero unless it is just "0". */
    i = len;
    while (i > 0 && isdigit((unsigned char)name[i - 1]))
        i--;
    if (name[i] == '0' && i + 1 < len)
        return -EINVAL;
    return 0;
}

bool lp_name_guest(const char *name)
{
    const char *p = name;
    size_t n;

    if (strncmp(p, "xvm", 3) != 0 || lp_name_check(name) < 0)
        return false;
    p += 3;
    n = strspn(p, "0123456789");
    if (n == 0 || p[n] != '_')
        return false;
    p += n + 1;
    n = strspn(p, "0123456789");
    return n > 0 && p[n] == '\0';
}

int lp_ifname_check(const char *name)
{
    size_t len = strlen(name), i;

    if (len >= LP_IFNAMSIZ)
        return -ENAMETOOLONG;
    if (len == 0 || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return -EINVAL;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];

        if (!isgraph(c) || strchr("/:,=#\"'\\", c))
            return -EINVAL;
    }
    return 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int lp_mac_prefix_parse(const char *s, uint8_t *mac, unsigned max)
{
    unsigned n = 0;

    for (;;) {
        int hi = hexval(s[0]), lo;

        if (hi < 0 || n == max)
            return -EINVAL;
        lo = hexval(s[1]);
        if (lo < 0) {
            mac[n++] = (uint8_t)hi;
            s += 1;
        } else {
            mac[n++] = (uint8_t)(hi << 4 | lo);
            s += 2;
        }
        if (*s == '\0')
            return (int)n;
        if (*s++ != ':')
            return -EINVAL;
    }
}

int lp_mac_parse(const char *s, uint8_t mac[6])
{
    uint8_t m[6];

    if (lp_mac_prefix_parse(s, m, 6) != 6)
        return -EINVAL;
    memcpy(mac, m, 6);
    return 0;
}

void lp_mac_format(const uint8_t m[6], char buf[LP_MACSTRLEN])
{
    snprintf(buf, LP_MACSTRLEN, "%x:%x:%x:%x:%x:%x", m[0], m[1], m[2], m[3],
             m[4], m[5]);
}

void lp_mac_format_xs(const uint8_t m[6], char buf[LP_MACSTRLEN])
{
    snprintf(buf, LP_MACSTRLEN, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1],
             m[2], m[3], m[4], m[5]);
}

bool lp_mac_valid(const uint8_t mac[6])
{
    static const uint8_t zero[6];

    return !(mac[0] & 1) && memcmp(mac, zero, 6) != 0;
}

void lp_mac_random(uint8_t mac[6], const uint8_t *prefix,
                          unsigned plen)
{
    if (!prefix) {
        prefix = lp_mac_prefix;
        plen = LP_MAC_PREFIX_LEN;
    }
    if (plen > 5)
        plen = 5;
    if (getrandom(mac, 6, 0) != 6) {
        /* Without entropy, fall back on a counter: unique is enough. */
        static uint32_t counter;
        uint32_t n = __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);

        memset(mac, 0, 6);
        mac[3] = (uint8_t)(n >> 16);
        mac[4] = (uint8_t)(n >> 8);
        mac[5] = (uint8_t)n;
    }
    memcpy(mac, prefix, plen);
    if (plen == 0)
        mac[0] = (uint8_t)((mac[0] & 0xfe) | 0x02); /* local, unicast */
    if (!lp_mac_valid(mac))
        mac[5] = 1;
}

int lp_ipnet_parse(const char *s, struct lp_ipnet *ip)
{
    static const uint8_t zero[16];
    char addr[INET6_ADDRSTRLEN];
    const char *slash = strchr(s, '/');
    size_t alen = slash ? (size_t)(slash - s) : strlen(s);
    unsigned long plen = 32;
    char *end;
    unsigned i;

    memset(ip, 0, sizeof(*ip));
    if (alen == 0 || alen >= sizeof(addr))
        return -EINVAL;
    memcpy(addr, s, alen);
    addr[alen] = '\0';
    if (inet_pton(AF_INET6, addr, ip->addr) == 1) {
        /* illumos: no IPv6 prefixes, no :: */
        if (slash)
            return -EPROTONOSUPPORT;
        if (memcmp(ip->addr, zero, 16) == 0)
            return -EADDRNOTAVAIL;
        ip->family = AF_INET6;
        ip->plen = 128;
        return 0;
    }
    if (inet_pton(AF_INET, addr, ip->addr) != 1)
        return -EINVAL;
    if (slash) {
        if (!isdigit((unsigned char)slash[1]))
            return -EINVAL;
        errno = 0;
        plen = strtoul(slash + 1, &end, 10);
        if (*end)
            return -EINVAL;
        if (errno || plen < 1 || plen > 32)
            return -ERANGE;
    }
    if (memcmp(ip->addr, zero, 4) == 0)
        return -EADDRNOTAVAIL;
    for (i = (unsigned)plen; i < 32; i++) /* a network address only */
        if (ip->addr[i / 8] & (0x80 >> (i % 8)))
            return -EDOM;
    ip->family = AF_INET;
    ip->plen = (uint8_t)plen;
    return 0;
}

void lp_ipnet_format(const struct lp_ipnet *ip, char *buf, size_t len)
{
    char a[INET6_ADDRSTRLEN] = "?";

    inet_ntop(ip->family == AF_INET ? AF_INET : AF_INET6, ip->addr, a,
              sizeof(a));
    if (ip->family == AF_INET && ip->plen != 32)
        snprintf(buf, len, "%s/%u", a, ip->plen);
    else
        snprintf(buf, len, "%s", a);
}

static bool ipnet_same(const struct lp_ipnet *a, const struct lp_ipnet *b)
{
    return a->family == b->family && a->plen == b->plen &&
           memcmp(a->addr, b->addr, 16) == 0;
}

/*
 * Parse the list @s into @ips (LP_IPS_MAX of them): lp_ips_parse()'s
 * work, and with @bad, the entry that failed into @bad (@badlen bytes;
 * "" when the failure is of the list, not of one entry).
 */
static int ips_walk(const char *s, struct lp_ipnet *ips, uint8_t *n,
                    char *bad, size_t badlen)
{
    char one[64];
    unsigned k = 0, j;
    int rc;

    if (bad && badlen)
        bad[0] = '\0';
    if (strcmp(s, "") == 0 || strcmp(s, "none") == 0) {
        *n = 0;
        return 0;
    }
    while (*s) {
        size_t len = strcspn(s, ",");

        if (k == LP_IPS_MAX)
            return -E2BIG;
        if (len == 0 || len >= sizeof(one))
            return -EINVAL;
        memcpy(one, s, len);
        one[len] = '\0';
        rc = lp_ipnet_parse(one, &ips[k]);
        for (j = 0; rc == 0 && j < k; j++)
            if (ipnet_same(&ips[j], &ips[k]))
                rc = -EEXIST;
        if (rc < 0) {
            if (bad)
                snprintf(bad, badlen, "%s", one);
            return rc;
        }
        k++;
        s += len;
        if (*s == ',' && *++s == '\0')
            return -EINVAL;
    }
    *n = (uint8_t)k;
    return 0;
}

int lp_ips_parse(const char *s, struct lp_ipnet *ips, uint8_t *n)
{
    return ips_walk(s, ips, n, NULL, 0);
}

/* The text of lp_ips_why() for an entry @e that failed with @rc. */
static const char *ips_why_text(int rc)
{
    switch (rc) {
    case -ERANGE:
        return "has an IPv4 prefix length out of range (1 to 32)";
    case -EDOM:
        return "has host bits set (an IPv4 network is written with its "
               "network address: 10.1.0.0/16)";
    case -EPROTONOSUPPORT:
        return "is an IPv6 address with a prefix (IPv6 takes addresses "
               "only)";
    case -EADDRNOTAVAIL:
        return "is the unspecified address";
    case -EEXIST:
        return "is given twice";
    default:
        return "is not an IPv4 address or network, or an IPv6 address "
               "(10.1.0.5, 10.1.0.0/16, fe80::1)";
    }
}

void lp_ips_why(const char *s, int rc, char *buf, size_t len)
{
    struct lp_ipnet ips[LP_IPS_MAX];
    char one[64];
    uint8_t n;

    if (rc == -E2BIG) {
        snprintf(buf, len, "more than %d addresses", LP_IPS_MAX);
        return;
    }
    /* The walk again, to find the entry that failed. */
    rc = ips_walk(s, ips, &n, one, sizeof(one));
    if (one[0])
        snprintf(buf, len, "'%s' %s", one, ips_why_text(rc));
    else if (rc == -EINVAL)
        snprintf(buf, len, "an entry is %s",
                 s[0] == ',' || strstr(s, ",,") || s[strlen(s) - 1] == ','
                     ? "empty"
                     : "too long");
    else
        snprintf(buf, len, "%s", ips_why_text(rc));
}

void lp_ips_format(const struct lp_ipnet *ips, unsigned n, char *buf,
                          size_t len)
{
    char one[64];
    size_t off = 0;
    unsigned i;

    if (len)
        buf[0] = '\0';
    for (i = 0; i < n && off < len; i++) {
        lp_ipnet_format(&ips[i], one, sizeof(one));
        off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? "," : "",
                                one);
    }
}

bool lp_ips_equal(const struct lp_ipnet *a, unsigned na,
                         const struct lp_ipnet *b, unsigned nb)
{
    unsigned i;

    if (na != nb)
        return false;
    for (i = 0; i < na; i++)
        if (!ipnet_same(&a[i], &b[i]))
            return false;
    return true;
}
