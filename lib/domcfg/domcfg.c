/* SPDX-License-Identifier: MIT */
/* Domain config files: an xl-style `key = value` parser. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domcfg/domcfg.h"
#include "linkprop/linkprop.h"
#include "netif/netif.h"

enum tok_kind {
    TOK_EOF,
    TOK_EOL, /* newline or ';' */
    TOK_WORD,
    TOK_NUMBER,
    TOK_STRING,
    TOK_EQ,
    TOK_LBRACK,
    TOK_RBRACK,
    TOK_COMMA,
};

struct tok {
    enum tok_kind kind;
    const char *s; /* for WORD, NUMBER, STRING: the text (no quotes) */
    size_t len;
    int line;
};

struct parser {
    const char *p, *end;
    int line;
    const char *fname;
    char *err;
    size_t errlen;
    int seen_line[9]; /* line where each key was set, 0: not yet */
};

/* Keys, in the order of parser.seen_line. */
enum key {
    KEY_NAME,
    KEY_TYPE,
    KEY_MEMORY,
    KEY_VCPUS,
    KEY_UUID,
    KEY_VIF,
    KEY_INIT,
    KEY_KERNEL,
    KEY_XENSTORE,
    KEY_LAST_ = KEY_XENSTORE,
};
_Static_assert(KEY_LAST_ + 1 == sizeof(((struct parser *)0)->seen_line) /
                                  sizeof(int),
               "one seen_line per key");
static const char *const key_names[] = {"name", "type", "memory", "vcpus",
                                        "uuid", "vif",  "init", "kernel",
                                        "xenstore"};

__attribute__((format(printf, 4, 5))) static int
cfg_error(struct parser *ps, int line, const char *key, const char *fmt, ...)
{
    char msg[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (ps->errlen) {
        if (key)
            snprintf(ps->err, ps->errlen, "%s:%d: %s: %s", ps->fname, line,
                     key, msg);
        else
            snprintf(ps->err, ps->errlen, "%s:%d: %s", ps->fname, line, msg);
    }
    return -EINVAL;
}

static int is_word_char(int c)
{
    return isalnum(c) || c == '_' || c == '.' || c == '-';
}

/* A string starting at @p (after its opening quote), on one line. */
static int tok_string(struct parser *ps, const char *p, struct tok *t)
{
    const char *q = p;

    while (q < ps->end && *q != '"' && *q != '\n' && *q != '\0')
        q++;
    if (q >= ps->end || *q != '"')
        return cfg_error(ps, ps->line, NULL, "unterminated string");
    t->kind = TOK_STRING;
    t->s = p;
    t->len = (size_t)(q - p);
    ps->p = q + 1;
    return 0;
}

/* Next token.  Newlines inside lists are the caller's to skip. */
static int tok_next(struct parser *ps, struct tok *t)
{
    const char *p = ps->p;

    while (p < ps->end) {
        if (*p == ' ' || *p == '\t' || *p == '\r') {
            p++;
        } else if (*p == '#') {
            while (p < ps->end && *p != '\n')
                p++;
        } else {
            break;
        }
    }
    t->line = ps->line;
    t->s = p;
    t->len = 0;
    if (p >= ps->end) {
        t->kind = TOK_EOF;
        ps->p = p;
        return 0;
    }
    switch (*p) {
    case '\n':
        ps->line++;
        /* fall through */
    case ';':
        t->kind = TOK_EOL;
        ps->p = p + 1;
        return 0;
    case '=':
        t->kind = TOK_EQ;
        ps->p = p + 1;
        return 0;
    case '[':
        t->kind = TOK_LBRACK;
        ps->p = p + 1;
        return 0;
    case ']':
        t->kind = TOK_RBRACK;
        ps->p = p + 1;
        return 0;
    case ',':
        t->kind = TOK_COMMA;
        ps->p = p + 1;
        return 0;
    case '"':
        return tok_string(ps, p + 1, t);
    case '\'':
        return cfg_error(ps, ps->line, NULL,
                         "strings are written in double quotes");
    }
    if (is_word_char((unsigned char)*p)) {
        const char *q = p;
        int digits = 1;

        while (q < ps->end && is_word_char((unsigned char)*q)) {
            if (!isdigit((unsigned char)*q))
                digits = 0;
            q++;
        }
        t->kind = digits ? TOK_NUMBER : TOK_WORD;
        t->len = (size_t)(q - p);
        ps->p = q;
        return 0;
    }
    if (isprint((unsigned char)*p))
        return cfg_error(ps, ps->line, NULL, "unexpected character '%c'", *p);
    return cfg_error(ps, ps->line, NULL, "unexpected byte 0x%02x",
                     (unsigned char)*p);
}

int xvm_domcfg_name_ok(const char *name)
{
    size_t n = 0;

    for (; name[n]; n++)
        if (!is_word_char((unsigned char)name[n]) ||
            n >= XVM_DOMCFG_NAME_MAX)
            return 0;
    return n > 0;
}

int xvm_domcfg_name_plain(const char *name)
{
    uint8_t uuid[16];
    size_t n = strspn(name, "0123456789");

    return name[n] != '\0' && xvm_uuid_parse(name, uuid) < 0;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

int xvm_uuid_parse(const char *s, uint8_t uuid[16])
{
    unsigned i, j = 0;

    if (strlen(s) != 36)
        return -EINVAL;
    for (i = 0; i < 36;) {
        int hi, lo;

        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i++] != '-')
                return -EINVAL;
            continue;
        }
        hi = hexval((unsigned char)s[i]);
        lo = hexval((unsigned char)s[i + 1]);
        if (hi < 0 || lo < 0)
            return -EINVAL;
        uuid[j++] = (uint8_t)(hi << 4 | lo);
        i += 2;
    }
    return 0;
}

