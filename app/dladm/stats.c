/* SPDX-License-Identifier: MIT */
/*
 * dladm show-link -s and show-vnic -s: counters like dlstat, once or
 * every -i seconds (each report after the first shows what changed
 * since the one before), plus the switch's drop reasons.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "ofmt.h"

#define STATS_MAX 1024

enum { SF_LINK, SF_IPACKETS, SF_RBYTES, SF_IERRORS, SF_OPACKETS, SF_OBYTES,
       SF_OERRORS, SF_DROP };

static const struct ofmt_field stats_fields[] = {
    {"LINK", 15, SF_LINK},
    {"IPACKETS", 10, SF_IPACKETS},
    {"RBYTES", 8, SF_RBYTES},
    {"IERRORS", 10, SF_IERRORS},
    {"OPACKETS", 12, SF_OPACKETS},
    {"OBYTES", 8, SF_OBYTES},
    {"OERRORS", 8, SF_OERRORS},
    {"POLICER", 8, SF_DROP + VSW_DROP_POLICER},
    {"NOBUF", 6, SF_DROP + VSW_DROP_NOBUF},
    {"SPOOF", 6, SF_DROP + VSW_DROP_SPOOF},
    {"VIFERR", 7, SF_DROP + VSW_DROP_VIF_ERROR},
    {"UNKDEST", 8, SF_DROP + VSW_DROP_UNKNOWN_DEST},
    {NULL, 0, 0},
};

struct prev {
    char name[LP_NAMSIZ];
    struct vsw_stats st;
};

struct stats_state {
    bool vnics;        /* show-vnic: VNICs only */
    const char *over;  /* -l: VNICs over this link */
    struct vsw_vnic_conf *vc; /* the VNICs, for -l */
    unsigned nvc;
    struct prev prev[STATS_MAX];
    unsigned nprev;
    struct ofmt *o;
};

struct stats_row {
    const char *name;
    struct vsw_stats d;
};

static void stats_field(int id, const void *row, char *buf, size_t len)
{
    const struct stats_row *r = row;
    const struct vsw_stats *d = &r->d;
    unsigned long long v = 0;

    switch (id) {
    case SF_LINK: snprintf(buf, len, "%s", r->name); return;
    case SF_IPACKETS: v = d->ipackets; break;
    case SF_RBYTES: v = d->rbytes; break;
    case SF_IERRORS: v = d->ierrors; break;
    case SF_OPACKETS: v = d->opackets; break;
    case SF_OBYTES: v = d->obytes; break;
    case SF_OERRORS: v = d->oerrors; break;
    default: v = d->drops[id - SF_DROP]; break;
    }
    snprintf(buf, len, "%llu", v);
}

static struct prev *prev_of(struct stats_state *s, const char *name)
{
    unsigned i;

    for (i = 0; i < s->nprev; i++)
        if (strcmp(s->prev[i].name, name) == 0)
            return &s->prev[i];
    if (s->nprev == STATS_MAX)
        return NULL;
    memset(&s->prev[s->nprev], 0, sizeof(s->prev[0]));
    snprintf(s->prev[s->nprev].name, LP_NAMSIZ, "%s", name);
    return &s->prev[s->nprev++];
}

static bool over_ok(const struct stats_state *s, const char *name)
{
    unsigned i;

    if (!s->over)
        return true;
    for (i = 0; i < s->nvc; i++)
        if (strcmp(s->vc[i].name, name) == 0)
            return strcmp(s->vc[i].link, s->over) == 0;
    return false;
}

static int stats_print(const char *name, enum vsw_class cls,
                       const struct vsw_stats *st, void *arg)
{
    struct stats_state *s = arg;
    struct stats_row r = {name, {0}};
    struct prev *p;

    if (s->vnics && (cls != VSW_CLASS_VNIC || !over_ok(s, name)))
        return 0;
    p = prev_of(s, name);
    if (p) {
        dl_stats_diff(&r.d, st, &p->st);
        p->st = *st;
    } else {
        r.d = *st;
    }
    ofmt_print(s->o, &r);
    return 0;
}

static int vnic_keep(const struct vsw_vnic_conf *vc, void *arg)
{
    struct stats_state *s = arg;
    struct vsw_vnic_conf *n = realloc(s->vc, (s->nvc + 1) * sizeof(*n));

    if (!n)
        return -1;
    s->vc = n;
    s->vc[s->nvc++] = *vc;
    return 0;
}

void stats_show(const char *fields, bool parsable, unsigned interval,
                bool vnics, const char *link, const char *name)
{
    struct stats_state *s = calloc(1, sizeof(*s));

    if (!s)
        die("insufficient memory");
    s->vnics = vnics;
    s->over = link;
    s->o = ofmt_open(fields,
                     vnics ? "link,ipackets,rbytes,opackets,obytes,policer,"
                             "nobuf,spoof,viferr,unkdest"
                           : "link,ipackets,rbytes,ierrors,opackets,obytes,"
                             "oerrors",
                     stats_fields, parsable, stats_field);
    if (!s->o)
        die("invalid field(s) specified");
    if (link && dl_vnic_walk(handle(), NULL, false, vnic_keep, s) != DL_OK)
        die_hderr("cannot show statistics");
    for (;;) {
        if (dl_stats_walk(handle(), name, stats_print, s) != DL_OK)
            die_hderr("cannot show statistics");
        if (interval == 0)
            break;
        ofmt_flush(s->o);
        fflush(stdout);
        sleep(interval);
    }
    ofmt_close(s->o);
    free(s->vc);
    free(s);
}
