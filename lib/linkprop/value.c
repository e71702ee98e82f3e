/* SPDX-License-Identifier: MIT */
/* VID, maxbw, rate, priority, protection, MTU and key=value items
 * (linkprop/linkprop.h). */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "linkprop/linkprop.h"

/* Decimal digits only, the whole string, at most @max. */
static int parse_dec(const char *s, uint64_t max, uint64_t *v)
{
    uint64_t x = 0;

    if (!isdigit((unsigned char)*s))
        return -EINVAL;
    for (; *s; s++) {
        if (!isdigit((unsigned char)*s))
            return -EINVAL;
        if (x <= max)
            x = x * 10 + (uint64_t)(*s - '0');
    }
    if (x > max)
        return -ERANGE;
    *v = x;
    return 0;
}

int lp_vid_parse(const char *s, uint16_t *vid)
{
    uint64_t v;
    int rc = parse_dec(s, LP_VID_MAX, &v);

    if (rc == 0)
        *vid = (uint16_t)v;
    return rc;
}

int lp_mtu_parse(const char *s, uint16_t *mtu)
{
    uint64_t v;
    int rc = parse_dec(s, LP_MTU_MAX, &v);

    if (rc == 0 && v < LP_MTU_MIN)
        rc = -ERANGE;
    if (rc == 0)
        *mtu = (uint16_t)v;
    return rc;
}

uint16_t lp_vnic_mtu(uint16_t mtu, uint16_t link_mtu)
{
    if (mtu)
        return mtu;
    if (!link_mtu)
        return LP_MTU_DEFAULT;
    if (link_mtu > LP_MTU_MAX)
        return LP_MTU_MAX;
    return link_mtu < LP_MTU_MIN ? LP_MTU_MIN : link_mtu;
}

int lp_cpu_parse(const char *s, uint16_t *cpu)
{
    uint64_t v;
    int rc = parse_dec(s, LP_CPU_MAX, &v);

    if (rc == 0)
        *cpu = (uint16_t)v;
    return rc;
}

void lp_cpus_format(const uint16_t *cpus, unsigned n, char *buf, size_t len)
{
    size_t used = 0;
    unsigned i = 0, end;
    char one[16];
    int w;

    if (len)
        buf[0] = '\0';
    while (i < n) {
        for (end = i; end + 1 < n && cpus[end + 1] == cpus[end] + 1;)
            end++;
        w = end == i ? snprintf(one, sizeof(one), "%s%u", used ? "," : "",
                                cpus[i])
                     : snprintf(one, sizeof(one), "%s%u-%u", used ? "," : "",
                                cpus[i], cpus[end]);
        /* room for it and for a last ",..." */
        if (w < 0 || used + (size_t)w + 5 > len) {
            if (len > used)
                snprintf(buf + used, len - used, "%s...", used ? "," : "");
            return;
        }
        memcpy(buf + used, one, (size_t)w + 1);
        used += (size_t)w;
        i = end + 1;
    }
}

/* The fraction after '.', as @frac / @div; at most 9 digits. */
static int maxbw_fraction(const char **pp, uint64_t *frac, uint64_t *div)
{
    const char *p = *pp;

    if (!isdigit((unsigned char)*p))
        return -EINVAL;
    for (; isdigit((unsigned char)*p); p++) {
        if (*div >= 1000000000ull)
            return -EDOM; /* finer than a bit even at K */
        *frac = *frac * 10 + (uint64_t)(*p - '0');
        *div *= 10;
    }
    *pp = p;
    return 0;
}

int lp_maxbw_parse(const char *s, uint64_t *bps)
{
    uint64_t whole = 0, frac = 0, scale = 1000000, div = 1, v;
    const char *p = s;
    bool big = false;
    int rc;

    if (!isdigit((unsigned char)*p))
        return -EINVAL;
    for (; isdigit((unsigned char)*p); p++) {
        if (whole > LP_MAXBW_MAX)
            big = true;
        else
            whole = whole * 10 + (uint64_t)(*p - '0');
    }
    if (*p == '.') {
        p++;
        rc = maxbw_fraction(&p, &frac, &div);
        if (rc < 0)
            return rc;
    }
    switch (*p) {
    case 'K': case 'k': scale = 1000; p++; break;
    case 'M': case 'm': scale = 1000000; p++; break;
    case 'G': case 'g': scale = 1000000000; p++; break;
    default: break;
    }
    if (*p != '\0')
        return -EINVAL;
    if (big || whole > LP_MAXBW_MAX / scale)
        return -EOVERFLOW;
    if ((frac * scale) % div)
        return -EDOM; /* finer than a bit */
    v = whole * scale + frac * scale / div;
    if (v > LP_MAXBW_MAX)
        return -EOVERFLOW;
    if (v < LP_MAXBW_MIN)
        return -ERANGE;
    *bps = v;
    return 0;
}