void xvm_uuid_format(const uint8_t u[16], char buf[37])
{
    snprintf(buf, 37,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
             "%02x%02x%02x%02x%02x%02x",
             u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
             u[10], u[11], u[12], u[13], u[14], u[15]);
}

const char *xvm_domtype_str(enum xvm_domtype type)
{
    return type == XVM_DOMTYPE_KVM ? "kvm" : "process";
}

/* Decimal digits of @s (@len bytes) into *@v, at most @max. */
static int parse_uint(const char *s, size_t len, uint64_t max, uint64_t *v)
{
    uint64_t x = 0;
    size_t i;

    if (len == 0)
        return -EINVAL;
    for (i = 0; i < len; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -EINVAL;
        if (x > (UINT64_MAX - 9) / 10)
            return -ERANGE;
        x = x * 10 + (uint64_t)(s[i] - '0');
    }
    *v = x;
    return x > max ? -ERANGE : 0;
}

static int vif_maxbw(struct parser *ps, int line, const char *v,
                     struct xvm_vifcfg *vif)
{
    int rc = lp_maxbw_parse(v, &vif->maxbw);

    if (rc == -EINVAL || rc == -EDOM)
        return cfg_error(ps, line, "vif", "maxbw \"%s\": %s", v,
                         lp_maxbw_why(rc));
    if (rc < 0)
        return cfg_error(ps, line, "vif",
                         "maxbw %s out of range (1200K-1000G)", v);
    return 0;
}

static int vif_mac(struct parser *ps, int line, const char *v,
                   struct xvm_vifcfg *vif)
{
    if (strcmp(v, "auto") == 0) {
        vif->mac_kind = XVM_MAC_AUTO;
        return 0;
    }
    if (strcmp(v, "random") == 0) {
        vif->mac_kind = XVM_MAC_RANDOM;
        return 0;
    }
    if (lp_mac_parse(v, vif->mac) < 0)
        return cfg_error(ps, line, "vif",
                         "mac \"%s\": expected auto, random or "
                         "xx:xx:xx:xx:xx:xx",
                         v);
    if (vif->mac[0] & 1)
        return cfg_error(ps, line, "vif", "mac %s is a multicast address",
                         v);
    if (!lp_mac_valid(vif->mac))
        return cfg_error(ps, line, "vif", "mac %s is not a usable address",
                         v);
    vif->mac_kind = XVM_MAC_FIXED;
    return 0;
}

/* Digits of @s into *@v (at most @max); *@s moves past them.  @return 0,
 * -EINVAL (no digit) or -ERANGE. */
static int digits(const char **s, uint64_t max, uint64_t *v)
{
    const char *p = *s;
    uint64_t x = 0;

    if (!isdigit((unsigned char)*p))
        return -EINVAL;
    for (; isdigit((unsigned char)*p); p++) {
        if (x > (max - (uint64_t)(*p - '0')) / 10)
            return -ERANGE;
        x = x * 10 + (uint64_t)(*p - '0');
    }
    *s = p;
    *v = x;
    return 0;
}

/*
 * xl's rate: RATE/s[@INTERVAL], RATE a number (1..2^32-1) with an
 * optional G, M or K (powers of 1000) and B (bytes) or b (bits), INTERVAL
 * a number with s, ms or us (xl's default 50ms).  As xl, the bytes per
 * interval must be 1..2^32-1.  The switch's maxbw is a rate: the interval
 * is checked and not kept.
 */
static int vif_rate(struct parser *ps, int line, const char *v,
                    struct xvm_vifcfg *vif)
{
    static const char what[] = "expected RATE/s[@INTERVAL] as xl writes "
                               "it, e.g. 10Mb/s or 1MB/s@20ms";
    const char *p = v;
    uint64_t n, mult = 1, usecs = 50000, per;
    unsigned __int128 bps;

    if (digits(&p, UINT32_MAX, &n) < 0 || n == 0)
        return cfg_error(ps, line, "vif", "rate \"%s\": %s", v, what);
    if (*p == 'G' || *p == 'M' || *p == 'K') {
        mult = *p == 'G' ? 1000000000ull : *p == 'M' ? 1000000ull : 1000ull;
        p++;
    }
    if ((*p != 'B' && *p != 'b') || strncmp(p + 1, "/s", 2) != 0)
        return cfg_error(ps, line, "vif", "rate \"%s\": %s", v, what);
    bps = (unsigned __int128)n * mult * (*p == 'B' ? 8 : 1);
    p += 3;
    if (*p == '@') {
        p++;
        if (digits(&p, UINT32_MAX, &usecs) < 0)
            return cfg_error(ps, line, "vif", "rate \"%s\": %s", v, what);
        if (strcmp(p, "s") == 0)
            usecs *= 1000000;
        else if (strcmp(p, "ms") == 0)
            usecs *= 1000;
        else if (strcmp(p, "us") != 0)
            return cfg_error(ps, line, "vif", "rate \"%s\": %s", v, what);
        p += strlen(p);
        if (usecs == 0 || usecs > UINT32_MAX)
            return cfg_error(ps, line, "vif", "rate \"%s\": the interval "
                             "must be 1us to 4294967295us", v);
    }
    if (*p)
        return cfg_error(ps, line, "vif", "rate \"%s\": %s", v, what);
    if (bps < LP_MAXBW_MIN || bps > LP_MAXBW_MAX)
        return cfg_error(ps, line, "vif", "rate \"%s\": %s bit/s, which "
                         "maxbw cannot express (1200K-1000G)", v,
                         bps < LP_MAXBW_MIN ? "below 1200K" : "above 1000G");
    per = (uint64_t)(bps / 8 * usecs / 1000000u);
    if (per == 0 || per > UINT32_MAX)
        return cfg_error(ps, line, "vif", "rate \"%s\": %s byte per "
                         "interval, out of xl's range (1-4294967295)", v,
                         per ? "more than 4294967295" : "less than one");
    vif->maxbw = (uint64_t)bps;
    return 0;
}

