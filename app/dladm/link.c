/* SPDX-License-Identifier: MIT */
/* dladm show-link, show-phys and rename-link. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cmd.h"
#include "ofmt.h"

#define LINKS_MAX 256

/* Every link, for the VNIC rows that need their link's state. */
struct links {
    struct vsw_link_conf l[LINKS_MAX];
    unsigned n;
};

static int links_keep(const struct vsw_link_conf *lc, void *arg)
{
    struct links *ls = arg;

    if (ls->n < LINKS_MAX)
        ls->l[ls->n++] = *lc;
    return 0;
}

static const struct vsw_link_conf *links_find(const struct links *ls,
                                              const char *name)
{
    unsigned i;

    for (i = 0; i < ls->n; i++)
        if (strcmp(ls->l[i].name, name) == 0)
            return &ls->l[i];
    return NULL;
}

static const char *state_str(enum vsw_link_state st)
{
    return st == VSW_LINK_STATE_UP     ? "up"
           : st == VSW_LINK_STATE_DOWN ? "down"
                                       : "unknown";
}

/* Common options of show-link and show-phys. */
struct link_opts {
    bool parsable, persistent, stats;
    long interval;
    const char *fields, *name;
};

static void link_opts_parse(int argc, char **argv, const char *use,
                            const char *optstr, struct link_opts *lo)
{
    int opt;

    memset(lo, 0, sizeof(*lo));
    lo->interval = -1;
    while ((opt = getopt(argc, argv, optstr)) != -1) {
        switch (opt) {
        case 'p':
            if (lo->parsable)
                die_optdup(opt);
            lo->parsable = true;
            break;
        case 'P':
            if (lo->persistent)
                die_optdup(opt);
            lo->persistent = true;
            break;
        case 's':
            if (lo->stats)
                die_optdup(opt);
            lo->stats = true;
            break;
        case 'i':
            if (lo->interval >= 0)
                die_optdup(opt);
            if (!str2int(optarg, 1, 86400, &lo->interval))
                die("invalid interval value '%s'", optarg);
            break;
        case 'o':
            if (lo->fields)
                die_optdup(opt);
            lo->fields = optarg;
            break;
        default: die_opterr(optopt, opt, use);
        }
    }
    if (lo->interval >= 0 && !lo->stats)
        die("the option -i can be used only with -s");
    if (lo->parsable && !lo->fields)
        die("-p requires -o");
    if (lo->parsable && strcasecmp(lo->fields, "all") == 0)
        die("\"-o all\" is invalid with -p");
    if (lo->stats && lo->persistent)
        die("the option -P cannot be used with -s");
    if (optind == argc - 1)
        lo->name = argv[optind];
    else if (optind != argc)
        usage();
    if (lo->name && !link_class(lo->name, lo->persistent))
        die_dlerr(DL_NOTFOUND, "link %s is not valid", lo->name);
}

/* ---- show-link ---- */

enum { LF_LINK, LF_CLASS, LF_MTU, LF_STATE, LF_BRIDGE, LF_OVER };

static const struct ofmt_field link_fields[] = {
    {"LINK", 12, LF_LINK},
    {"CLASS", 10, LF_CLASS},
    {"MTU", 7, LF_MTU},
    {"STATE", 9, LF_STATE},
    {"BRIDGE", 11, LF_BRIDGE},
    {"OVER", 30, LF_OVER},
    {NULL, 0, 0},
};

/* -P: the configuration, as illumos (no running MTU or state). */
static const struct ofmt_field link_p_fields[] = {
    {"LINK", 12, LF_LINK},
    {"CLASS", 10, LF_CLASS},
    {"BRIDGE", 11, LF_BRIDGE},
    {"OVER", 30, LF_OVER},
    {NULL, 0, 0},
};

/* One row: a link, or a VNIC with its link. */
struct link_row {
    const char *name, *over;
    enum vsw_class cls;
    unsigned mtu;
    enum vsw_link_state state;
};

static void link_field(int id, const void *row, char *buf, size_t len)
{
    const struct link_row *r = row;

    switch (id) {
    case LF_LINK: snprintf(buf, len, "%s", r->name); break;
    case LF_CLASS: snprintf(buf, len, "%s", vsw_class_str(r->cls)); break;
    case LF_MTU: snprintf(buf, len, "%u", r->mtu); break;
    case LF_STATE: snprintf(buf, len, "%s", state_str(r->state)); break;
    case LF_BRIDGE: snprintf(buf, len, "--"); break;
    case LF_OVER: snprintf(buf, len, "%s", r->over); break;
    }
}