const char *lp_maxbw_why(int rc)
{
    switch (rc) {
    case -EDOM:
        return "finer than one bit/s (a rate is a whole number of bits a "
               "second: 1.2M, 1.000001M)";
    case -ERANGE:
        return "below the minimum, 1200K";
    case -EOVERFLOW:
        return "above the maximum, 1000G";
    default:
        return "not a rate (a number with K, M or G, M without one: 100M, "
               "1.5G)";
    }
}

void lp_maxbw_format(uint64_t bps, char *buf, size_t len)
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

int lp_rate_parse(const char *s, uint64_t *bytes, uint64_t *usecs)
{
    const char *comma = strchr(s, ',');
    char b[24];
    uint64_t nb, nu;

    if (!comma || (size_t)(comma - s) >= sizeof(b))
        return -EINVAL;
    memcpy(b, s, (size_t)(comma - s));
    b[comma - s] = '\0';
    if (parse_dec(b, LP_RATE_BYTES_MAX, &nb) < 0 ||
        parse_dec(comma + 1, UINT32_MAX, &nu) < 0 || (nu == 0 && nb != 0))
        return -EINVAL;
    *bytes = nb;
    *usecs = nu;
    return 0;
}

void lp_rate_format(uint64_t bps, char *buf, size_t len)
{
    /* bytes per LP_RATE_USECS: bps / 8 * usecs / 10^6, rounded up so a
     * limit never shrinks on its way through xenstore. */
    uint64_t bytes = (bps * (LP_RATE_USECS / 1000) + 8000 - 1) / 8000;

    if (bps == LP_MAXBW_NONE)
        snprintf(buf, len, "%s", "");
    else
        snprintf(buf, len, "%llu,%u", (unsigned long long)bytes,
                 LP_RATE_USECS);
}

uint64_t lp_rate_to_maxbw(uint64_t bytes, uint64_t usecs)
{
    uint64_t bps;

    if (!usecs || !bytes)
        return LP_MAXBW_NONE;
    bps = bytes * 8 * 1000000ull / usecs;
    if (bps < LP_MAXBW_MIN)
        return LP_MAXBW_MIN;
    return bps > LP_MAXBW_MAX ? LP_MAXBW_MAX : bps;
}

static const char *const prio_names[] = {"low", "medium", "high"};

int lp_priority_parse(const char *s, enum lp_priority *p)
{
    int i;

    for (i = 0; i <= LP_PRIO_HIGH; i++) {
        if (strcmp(s, prio_names[i]) == 0) {
            *p = (enum lp_priority)i;
            return 0;
        }
    }
    return -EINVAL;
}

const char *lp_priority_str(enum lp_priority p)
{
    return (unsigned)p <= LP_PRIO_HIGH ? prio_names[p] : "?";
}

static const struct {
    const char *name;
    uint32_t bit;
} prot_names[] = {
    {"mac-nospoof", LP_PROT_MAC_NOSPOOF},
    {"restricted", LP_PROT_RESTRICTED},
    {"ip-nospoof", LP_PROT_IP_NOSPOOF},
};
#define NPROT (sizeof(prot_names) / sizeof(prot_names[0]))

int lp_protection_parse(const char *s, uint32_t *bits)
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

void lp_protection_format(uint32_t bits, char *buf, size_t len)
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

int lp_kv_next(char **s, const char *seps, char **key, char **val)
{
    char *p = *s + strspn(*s, seps), *end, *eq;

    if (*p == '\0') {
        *s = p;
        return 0;
    }
    end = p + strcspn(p, seps);
    if (*end)
        *end++ = '\0';
    *s = end;
    *key = p;
    eq = strchr(p, '=');
    if (!eq || eq == p)
        return -EINVAL;
    *eq = '\0';
    *val = eq + 1;
    return 1;
}