/* vnic or vifname: a datalink name. */
static int vif_name(struct parser *ps, int line, const char *k,
                    const char *v, char *dst)
{
    int rc = lp_name_check(v);

    if (rc == -ENAMETOOLONG)
        return cfg_error(ps, line, "vif", "%s \"%s\": longer than %d "
                         "characters", k, v, LP_NAMSIZ - 1);
    if (rc < 0)
        return cfg_error(ps, line, "vif", "%s \"%s\" is not a valid "
                         "link name", k, v);
    strcpy(dst, v);
    return 0;
}

/* protection or allowed-ips: a list separated by spaces (commas separate
 * the vif's items), as dladm's comma list. */
static int vif_list_item(struct parser *ps, int line, const char *k,
                         const char *v, struct xvm_vifcfg *vif)
{
    char list[LP_IPS_STRLEN], *p;
    int rc;

    if (strlen(v) >= sizeof(list))
        return cfg_error(ps, line, "vif", "%s: too long", k);
    strcpy(list, v);
    for (p = list; *p; p++)
        if (*p == ' ')
            *p = ',';
    if (strcmp(k, "protection") == 0) {
        rc = lp_protection_parse(list, &vif->protection);
        if (rc < 0)
            return cfg_error(ps, line, "vif", "protection \"%s\": expected "
                             "mac-nospoof, restricted or ip-nospoof", v);
        return 0;
    }
    rc = lp_ips_parse(list, vif->ips, &vif->nips);
    if (rc < 0) {
        char why[160];

        lp_ips_why(list, rc, why, sizeof(why));
        return cfg_error(ps, line, "vif", "allowed-ips \"%s\": %s", v, why);
    }
    return 0;
}

/* cpus: CPU numbers separated by spaces, at most one a queue. */
static int vif_cpus(struct parser *ps, int line, const char *v,
                    struct xvm_vifcfg *vif)
{
    char list[64], *save = NULL, *c;
    uint8_t n = 0;

    if (strlen(v) >= sizeof(list))
        return cfg_error(ps, line, "vif", "cpus: too long");
    strcpy(list, v);
    for (c = strtok_r(list, " ", &save); c; c = strtok_r(NULL, " ", &save)) {
        if (n == NETIF_QUEUES_MAX)
            return cfg_error(ps, line, "vif", "cpus: more than %u (one a "
                             "queue)", NETIF_QUEUES_MAX);
        if (lp_cpu_parse(c, &vif->cpus[n]) < 0)
            return cfg_error(ps, line, "vif", "cpus \"%s\": expected CPU "
                             "numbers (0-%d) separated by spaces", v,
                             LP_CPU_MAX);
        n++;
    }
    if (n == 0)
        return cfg_error(ps, line, "vif", "cpus: no CPU given");
    vif->ncpus = n;
    return 0;
}

/* One `key=value` of a vif string. */
static int vif_item(struct parser *ps, int line, const char *k,
                    const char *v, struct xvm_vifcfg *vif)
{
    int rc;

    if (strcmp(k, "link") == 0 || strcmp(k, "bridge") == 0) {
        /* A datalink's name, or a host NIC's (a link of its own). */
        if (lp_name_check(v) < 0 && lp_ifname_check(v) < 0)
            return cfg_error(ps, line, "vif",
                             "%s \"%s\" is not a valid link name", k, v);
        strcpy(vif->link, v);
        return 0;
    }
    if (strcmp(k, "vlan") == 0) {
        rc = lp_vid_parse(v, &vif->vlan);
        if (rc == -EINVAL)
            return cfg_error(ps, line, "vif", "vlan \"%s\" is not a number",
                             v);
        if (rc < 0 || vif->vlan == LP_VID_NONE)
            return cfg_error(ps, line, "vif",
                             "vlan %s out of range (1-4094)", v);
        return 0;
    }
    if (strcmp(k, "maxbw") == 0)
        return vif_maxbw(ps, line, v, vif);
    if (strcmp(k, "rate") == 0)
        return vif_rate(ps, line, v, vif);
    if (strcmp(k, "vnic") == 0)
        return vif_name(ps, line, k, v, vif->vnic);
    if (strcmp(k, "vifname") == 0)
        return vif_name(ps, line, k, v, vif->vifname);
    if (strcmp(k, "mac") == 0)
        return vif_mac(ps, line, v, vif);
    if (strcmp(k, "priority") == 0) {
        if (lp_priority_parse(v, &vif->priority) < 0)
            return cfg_error(ps, line, "vif",
                             "priority \"%s\": expected low, medium or high",
                             v);
        return 0;
    }
    if (strcmp(k, "protection") == 0 || strcmp(k, "allowed-ips") == 0)
        return vif_list_item(ps, line, k, v, vif);
    if (strcmp(k, "queues") == 0) {
        uint64_t n;

        if (parse_uint(v, strlen(v), NETIF_QUEUES_MAX, &n) < 0 || n < 1)
            return cfg_error(ps, line, "vif", "queues \"%s\": expected 1 "
                             "to %u", v, NETIF_QUEUES_MAX);
        vif->queues = (uint8_t)n;
        return 0;
    }
    if (strcmp(k, "cpus") == 0)
        return vif_cpus(ps, line, v, vif);
    if (strcmp(k, "mtu") == 0) {
        if (lp_mtu_parse(v, &vif->mtu) < 0)
            return cfg_error(ps, line, "vif", "mtu \"%s\" out of range "
                             "(%d-%d)", v, LP_MTU_MIN, LP_MTU_MAX);
        return 0;
    }
    return cfg_error(ps, line, "vif", "unknown vif key \"%s\"", k);
}

