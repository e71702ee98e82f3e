/* SPDX-License-Identifier: MIT */
/* Text forms of datalink names and property values (vsw/defs.h). */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include "vswctl/defs.h"

/* Largest maxbw: keeps the token bucket's fixed point within 64 bits. */
#define MAXBW_MAX 1000000000000ull

void vsw_vnic_conf_init(struct vsw_vnic_conf *vc)
{
    memset(vc, 0, sizeof(*vc));
    vc->mac_type = VSW_MAC_RANDOM;
    vc->priority = VSW_PRIO_HIGH;
}

int vsw_name_check(const char *name)
{
    size_t len = strlen(name), i;

    if (len >= VSW_NAMSIZ)
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

int vsw_mac_parse(const char *s, uint8_t mac[6])
{
    unsigned int b[6];
    int i, end = 0;

    if (sscanf(s, "%x:%x:%x:%x:%x:%x%n", &b[0], &b[1], &b[2], &b[3], &b[4],
               &b[5], &end) != 6 ||
        s[end] != '\0')
        return -EINVAL;
    for (i = 0; i < 6; i++) {
        if (b[i] > 0xff)
            return -EINVAL;
        mac[i] = (uint8_t)b[i];
    }
    return 0;
}

const char *vsw_mac_type_str(enum vsw_mac_type t)
{
    switch (t) {
    case VSW_MAC_FIXED: return "fixed";
    case VSW_MAC_AUTO: return "auto";
    default: return "random";
    }
}

void vsw_mac_format(const uint8_t mac[6], char buf[18])
{
    snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
             mac[2], mac[3], mac[4], mac[5]);
}

bool vsw_mac_valid(const uint8_t mac[6])
{
    static const uint8_t zero[6];

    return !(mac[0] & 1) && memcmp(mac, zero, 6) != 0;
}

int vsw_maxbw_parse(const char *s, uint64_t *bps)
{
    uint64_t whole = 0, frac = 0, scale = 1000000, div = 1, v;
    const char *p = s;

    if (!isdigit((unsigned char)*p))
        return -EINVAL;
    for (; isdigit((unsigned char)*p); p++) {
        if (whole > MAXBW_MAX)
            return -ERANGE;
        whole = whole * 10 + (uint64_t)(*p - '0');
    }
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            return -EINVAL;
        for (; isdigit((unsigned char)*p); p++) {
            if (div >= 1000000000ull)
                return -EINVAL; /* finer than a bit even at K */
            frac = frac * 10 + (uint64_t)(*p - '0');
            div *= 10;
        }
    }
    switch (*p) {
    case 'K': case 'k': scale = 1000; p++; break;
    case 'M': case 'm': scale = 1000000; p++; break;
    case 'G': case 'g': scale = 1000000000; p++; break;
    default: break;
    }
    if (*p != '\0')
        return -EINVAL;
    if (whole > MAXBW_MAX / scale)
        return -ERANGE;
    v = whole * scale + (frac * scale + div / 2) / div;
    if (v > MAXBW_MAX || (v != 0 && v < VSW_MAXBW_MIN))
        return -ERANGE;
    *bps = v;
    return 0;
}

void vsw_maxbw_format(uint64_t bps, char *buf, size_t len)
{
    if (bps == 0)
        snprintf(buf, len, "0");
    else if (bps % 1000000 == 0)
        snprintf(buf, len, "%lluM", (unsigned long long)(bps / 1000000));
    else if (bps % 1000 == 0)
        snprintf(buf, len, "%lluK", (unsigned long long)(bps / 1000));
    else
        snprintf(buf, len, "%llu.%03lluK", (unsigned long long)(bps / 1000),
                 (unsigned long long)(bps % 1000));
}

static const char *const prio_names[] = {"low", "medium", "high"};

int vsw_priority_parse(const char *s, enum vsw_priority *p)
{
    int i;

    for (i = 0; i <= VSW_PRIO_HIGH; i++) {
        if (strcmp(s, prio_names[i]) == 0) {
            *p = (enum vsw_priority)i;
            return 0;
        }
    }
    return -EINVAL;
}

const char *vsw_priority_str(enum vsw_priority p)
{
    return (unsigned)p <= VSW_PRIO_HIGH ? prio_names[p] : "?";
}

static const struct {
    const char *name;
    uint32_t bit;
} prot_names[] = {
    {"mac-nospoof", VSW_PROT_MAC_NOSPOOF},
    {"restricted", VSW_PROT_RESTRICTED},
    {"ip-nospoof", VSW_PROT_IP_NOSPOOF},
};
#define NPROT (sizeof(prot_names) / sizeof(prot_names[0]))

int vsw_protection_parse(const char *s, uint32_t *bits)
{
    uint32_t b = 0;
    const char *p = s;
    size_t i;

    if (strcmp(s, "") == 0 || strcmp(s, "none") == 0) {
        *bits = 0;
        return 0;
    }
    while (*p) {
        size_t n = strcspn(p, ",");

        for (i = 0; i < NPROT; i++)
            if (n == strlen(prot_names[i].name) &&
                strncmp(p, prot_names[i].name, n) == 0)
                break;
        if (i == NPROT)
            return -EINVAL;
        b |= prot_names[i].bit;
        p += n;
        if (*p == ',' && *++p == '\0')
            return -EINVAL;
    }
    *bits = b;
    return 0;
}