struct show_link {
    struct links ls;
    struct ofmt *o;
};

static int link_row_print(const struct vsw_link_conf *lc, void *arg)
{
    struct show_link *s = arg;
    struct link_row r = {lc->name, "--", lc->cls, lc->mtu, lc->state};

    ofmt_print(s->o, &r);
    return 0;
}

static int vnic_row_print(const struct vsw_vnic_conf *vc, void *arg)
{
    struct show_link *s = arg;
    const struct vsw_link_conf *lc = links_find(&s->ls, vc->link);
    struct link_row r = {vc->name, vc->link, VSW_CLASS_VNIC,
                         lp_vnic_mtu(vc->mtu, vc->link_mtu),
                         VSW_LINK_STATE_UNKNOWN};

    /* A VNIC is up when its link is (an etherstub always is). */
    if (lc && (lc->cls == VSW_CLASS_ETHERSTUB || lc->state))
        r.state = lc->cls == VSW_CLASS_ETHERSTUB ? VSW_LINK_STATE_UP
                                                  : lc->state;
    ofmt_print(s->o, &r);
    return 0;
}

void do_show_link(int argc, char **argv, const char *use)
{
    struct show_link *s = calloc(1, sizeof(*s));
    struct link_opts lo;
    enum vsw_class cls = 0;

    if (!s)
        die("insufficient memory");
    link_opts_parse(argc, argv, use, ":pPsi:o:", &lo);
    if (lo.stats) {
        stats_show(lo.fields, lo.parsable,
                   lo.interval < 0 ? 0 : (unsigned)lo.interval, false, NULL,
                   lo.name);
        free(s);
        return;
    }
    s->o = lo.persistent
               ? ofmt_open(lo.fields, "link,class,bridge,over", link_p_fields,
                           lo.parsable, link_field)
               : ofmt_open(lo.fields, "link,class,mtu,state,bridge,over",
                           link_fields, lo.parsable, link_field);
    if (!s->o)
        die("invalid field(s) specified");
    if (lo.name)
        cls = link_class(lo.name, lo.persistent);
    if (dl_link_walk(handle(), NULL, lo.persistent, links_keep, &s->ls) !=
        DL_OK)
        die_hderr("cannot show links");
    if (cls != VSW_CLASS_VNIC &&
        dl_link_walk(handle(), lo.name, lo.persistent, link_row_print, s) !=
            DL_OK)
        die_hderr("cannot show link %s", lo.name);
    if ((!lo.name || cls == VSW_CLASS_VNIC) &&
        dl_vnic_walk(handle(), lo.name, lo.persistent, vnic_row_print, s) !=
            DL_OK)
        die_hderr("cannot show link %s", lo.name ? lo.name : "");
    ofmt_close(s->o);
    free(s);
}

/* ---- show-phys ---- */

enum { PF_LINK, PF_MEDIA, PF_STATE, PF_SPEED, PF_DUPLEX, PF_DEVICE,
       PF_FLAGS, PF_ATTACH, PF_REASON };

/* As illumos: the running links' fields, and -P's (the configuration's:
 * no state, speed or attachment, but FLAGS). */
static const struct ofmt_field phys_fields[] = {
    {"LINK", 13, PF_LINK},
    {"MEDIA", 21, PF_MEDIA},
    {"STATE", 11, PF_STATE},
    {"SPEED", 7, PF_SPEED},
    {"DUPLEX", 10, PF_DUPLEX},
    {"DEVICE", 13, PF_DEVICE},
    {"ATTACH", 10, PF_ATTACH},
    {"REASON", 40, PF_REASON},
    {NULL, 0, 0},
};

static const struct ofmt_field phys_p_fields[] = {
    {"LINK", 13, PF_LINK},
    {"DEVICE", 13, PF_DEVICE},
    {"MEDIA", 21, PF_MEDIA},
    {"FLAGS", 7, PF_FLAGS},
    {NULL, 0, 0},
};

struct phys_row {
    const char *link, *device;
    enum vsw_link_state state;
    uint32_t speed;
    uint8_t duplex;
    const struct vsw_link_conf *lc;
};