/* "link=phys0,vlan=10,..." */
static int vif_items(struct parser *ps, const struct tok *t,
                     struct xvm_vifcfg *vif, bool whole);

static int vif_parse(struct parser *ps, const struct tok *t,
                     struct xvm_vifcfg *vif)
{
    memset(vif, 0, sizeof(*vif));
    vif->priority = LP_PRIO_DEFAULT;
    return vif_items(ps, t, vif, true);
}

/* The items of a vif string into @vif; @whole: a config's entry (link
 * required), else an update (vlan=0, maxbw=none and mtu=none clear). */
static int vif_items(struct parser *ps, const struct tok *t,
                     struct xvm_vifcfg *vif, bool whole)
{
    /* xl's spellings share the bit of the key they stand for. */
    static const struct {
        const char *name;
        unsigned bit;
    } keys[] = {{"link", 0},     {"vlan", 1},     {"maxbw", 2},
                {"mac", 3},      {"priority", 4}, {"protection", 5},
                {"allowed-ips", 6}, {"mtu", 7},   {"vnic", 8},
                {"vifname", 9},  {"queues", 10},  {"cpus", 11},
                {"bridge", 0},   {"rate", 2}};
    enum { NKEYS = sizeof(keys) / sizeof(keys[0]), VNIC_BIT = 8,
           QUEUES_BIT = 10, CPUS_BIT = 11 };
    char buf[LP_IPS_STRLEN + 256], *rest = buf, *k, *v;
    unsigned seen = 0, i, bit;
    int rc;

    if (t->len >= sizeof(buf))
        return cfg_error(ps, t->line, "vif", "vif string too long");
    memcpy(buf, t->s, t->len);
    buf[t->len] = '\0';
    while ((rc = lp_kv_next(&rest, ",", &k, &v)) != 0) {
        k += rc > 0 ? strspn(k, " ") : 0;
        if (rc < 0 || *k == '\0' || *v == '\0')
            return cfg_error(ps, t->line, "vif",
                             "\"%s\": expected key=value", k);
        for (i = 0; i < NKEYS && strcmp(keys[i].name, k) != 0; i++)
            ;
        bit = i < NKEYS ? keys[i].bit : 31;
        if (i < NKEYS && (seen & (1u << bit)))
            return cfg_error(ps, t->line, "vif", "%s given twice%s", k,
                             bit == 0   ? " (bridge is xl's link)"
                             : bit == 2 ? " (rate is xl's maxbw)"
                                        : "");
        seen |= 1u << bit;
        if (!whole && strcmp(k, "vlan") == 0 && strcmp(v, "0") == 0)
            vif->vlan = LP_VID_NONE;
        else if (!whole && strcmp(k, "maxbw") == 0 && strcmp(v, "none") == 0)
            vif->maxbw = LP_MAXBW_NONE;
        else if (!whole && strcmp(k, "mtu") == 0 && strcmp(v, "none") == 0)
            vif->mtu = 0; /* the link's (lp_vnic_mtu()) */
        else if ((rc = vif_item(ps, t->line, k, v, vif)) < 0)
            return rc;
    }
    /* The queues and their CPUs are the guest's side: a borrowed VNIC
     * takes them too. */
    if (vif->vnic[0] &&
        (seen & ~(1u << VNIC_BIT | 1u << QUEUES_BIT | 1u << CPUS_BIT)))
        return cfg_error(ps, t->line, "vif", "vnic=%s comes alone: the "
                         "VNIC keeps its own link, MAC and properties",
                         vif->vnic);
    if (whole && !(seen & 1) && !vif->vnic[0])
        return cfg_error(ps, t->line, "vif", "link missing");
    return 0;
}

int xvm_vifcfg_update(struct xvm_vifcfg *vif, const char *spec, size_t len,
                      char *err, size_t errlen)
{
    struct parser ps = {.fname = "vif", .err = err, .errlen = errlen};
    struct tok t = {.kind = TOK_STRING, .s = spec, .len = len, .line = 1};
    struct xvm_vifcfg v = *vif;
    int rc = vif_items(&ps, &t, &v, false);
    static const char prefix[] = "vif:1: vif: ";

    if (rc == 0)
        *vif = v;
    else if (errlen && strncmp(err, prefix, sizeof(prefix) - 1) == 0)
        memmove(err, err + sizeof(prefix) - 1,
                strlen(err) - (sizeof(prefix) - 1) + 1);
    return rc;
}

