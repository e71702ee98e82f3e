/* SPDX-License-Identifier: MIT */
/* Text forms of datalink names and property values (vsw/defs.h). */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vsw/defs.h"

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

int vsw_protection_parse(const char *s, uint32_t *bits)
{
    uint32_t b = 0;
    const char *p = s;

    if (strcmp(s, "") == 0 || strcmp(s, "none") == 0) {
        *bits = 0;
        return 0;
    }
    while (*p) {
        size_t n = strcspn(p, ",");

        if (n == strlen("mac-nospoof") && strncmp(p, "mac-nospoof", n) == 0)
            b |= VSW_PROT_MAC_NOSPOOF;
        else
            return -EINVAL;
        p += n;
        if (*p == ',' && *++p == '\0')
            return -EINVAL;
    }
    *bits = b;
    return 0;
}

void vsw_protection_format(uint32_t bits, char *buf, size_t len)
{
    snprintf(buf, len, "%s",
             (bits & VSW_PROT_MAC_NOSPOOF) ? "mac-nospoof" : "none");
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