static void phys_field(int id, const void *row, char *buf, size_t len)
{
    const struct phys_row *r = row;

    switch (id) {
    case PF_LINK: snprintf(buf, len, "%s", r->link); break;
    case PF_MEDIA: snprintf(buf, len, "Ethernet"); break;
    case PF_STATE: snprintf(buf, len, "%s", state_str(r->state)); break;
    case PF_SPEED: snprintf(buf, len, "%u", r->speed); break;
    case PF_DUPLEX:
        snprintf(buf, len, "%s", r->duplex == 2   ? "full"
                                 : r->duplex == 1 ? "half"
                                                  : "unknown");
        break;
    case PF_DEVICE: snprintf(buf, len, "%s", r->device); break;
    case PF_FLAGS: snprintf(buf, len, "-----"); break;
    /* How the switch holds the wire; a NIC's link with no VNIC running
     * is not attached.  Not known for the persistent configuration. */
    case PF_ATTACH:
        snprintf(buf, len, "%s", r->lc && r->lc->attach
                                     ? vsw_nic_attach_str(r->lc->attach)
                                     : "--");
        break;
    /* Why a NIC's link is not attached through XDP. */
    case PF_REASON:
        snprintf(buf, len, "%s", r->lc && r->lc->attach_why[0]
                                     ? r->lc->attach_why
                                     : "--");
        break;
    }
}

/* The device of a physical link: its host NIC, else the DPDK port's
 * iface=, else the driver instance. */
static void phys_device(const struct vsw_link_conf *lc, char *buf,
                        size_t len)
{
    const char *p = strstr(lc->devargs, "iface=");

    if (lc->ifname[0]) {
        snprintf(buf, len, "%s", lc->ifname);
    } else if (p) {
        p += strlen("iface=");
        snprintf(buf, len, "%.*s", (int)strcspn(p, ","), p);
    } else {
        snprintf(buf, len, "%.*s", (int)strcspn(lc->devargs, ","),
                 lc->devargs);
    }
}

struct show_phys {
    struct ofmt *o;
    const char *name;
};

static int phys_print(const struct vsw_link_conf *lc, void *arg)
{
    struct show_phys *s = arg;
    char dev[VSW_DEVARGSIZ];
    struct phys_row r = {lc->name, dev, lc->state, lc->speed, lc->duplex,
                         lc};

    if (lc->cls != VSW_CLASS_PHYS ||
        (s->name && strcmp(s->name, lc->name) != 0))
        return 0;
    phys_device(lc, dev, sizeof(dev));
    ofmt_print(s->o, &r);
    return 0;
}

/* The physical links: the boot configuration's and dladm's DPDK ports,
 * then every host NIC that is a link of its own (vswitchd lists them). */
void do_show_phys(int argc, char **argv, const char *use)
{
    struct show_phys s = {0};
    struct link_opts lo;

    link_opts_parse(argc, argv, use, ":pPo:", &lo);
    if (lo.name && dl_link_class(handle(), lo.name) != VSW_CLASS_PHYS)
        die_dlerr(DL_BADARG, "failed to show physical link %s", lo.name);
    s.name = lo.name;
    s.o = ofmt_open(lo.fields, lo.persistent ? "link,device,media,flags"
                                             : "link,media,state,speed,"
                                               "duplex,device,attach",
                    lo.persistent ? phys_p_fields : phys_fields,
                    lo.parsable, phys_field);
    if (!s.o)
        die("invalid field(s) specified");
    if (dl_link_walk(handle(), NULL, lo.persistent, phys_print, &s) != DL_OK)
        die_hderr("cannot show physical links");
    ofmt_close(s.o);
}

/* ---- rename-link ---- */

void do_rename_link(int argc, char **argv, const char *use)
{
    const char *from, *to;
    int opt;

    while ((opt = getopt(argc, argv, ":")) != -1)
        die_opterr(optopt, opt, use);
    if (optind != argc - 2)
        usage();
    from = argv[optind];
    to = argv[optind + 1];
    if (!link_class(from, false))
        die_dlerr(link_class(from, true) ? DL_INACTIVE : DL_NOTFOUND,
                  "rename operation failed");
    if (strcmp(from, to) != 0)
        name_new_check(to);
    if ((link_class(to, false) || link_class(to, true)) &&
        strcmp(from, to) != 0)
        die_dlerr(DL_EXIST, "rename operation failed");
    if (dl_link_rename(handle(), from, to) != DL_OK)
        die_hderr("rename operation failed");
}