/* The new vif (cfg->vifs[cfg->nr_vifs]) names no VNIC an earlier one
 * names, by vnic= or vifname=. */
static int vif_unique(struct parser *ps, int line,
                      const struct xvm_domcfg *cfg)
{
    const struct xvm_vifcfg *nv = &cfg->vifs[cfg->nr_vifs];
    const char *name = nv->vnic[0] ? nv->vnic : nv->vifname;
    unsigned i;

    if (!name[0])
        return 0;
    for (i = 0; i < cfg->nr_vifs; i++) {
        const struct xvm_vifcfg *o = &cfg->vifs[i];

        if (strcmp(o->vnic, name) == 0 || strcmp(o->vifname, name) == 0)
            return cfg_error(ps, line, "vif", "%s=%s: vif %u names that "
                             "VNIC already", nv->vnic[0] ? "vnic" : "vifname",
                             name, i);
    }
    return 0;
}

/*
 * After `<key> =` whose value opened with @open: [ "...", ... ], newlines
 * allowed inside; @item takes each string in turn.
 */
static int str_list(struct parser *ps, const struct tok *open,
                    const char *key,
                    int (*item)(struct parser *ps, const struct tok *t,
                                void *arg),
                    void *arg)
{
    struct tok t;
    int rc, want_item = 1;

    for (;;) {
        rc = tok_next(ps, &t);
        if (rc < 0)
            return rc;
        if (t.kind == TOK_EOL)
            continue;
        if (t.kind == TOK_EOF)
            return cfg_error(ps, open->line, key, "unterminated list");
        if (t.kind == TOK_RBRACK)
            return 0;
        if (t.kind == TOK_COMMA && !want_item) {
            want_item = 1;
            continue;
        }
        if (t.kind != TOK_STRING || !want_item)
            return cfg_error(ps, t.line, key,
                             want_item ? "expected a string in double quotes"
                                       : "expected ',' or ']'");
        rc = item(ps, &t, arg);
        if (rc < 0)
            return rc;
        want_item = 0;
    }
}

/* One vif entry of the list. */
static int vif_one(struct parser *ps, const struct tok *t, void *arg)
{
    struct xvm_domcfg *cfg = arg;
    int rc;

    if (cfg->nr_vifs == XVM_DOMCFG_VIFS_MAX)
        return cfg_error(ps, t->line, "vif", "more than %d vifs",
                         XVM_DOMCFG_VIFS_MAX);
    rc = vif_parse(ps, t, &cfg->vifs[cfg->nr_vifs]);
    if (rc == 0)
        rc = vif_unique(ps, t->line, cfg);
    if (rc == 0)
        cfg->nr_vifs++;
    return rc;
}

/* After `vif =`: [ "..." , ... ] with newlines allowed inside. */
static int vif_list(struct parser *ps, const struct tok *open,
                    struct xvm_domcfg *cfg)
{
    if (open->kind != TOK_LBRACK)
        return cfg_error(ps, open->line, "vif",
                         "expected a list [ \"...\", ... ]");
    return str_list(ps, open, "vif", vif_one, cfg);
}

/* Append one string of the init command to @cfg->init. */
static int init_add(struct parser *ps, const struct tok *t,
                    struct xvm_domcfg *cfg, size_t *used)
{
    size_t i;

    for (i = 0; i < t->len; i++) {
        unsigned char c = (unsigned char)t->s[i];

        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return cfg_error(ps, t->line, "init",
                             "control character 0x%02x in the command", c);
    }
    if (cfg->init_argc == XVM_DOMCFG_INIT_ARGS_MAX)
        return cfg_error(ps, t->line, "init", "more than %d strings",
                         XVM_DOMCFG_INIT_ARGS_MAX);
    if (t->len + 1 > sizeof(cfg->init) - *used)
        return cfg_error(ps, t->line, "init", "longer than %d bytes",
                         XVM_DOMCFG_INIT_MAX);
    memcpy(cfg->init + *used, t->s, t->len);
    *used += t->len + 1; /* the NUL is there: cfg was zeroed */
    cfg->init_argc++;
    return 0;
}

struct init_arg {
    struct xvm_domcfg *cfg;
    size_t *used;
};

/* One string of an init list: the first is the program's absolute path. */
static int init_item(struct parser *ps, const struct tok *t, void *arg)
{
    struct init_arg *ia = arg;

    if (ia->cfg->init_argc == 0 && (t->len == 0 || t->s[0] != '/'))
        return cfg_error(ps, t->line, "init",
                         "\"%.*s\": the program of a list must be an "
                         "absolute path (a string is run by /bin/sh)",
                         (int)(t->len > 80 ? 80 : t->len), t->s);
    return init_add(ps, t, ia->cfg, ia->used);
}

/*
 * `init = "command line"` (run by /bin/sh -c) or `init = [ "/path",
 * "arg", ... ]` (run as is), newlines allowed inside the list.
 */
static int init_value(struct parser *ps, const struct tok *v,
                      struct xvm_domcfg *cfg)
{
    struct init_arg ia;
    size_t used = 0, i;
    int rc;

