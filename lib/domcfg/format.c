/* SPDX-License-Identifier: MIT */
/* Domain config files: the writer, counterpart of the parser (domcfg.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "domcfg/domcfg.h"

struct out {
    char *buf;
    size_t len, off;
    int full;
};

__attribute__((format(printf, 2, 3))) static void put(struct out *o,
                                                      const char *fmt, ...)
{
    va_list ap;
    int n;

    if (o->full)
        return;
    va_start(ap, fmt);
    n = vsnprintf(o->buf + o->off, o->len - o->off, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= o->len - o->off)
        o->full = 1;
    else
        o->off += (size_t)n;
}

char *xvm_vifcfg_cpus_str(const struct xvm_vifcfg *vif, char *buf)
{
    struct out o = {.buf = buf, .len = XVM_VIFCFG_CPUS_STRLEN};
    unsigned i;

    buf[0] = '\0';
    for (i = 0; i < vif->ncpus; i++)
        put(&o, "%s%u", i ? " " : "", vif->cpus[i]);
    return buf;
}

/* The guest's side of a vif: its queues and their CPUs. */
static void vif_format_queues(struct out *o, const struct xvm_vifcfg *v)
{
    char cpus[XVM_VIFCFG_CPUS_STRLEN];

    if (v->queues)
        put(o, ",queues=%u", v->queues);
    if (v->ncpus)
        put(o, ",cpus=%s", xvm_vifcfg_cpus_str(v, cpus));
}

/* One vif as a quoted `key=value,...` string. */
static void vif_format(struct out *o, const struct xvm_vifcfg *v)
{
    char val[LP_MAXBW_STRLEN];

    if (v->vnic[0]) {
        put(o, "\"vnic=%s", v->vnic);
        vif_format_queues(o, v);
        put(o, "\"");
        return;
    }
    put(o, "\"link=%s", v->link);
    if (v->vlan != LP_VID_NONE)
        put(o, ",vlan=%u", v->vlan);
    if (v->maxbw != LP_MAXBW_NONE) {
        lp_maxbw_format(v->maxbw, val, sizeof(val));
        put(o, ",maxbw=%s", val);
    }
    if (v->mac_kind == XVM_MAC_RANDOM) {
        put(o, ",mac=random");
    } else if (v->mac_kind == XVM_MAC_FIXED) {
        lp_mac_format(v->mac, val);
        put(o, ",mac=%s", val);
    }
    put(o, ",priority=%s", lp_priority_str(v->priority));
    if (v->protection) {
        char prot[LP_PROT_STRLEN], *p;

        lp_protection_format(v->protection, prot, sizeof(prot));
        for (p = prot; *p; p++)
            *p = *p == ',' ? ' ' : *p;
        put(o, ",protection=%s", prot);
    }
    if (v->nips) {
        char ips[LP_IPS_STRLEN], *p;

        lp_ips_format(v->ips, v->nips, ips, sizeof(ips));
        for (p = ips; *p; p++)
            *p = *p == ',' ? ' ' : *p;
        put(o, ",allowed-ips=%s", ips);
    }
    if (v->mtu)
        put(o, ",mtu=%u", v->mtu);
    if (v->vifname[0])
        put(o, ",vifname=%s", v->vifname);
    vif_format_queues(o, v);
    put(o, "\"");
}

int xvm_domcfg_format(const struct xvm_domcfg *c, char *buf, size_t len)
{
    struct out o = {.buf = buf, .len = len};
    char uuid[37];
    unsigned i;

    if (len == 0)
        return -E2BIG;
    buf[0] = '\0';
    put(&o, "name = \"%s\"\n", c->name);
    if (c->has_uuid) {
        xvm_uuid_format(c->uuid, uuid);
        put(&o, "uuid = \"%s\"\n", uuid);
    }
    put(&o, "type = \"%s\"\nmemory = %u\nvcpus = %u\n",
        xvm_domtype_str(c->type), c->memory_mib, c->vcpus);
    if (c->kernel[0])
        put(&o, "kernel = \"%s\"\n", c->kernel);
    if (c->init_kind == XVM_INIT_SHELL) {
        put(&o, "init = \"%s\"\n", c->init);
    } else if (c->init_kind == XVM_INIT_EXEC) {
        const char *p = c->init;

        for (i = 0; i < c->init_argc; i++) {
            put(&o, "%s\"%s\"", i ? ", " : "init = [ ", p);
            p += strlen(p) + 1;
        }
        put(&o, " ]\n");
    }
    if (c->nr_xs) {
        const char *p = c->xs;

        for (i = 0; i < c->nr_xs; i++) {
            const char *val = p + strlen(p) + 1;

            put(&o, "%s\"%s=%s\"", i ? ",\n             " : "xenstore = [ ",
                p, val);
            p = val + strlen(val) + 1;
        }
        put(&o, " ]\n");
    }
    for (i = 0; i < c->nr_vifs; i++) {
        put(&o, i ? ",\n        " : "vif = [ ");
        vif_format(&o, &c->vifs[i]);
    }
    if (c->nr_vifs)
        put(&o, " ]\n");
    return o.full ? -E2BIG : (int)o.off;
}