void vsw_protection_format(uint32_t bits, char *buf, size_t len)
{
    size_t i, off = 0;

    if (len)
        buf[0] = '\0';
    for (i = 0; i < NPROT && off < len; i++)
        if (bits & prot_names[i].bit)
            off += (size_t)snprintf(buf + off, len - off, "%s%s",
                                    off ? "," : "", prot_names[i].name);
    if (off == 0)
        snprintf(buf, len, "none");
}

int vsw_ipnet_parse(const char *s, struct vsw_ipnet *ip)
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
        if (slash || memcmp(ip->addr, zero, 16) == 0)
            return -EINVAL; /* illumos: no IPv6 prefixes, no :: */
        ip->family = AF_INET6;
        ip->plen = 128;
        return 0;
    }
    if (inet_pton(AF_INET, addr, ip->addr) != 1)
        return -EINVAL;
    if (slash) {
        errno = 0;
        plen = strtoul(slash + 1, &end, 10);
        if (errno || *end || end == slash + 1 || plen < 1 || plen > 32 ||
            !isdigit((unsigned char)slash[1]))
            return -EINVAL;
    }
    if (memcmp(ip->addr, zero, 4) == 0)
        return -EINVAL;
    for (i = (unsigned)plen; i < 32; i++) /* a network address only */
        if (ip->addr[i / 8] & (0x80 >> (i % 8)))
            return -EINVAL;
    ip->family = AF_INET;
    ip->plen = (uint8_t)plen;
    return 0;
}

void vsw_ipnet_format(const struct vsw_ipnet *ip, char *buf, size_t len)
{
    char a[INET6_ADDRSTRLEN] = "?";

    inet_ntop(ip->family == AF_INET ? AF_INET : AF_INET6, ip->addr, a,
              sizeof(a));
    if (ip->family == AF_INET && ip->plen != 32)
        snprintf(buf, len, "%s/%u", a, ip->plen);
    else
        snprintf(buf, len, "%s", a);
}

static bool ipnet_same(const struct vsw_ipnet *a, const struct vsw_ipnet *b)
{
    return a->family == b->family && a->plen == b->plen &&
           memcmp(a->addr, b->addr, 16) == 0;
}

int vsw_ips_parse(const char *s, struct vsw_ipnet *ips, uint8_t *n)
{
    char one[64];
    unsigned k = 0, j;

    if (strcmp(s, "") == 0 || strcmp(s, "none") == 0) {
        *n = 0;
        return 0;
    }
    while (*s) {
        size_t len = strcspn(s, ",");

        if (k == VSW_IPS_MAX)
            return -E2BIG;
        if (len == 0 || len >= sizeof(one))
            return -EINVAL;
        memcpy(one, s, len);
        one[len] = '\0';
        if (vsw_ipnet_parse(one, &ips[k]) < 0)
            return -EINVAL;
        for (j = 0; j < k; j++)
            if (ipnet_same(&ips[j], &ips[k]))
                return -EINVAL;
        k++;
        s += len;
        if (*s == ',' && *++s == '\0')
            return -EINVAL;
    }
    *n = (uint8_t)k;
    return 0;
}

void vsw_ips_format(const struct vsw_ipnet *ips, unsigned n, char *buf,
                    size_t len)
{
    char one[64];
    size_t off = 0;
    unsigned i;

    if (len)
        buf[0] = '\0';
    for (i = 0; i < n && off < len; i++) {
        vsw_ipnet_format(&ips[i], one, sizeof(one));
        off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? "," : "",
                                one);
    }
}

bool vsw_ips_equal(const struct vsw_ipnet *a, unsigned na,
                   const struct vsw_ipnet *b, unsigned nb)
{
    unsigned i;

    if (na != nb)
        return false;
    for (i = 0; i < na; i++)
        if (!ipnet_same(&a[i], &b[i]))
            return false;
    return true;
}

const char *vsw_class_str(enum vsw_class c)
{
    switch (c) {
    case VSW_CLASS_PHYS: return "phys";
    case VSW_CLASS_ETHERSTUB: return "etherstub";
    case VSW_CLASS_VNIC: return "vnic";
    }
    return "?";
}

const char *vsw_drop_str(enum vsw_drop d)
{
    static const char *const names[VSW_DROP__MAX] = {
        [VSW_DROP_POLICER] = "policer",
        [VSW_DROP_NOBUF] = "nobuf",
        [VSW_DROP_SPOOF] = "spoof",
        [VSW_DROP_VIF_ERROR] = "vif-error",
        [VSW_DROP_UNKNOWN_DEST] = "unknown-dest",
    };

    return (unsigned)d < VSW_DROP__MAX ? names[d] : "?";
}