    if (v->kind == TOK_STRING) {
        for (i = 0; i < v->len && (v->s[i] == ' ' || v->s[i] == '\t'); i++)
            ;
        if (i == v->len)
            return cfg_error(ps, v->line, "init", "empty command");
        cfg->init_kind = XVM_INIT_SHELL;
        return init_add(ps, v, cfg, &used);
    }
    if (v->kind != TOK_LBRACK)
        return cfg_error(ps, v->line, "init",
                         "expected a command line in double quotes or a "
                         "list [ \"/program\", \"arg\", ... ]");
    cfg->init_kind = XVM_INIT_EXEC;
    ia.cfg = cfg;
    ia.used = &used;
    rc = str_list(ps, v, "init", init_item, &ia);
    if (rc < 0)
        return rc;
    if (cfg->init_argc == 0)
        return cfg_error(ps, v->line, "init", "empty list: expected the "
                         "program and its arguments");
    return 0;
}

int xvm_domcfg_init_argv(const struct xvm_domcfg *cfg, const char **argv,
                         unsigned max)
{
    static const char sh[] = "/bin/sh", dash_c[] = "-c";
    const char *p = cfg->init;
    unsigned i, argc;

    switch (cfg->init_kind) {
    case XVM_INIT_SHELL:
        argc = 3;
        break;
    case XVM_INIT_EXEC:
        argc = cfg->init_argc;
        break;
    default:
        argc = 0;
        break;
    }
    if (max < argc + 1)
        return -E2BIG;
    if (cfg->init_kind == XVM_INIT_SHELL) {
        argv[0] = sh;
        argv[1] = dash_c;
        argv[2] = cfg->init;
    } else {
        for (i = 0; i < argc; i++) {
            argv[i] = p;
            p += strlen(p) + 1;
        }
    }
    argv[argc] = NULL;
    return (int)argc;
}

/* Copy a string token into @buf (@cap bytes) or fail with a message. */
static int want_string(struct parser *ps, const struct tok *t,
                       const char *key, char *buf, size_t cap)
{
    if (t->kind != TOK_STRING)
        return cfg_error(ps, t->line, key,
                         "expected a string in double quotes");
    if (t->len >= cap) {
        buf[0] = '\0';
        return 0; /* too long: the caller's validation rejects "" */
    }
    memcpy(buf, t->s, t->len);
    buf[t->len] = '\0';
    return 0;
}

static int want_number(struct parser *ps, const struct tok *t,
                       const char *key, uint64_t max, const char *unit,
                       uint32_t *out)
{
    uint64_t x;
    int rc;

    if (t->kind != TOK_NUMBER)
        return cfg_error(ps, t->line, key, "expected an integer%s%s",
                         *unit ? " in " : "", unit);
    rc = parse_uint(t->s, t->len, max, &x);
    if (rc < 0 || x == 0)
        return cfg_error(ps, t->line, key, "%.*s out of range (1-%llu%s%s)",
                         (int)t->len, t->s, (unsigned long long)max,
                         *unit ? " " : "", unit);
    *out = (uint32_t)x;
    return 0;
}

/* The first components of a home that a `xenstore` entry may not write:
 * xvmd's own keys and the devices' and toolstack's directories. */
static const char *const xs_reserved[] = {"name",  "domid",   "vm",
                                          "device", "control", "error",
                                          "console", "backend"};

/* Whether @p (@len bytes) is a relative path of safe components; on
 * failure @why says what is wrong. */
static int xs_path_ok(const char *p, size_t len, const char **why)
{
    size_t i, start = 0;

    if (len == 0) {
        *why = "empty path";
        return 0;
    }
    if (len > XVM_DOMCFG_XS_PATH_MAX) {
        *why = "path too long";
        return 0;
    }
    if (p[0] == '/') {
        *why = "the path is relative to the domain's home (no leading '/')";
        return 0;
    }
    for (i = 0; i <= len; i++) {
        size_t clen;

        if (i < len && p[i] != '/') {
            unsigned char c = (unsigned char)p[i];

            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  (c >= '0' && c <= '9') || c == '_' || c == '-' ||
                  c == '.')) {
                *why = "a path component is made of [A-Za-z0-9_.-]";
                return 0;
            }
            continue;
        }
        clen = i - start;
        if (clen == 0 || (clen == 1 && p[start] == '.') ||
            (clen == 2 && p[start] == '.' && p[start + 1] == '.')) {
            *why = "empty, '.' or '..' path component";
            return 0;
        }
        if (start == 0)
            for (size_t k = 0; k < sizeof(xs_reserved) / sizeof(*xs_reserved);
                 k++)
                if (strlen(xs_reserved[k]) == clen &&
                    memcmp(xs_reserved[k], p, clen) == 0) {
                    *why = "under a directory xvmd or the devices own";
                    return 0;
                }
        start = i + 1;
    }
    return 1;
}

/* One "PATH=VALUE" entry of `xenstore = [ ... ]`. */
static int xs_item(struct parser *ps, const struct tok *t, void *arg)
{
    struct xvm_domcfg *cfg = arg;
    const char *eq = memchr(t->s, '=', t->len), *why = NULL, *q;
    size_t plen, vlen, used = 0, i;
    int shown = (int)(t->len > 80 ? 80 : t->len);

    if (cfg->nr_xs == XVM_DOMCFG_XS_MAX)
        return cfg_error(ps, t->line, "xenstore", "more than %d entries",
                         XVM_DOMCFG_XS_MAX);
    if (!eq)
        return cfg_error(ps, t->line, "xenstore",
                         "\"%.*s\": expected \"PATH=VALUE\"", shown, t->s);
    plen = (size_t)(eq - t->s);
    vlen = t->len - plen - 1;
    if (!xs_path_ok(t->s, plen, &why))
        return cfg_error(ps, t->line, "xenstore", "\"%.*s\": %s",
                         (int)(plen > 80 ? 80 : plen), t->s, why);
    if (vlen > XVM_DOMCFG_XS_VALUE_MAX)
        return cfg_error(ps, t->line, "xenstore",
                         "%.*s: value longer than %d bytes", (int)plen, t->s,
                         XVM_DOMCFG_XS_VALUE_MAX);
    for (i = 0; i < vlen; i++) {
        unsigned char c = (unsigned char)eq[1 + i];

        if (c < 0x20 || c == 0x7f)
            return cfg_error(ps, t->line, "xenstore",
                             "%.*s: control character 0x%02x in the value",
                             (int)plen, t->s, c);
    }
    /* The entries so far: refuse the same path twice. */
    for (q = cfg->xs, i = 0; i < cfg->nr_xs; i++) {
        size_t ql = strlen(q);

        if (ql == plen && memcmp(q, t->s, plen) == 0)
            return cfg_error(ps, t->line, "xenstore", "%.*s: given twice",
                             (int)plen, t->s);
        q += ql + 1;
        q += strlen(q) + 1;
    }
    used = (size_t)(q - cfg->xs);
    if (plen + vlen + 2 > sizeof(cfg->xs) - used)
        return cfg_error(ps, t->line, "xenstore", "longer than %d bytes",
                         XVM_DOMCFG_XS_BYTES);
    memcpy(cfg->xs + used, t->s, plen);
    memcpy(cfg->xs + used + plen + 1, eq + 1, vlen);
    cfg->nr_xs++;
    return 0;
}

/* xenstore = [ "PATH=VALUE", ... ] */
static int xs_value(struct parser *ps, const struct tok *v,
                    struct xvm_domcfg *cfg)
{
    if (v->kind != TOK_LBRACK)
        return cfg_error(ps, v->line, "xenstore",
                         "expected a list [ \"PATH=VALUE\", ... ]");
    return str_list(ps, v, "xenstore", xs_item, cfg);
}

/* kernel = "/absolute/path" */
static int kernel_value(struct parser *ps, const struct tok *v,
                        struct xvm_domcfg *cfg)
{
    size_t i;

    if (v->kind != TOK_STRING)
        return cfg_error(ps, v->line, "kernel",
                         "expected a string in double quotes");
    if (v->len == 0 || v->s[0] != '/')
        return cfg_error(ps, v->line, "kernel",
                         "\"%.*s\": expected an absolute path",
                         (int)(v->len > 80 ? 80 : v->len), v->s);
    if (v->len > XVM_DOMCFG_KERNEL_MAX)
        return cfg_error(ps, v->line, "kernel", "longer than %d bytes",
                         XVM_DOMCFG_KERNEL_MAX);
    for (i = 0; i < v->len; i++)
        if ((unsigned char)v->s[i] < 0x20 || v->s[i] == 0x7f)
            return cfg_error(ps, v->line, "kernel",
                             "control character in the path");
    memcpy(cfg->kernel, v->s, v->len);
    cfg->kernel[v->len] = '\0';
    return 0;
}

static int key_value(struct parser *ps, enum key key, const struct tok *v,
                     struct xvm_domcfg *cfg)
{
    const char *kn = key_names[key];
    char buf[128];
    int rc;

    switch (key) {
    case KEY_NAME:
        rc = want_string(ps, v, kn, cfg->name, sizeof(cfg->name));
        if (rc == 0 && !xvm_domcfg_name_ok(cfg->name))
            rc = cfg_error(ps, v->line, kn,
                           "\"%.*s\" is not a valid domain name "
                           "([A-Za-z0-9_.-], 1-63 characters)",
                           (int)(v->len > 80 ? 80 : v->len), v->s);
        return rc;
    case KEY_TYPE:
        rc = want_string(ps, v, kn, buf, sizeof(buf));
        if (rc < 0)
            return rc;
        if (strcmp(buf, "process") == 0)
            cfg->type = XVM_DOMTYPE_PROCESS;
        else if (strcmp(buf, "kvm") == 0)
            cfg->type = XVM_DOMTYPE_KVM;
        else
            return cfg_error(ps, v->line, kn,
                             "\"%s\": expected \"process\" or \"kvm\"", buf);
        return 0;
    case KEY_MEMORY:
        return want_number(ps, v, kn, XVM_DOMCFG_MEMORY_MAX, "MiB",
                           &cfg->memory_mib);
    case KEY_VCPUS:
        return want_number(ps, v, kn, XVM_DOMCFG_VCPUS_MAX, "", &cfg->vcpus);
    case KEY_UUID:
        rc = want_string(ps, v, kn, buf, sizeof(buf));
        if (rc == 0 && xvm_uuid_parse(buf, cfg->uuid) < 0)
            rc = cfg_error(ps, v->line, kn, "\"%s\" is not a UUID", buf);
        cfg->has_uuid = 1;
        return rc;
    case KEY_VIF:
        return vif_list(ps, v, cfg);
    case KEY_INIT:
        return init_value(ps, v, cfg);
    case KEY_KERNEL:
        return kernel_value(ps, v, cfg);
    case KEY_XENSTORE:
        return xs_value(ps, v, cfg);
    }
    return -EINVAL;
}

/* One statement starting at @t: KEY = VALUE end-of-line. */
static int statement(struct parser *ps, const struct tok *t,
                     struct xvm_domcfg *cfg)
{
    struct tok eq, v;
    unsigned k;
    int rc;

    if (t->kind != TOK_WORD)
        return cfg_error(ps, t->line, NULL, "expected a key");
    for (k = 0; k <= KEY_LAST_; k++)
        if (strlen(key_names[k]) == t->len &&
            memcmp(key_names[k], t->s, t->len) == 0)
            break;
    if (k > KEY_LAST_)
        return cfg_error(ps, t->line, NULL, "%.*s: unknown key",
                         (int)(t->len > 64 ? 64 : t->len), t->s);
    if (ps->seen_line[k])
        return cfg_error(ps, t->line, key_names[k],
                         "set twice (first on line %d)", ps->seen_line[k]);
    ps->seen_line[k] = t->line;
    rc = tok_next(ps, &eq);
    if (rc < 0)
        return rc;
    if (eq.kind != TOK_EQ)
        return cfg_error(ps, t->line, key_names[k], "expected '='");
    rc = tok_next(ps, &v);
    if (rc < 0)
        return rc;
    if (v.kind == TOK_EOL || v.kind == TOK_EOF)
        return cfg_error(ps, t->line, key_names[k], "missing value");
    rc = key_value(ps, (enum key)k, &v, cfg);
    if (rc < 0)
        return rc;
    rc = tok_next(ps, &v);
    if (rc < 0)
        return rc;
    if (v.kind != TOK_EOL && v.kind != TOK_EOF)
        return cfg_error(ps, v.line, key_names[k],
                         "unexpected text after the value");
    return 0;
}

int xvm_domcfg_parse(const char *text, size_t len, const char *fname,
                     struct xvm_domcfg *cfg, char *err, size_t errlen)
{
    struct parser ps = {.p = text, .end = text + len, .line = 1,
                        .fname = fname, .err = err, .errlen = errlen};
    struct tok t;
    int rc;

    if (errlen)
        err[0] = '\0';
    if (len > XVM_DOMCFG_TEXT_MAX) {
        cfg_error(&ps, 1, NULL, "file too large (more than %d bytes)",
                  XVM_DOMCFG_TEXT_MAX);
        return -E2BIG;
    }
    memset(cfg, 0, sizeof(*cfg));
    cfg->type = XVM_DOMTYPE_PROCESS;
    cfg->memory_mib = XVM_DOMCFG_MEMORY_DEFAULT;
    cfg->vcpus = 1;
    for (;;) {
        rc = tok_next(&ps, &t);
        if (rc < 0)
            return rc;
        if (t.kind == TOK_EOF)
            break;
        if (t.kind == TOK_EOL)
            continue;
        rc = statement(&ps, &t, cfg);
        if (rc < 0)
            return rc;
    }
    if (!ps.seen_line[KEY_NAME])
        return cfg_error(&ps, ps.line, "name", "required key missing");
    if (cfg->type == XVM_DOMTYPE_KVM && !ps.seen_line[KEY_KERNEL])
        return cfg_error(&ps, ps.line, "kernel", "required key missing: a "
                         "kvm domain boots the kernel it names");
    if (cfg->type != XVM_DOMTYPE_KVM && ps.seen_line[KEY_KERNEL])
        return cfg_error(&ps, ps.seen_line[KEY_KERNEL], "kernel",
                         "only a kvm domain has a kernel (type = \"kvm\")");
    if (cfg->type == XVM_DOMTYPE_KVM)
        for (unsigned i = 0; i < cfg->nr_vifs; i++)
            if (cfg->vifs[i].ncpus)
                return cfg_error(&ps, ps.seen_line[KEY_VIF], "vif",
                                 "cpus: a kvm domain's kernel runs its "
                                 "queues itself; cpus places a process "
                                 "domain's pump threads");
    if (cfg->type == XVM_DOMTYPE_KVM && ps.seen_line[KEY_INIT])
        return cfg_error(&ps, ps.seen_line[KEY_INIT], "init",
                         "only a process domain has an init command");
    return 0;
}

int xvm_domcfg_load(const char *path, struct xvm_domcfg *cfg, char *err,
                    size_t errlen)
{
    char *buf;
    size_t len = 0;
    ssize_t n;
    int fd, rc;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        rc = -errno;
        if (errlen)
            snprintf(err, errlen, "%s: %s", path, strerror(-rc));
        return rc;
    }
    buf = malloc(XVM_DOMCFG_TEXT_MAX + 1);
    if (!buf) {
        rc = -ENOMEM;
        goto out_close;
    }
    while ((n = read(fd, buf + len, XVM_DOMCFG_TEXT_MAX + 1 - len)) > 0) {
        len += (size_t)n;
        if (len == XVM_DOMCFG_TEXT_MAX + 1)
            break;
    }
    if (n < 0) {
        rc = -errno;
        if (errlen)
            snprintf(err, errlen, "%s: %s", path, strerror(-rc));
        goto out_free;
    }
    rc = xvm_domcfg_parse(buf, len, path, cfg, err, errlen);
out_free:
    free(buf);
out_close:
    close(fd);
    return rc;
}
