/* SPDX-License-Identifier: MIT */
/* dladm show-linkprop, set-linkprop and reset-linkprop. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cmd.h"
#include "ofmt.h"
#include "vswctl/nicdev.h"

#define PROPSTR_MAX 2048

enum { PF_LINK, PF_PROPERTY, PF_PERM, PF_VALUE, PF_DEFAULT, PF_POSSIBLE };

static const struct ofmt_field prop_fields[] = {
    {"LINK", 13, PF_LINK},
    {"PROPERTY", 16, PF_PROPERTY},
    {"PERM", 5, PF_PERM},
    {"VALUE", 15, PF_VALUE},
    {"DEFAULT", 15, PF_DEFAULT},
    {"POSSIBLE", 20, PF_POSSIBLE},
    {NULL, 0, 0},
};

struct prop_row {
    const char *link;
    enum vsw_class cls;
    const struct vsw_vnic_conf *vc;
    const struct vsw_link_conf *lc; /* a link that is not a VNIC */
    enum dl_prop_id id;
    bool parsable; /* unset values: "" instead of "--" */
    const char *cpus; /* cpus' POSSIBLE: the workers' CPUs */
};

static void prop_field(int id, const void *row, char *buf, size_t len)
{
    static const enum dl_prop_val which[] = {
        [PF_PERM] = DL_VAL_PERM, [PF_VALUE] = DL_VAL_CURRENT,
        [PF_DEFAULT] = DL_VAL_DEFAULT, [PF_POSSIBLE] = DL_VAL_POSSIBLE};
    const struct prop_row *r = row;

    if (id == PF_LINK) {
        snprintf(buf, len, "%s", r->link);
        return;
    }
    if (id == PF_PROPERTY) {
        snprintf(buf, len, "%s", dl_prop_name(r->id));
        return;
    }
    if (r->lc)
        dl_link_prop_value(r->id, which[id], r->lc, buf, len);
    else
        dl_prop_value(r->id, which[id], r->cls, r->vc, buf, len);
    if (id == PF_POSSIBLE && r->id == DL_PROP_CPUS &&
        (r->lc ? dl_link_prop_settable(r->id, r->lc) : r->vc != NULL))
        snprintf(buf, len, "%s", r->cpus);
    if (!buf[0] && !r->parsable)
        snprintf(buf, len, "--");
}

struct show_prop {
    struct ofmt *o;
    bool parsable, persistent;
    int ids[DL_PROP__MAX];
    int nids;
    char cpus[256]; /* the workers' CPUs, when cpus is shown */
};

static void props_print(struct show_prop *s, const char *link,
                        enum vsw_class cls, const struct vsw_vnic_conf *vc,
                        const struct vsw_link_conf *lc)
{
    struct prop_row r = {link, cls, vc, lc, 0, s->parsable, s->cpus};
    int i;

    for (i = 0; i < s->nids; i++) {
        r.id = (enum dl_prop_id)s->ids[i];
        ofmt_print(s->o, &r);
    }
}

static int link_props(const struct vsw_link_conf *lc, void *arg)
{
    props_print(arg, lc->name, lc->cls, NULL, lc);
    return 0;
}

static int vnic_props(const struct vsw_vnic_conf *vc, void *arg)
{
    props_print(arg, vc->name, VSW_CLASS_VNIC, vc, NULL);
    return 0;
}

/* The properties named by -p (all when none), into s->ids. */
static void prop_select(struct show_prop *s, const char *propstr)
{
    struct dl_proparg args[DL_PROPARGS_MAX];
    int n, i, id;

    if (!propstr[0]) {
        for (i = 0; i < DL_PROP__MAX; i++)
            s->ids[s->nids++] = i;
        return;
    }
    n = dl_proplist_parse(propstr, false, args, DL_PROPARGS_MAX);
    if (n < 0)
        die("invalid link properties specified");
    for (i = 0; i < n && s->nids < DL_PROP__MAX; i++) {
        id = dl_prop_lookup(args[i].name);
        if (id < 0)
            die("invalid link property '%s'", args[i].name);
        s->ids[s->nids++] = id;
    }
}

void do_show_linkprop(int argc, char **argv, const char *use)
{
    struct show_prop s = {0};
    char propstr[PROPSTR_MAX] = "";
    const char *fields = NULL, *link = NULL;
    enum vsw_class cls = 0;
    int opt;

    while ((opt = getopt(argc, argv, ":p:cPo:")) != -1) {
        switch (opt) {
        case 'p': propstr_add(propstr, sizeof(propstr), optarg); break;
        case 'c': s.parsable = true; break;
        case 'P': s.persistent = true; break;
        case 'o':
            if (fields)
                die_optdup(opt);
            fields = optarg;
            break;
        default: die_opterr(optopt, opt, use);
        }
    }
    if (optind == argc - 1)
        link = argv[optind];
    else if (optind != argc)
        usage();
    if (s.parsable && !fields)
        die("-c requires -o");
    if (s.parsable && strcasecmp(fields, "all") == 0)
        die("\"-o all\" is invalid with -c");
    if (link && !(cls = link_class(link, s.persistent)))
        die_dlerr(DL_NOTFOUND, "link %s is not valid", link);
    prop_select(&s, propstr);
    for (int i = 0; i < s.nids; i++)
        if (s.ids[i] == DL_PROP_CPUS &&
            dl_worker_cpus(handle(), s.cpus, sizeof(s.cpus)) != DL_OK)
            s.cpus[0] = '\0'; /* a vswitchd that cannot say: "--" */
    s.o = ofmt_open(fields, "link,property,perm,value,default,possible",
                    prop_fields, s.parsable, prop_field);
    if (!s.o)
        die("invalid field(s) specified");
    if ((!link || cls != VSW_CLASS_VNIC) &&
        dl_link_walk(handle(), link, s.persistent, link_props, &s) != DL_OK)
        die_hderr("cannot show link properties");
    if ((!link || cls == VSW_CLASS_VNIC) &&
        dl_vnic_walk(handle(), link, s.persistent, vnic_props, &s) != DL_OK)
        die_hderr("cannot show link properties");
    ofmt_close(s.o);
}

/* The MTU of link @name (0 if it cannot be read: vswitchd checks). */
static unsigned link_mtu_of(const char *name)
{
    struct vsw_link_conf lc;

    if (dl_link_get(handle(), name, &lc) != DL_OK)
        return 0;
    return lc.mtu;
}

/* A VNIC's MTU fits in its link's: else why, in @why. */
bool vnic_mtu_fits(const struct vsw_vnic_conf *vc, char *why, size_t len)
{
    unsigned max = link_mtu_of(vc->link);

    if (!vc->mtu || !max || vc->mtu <= max)
        return true;
    snprintf(why, len, "mtu %u is larger than the mtu of %s (%u)", vc->mtu,
             vc->link, max);
    return false;
}

/* The property of @a, or -1 after saying why not (unknown, no value). */
static int prop_arg_id(const struct dl_proparg *a, bool reset)
{
    int id = dl_prop_lookup(a->name);

    if (id < 0) {
        warn("invalid link property '%s'", a->name);
        return -1;
    }
    if (!reset && !a->has_val) {
        warn("no value specified for '%s'", a->name);
        return -1;
    }
    return id;
}

/*
 * Check every property of @args against the VNIC @vc, changing @vc and
 * collecting *@mods.  Warns about each bad one.  @return false if any.
 */
static bool props_check(struct dl_proparg *args, int n, bool reset,
                        const char *link, enum vsw_class cls,
                        struct vsw_vnic_conf *vc, uint32_t *mods)
{
    const char *verb = reset ? "reset" : "set";
    char why[256];
    bool ok = true;
    int i, id;

    for (i = 0; i < n; i++) {
        enum dl_status st;

        id = prop_arg_id(&args[i], reset);
        if (id < 0) {
            ok = false;
            continue;
        }
        if (cls != VSW_CLASS_VNIC) {
            warn("cannot %s link property '%s' on '%s': %s", verb,
                 args[i].name, link, dl_status_str(DL_PROPRDONLY));
            ok = false;
            continue;
        }
        st = dl_prop_parse((enum dl_prop_id)id, reset ? NULL : args[i].val,
                           vc, why, sizeof(why));
        if (st == DL_BADVAL) {
            warn("link property '%s' must be one of: %s", args[i].name, why);
            ok = false;
        } else if (st != DL_OK) {
            warn("cannot %s link property '%s' on '%s': %s", verb,
                 args[i].name, link, why);
            ok = false;
        } else if (id == DL_PROP_MTU && !vnic_mtu_fits(vc, why, sizeof(why))) {
            warn("cannot %s link property '%s' on '%s': %s", verb,
                 args[i].name, link, why);
            ok = false;
        }
        *mods |= dl_prop_mod((enum dl_prop_id)id);
    }
    return ok;
}

struct mtu_user {
    const char *link;
    unsigned mtu;      /* asked for */
    char vnic[LP_NAMSIZ];
    unsigned has;      /* that VNIC's */
};

static int mtu_user_cb(const struct vsw_vnic_conf *vc, void *arg)
{
    struct mtu_user *u = arg;

    if (strcmp(vc->link, u->link) == 0 && vc->mtu > u->mtu && !u->vnic[0]) {
        snprintf(u->vnic, sizeof(u->vnic), "%s", vc->name);
        u->has = vc->mtu;
    }
    return 0;
}

/* Whether @link's MTU may become @mtu: no VNIC over it has a larger one
 * (else says so). */
static bool link_mtu_fits(const char *link, uint16_t mtu, const char *verb)
{
    struct mtu_user u = {.link = link, .mtu = mtu};

    if (dl_vnic_walk(handle(), NULL, false, mtu_user_cb, &u) == DL_OK &&
        u.vnic[0]) {
        warn("cannot %s link property 'mtu' on '%s': VNIC %s over it has "
             "mtu %u", verb, link, u.vnic, u.has);
        return false;
    }
    return true;
}

/* The MTU of @link becomes @mtu, on its NIC (link_mtu_fits() checked);
 * exits on failure. */
static void link_set_mtu(const char *link, uint16_t mtu, const char *verb,
                         bool temp)
{
    if (dl_link_set_mtu(handle(), link, mtu, temp) != DL_OK) {
        warn("cannot %s link property 'mtu' on '%s': %s", verb, link,
             dl_errmsg(handle()));
        exit(1);
    }
}

/* Whether VNIC @vc is over the link u->link (u->has counts them). */
static int vnic_over_cb(const struct vsw_vnic_conf *vc, void *arg)
{
    struct mtu_user *u = arg;

    if (strcmp(vc->link, u->link) == 0 && !u->vnic[0])
        snprintf(u->vnic, sizeof(u->vnic), "%s", vc->name);
    return 0;
}

/*
 * Whether NIC link @lc may take nicmode @mode; says why not and exits.
 * What dedicating the NIC lacks is said here, all of it (vswitchd checks
 * again and adds its own conditions): its binding to vfio-pci is not,
 * since the binding takes the interface away (the first VNIC checks it).
 */
static void link_nicmode_check(const struct vsw_link_conf *lc,
                               enum vsw_nicmode mode, const char *verb)
{
    struct mtu_user u = {.link = lc->name};
    char why[1024];

    if (dl_vnic_walk(handle(), NULL, false, vnic_over_cb, &u) == DL_OK &&
        u.vnic[0] && mode != lc->nicmode) {
        warn("cannot %s link property 'nicmode' on '%s': %s (VNIC %s is "
             "over it)", verb, lc->name, dl_status_str(DL_LINKBUSY), u.vnic);
        exit(1);
    }
    if (mode == VSW_NICMODE_DEDICATED &&
        vsw_nic_dedicated_lacks(lc->ifname[0] ? lc->ifname : lc->name,
                                lc->pci, VSW_DED_NOT_BOUND, NULL, NULL, why,
                                sizeof(why))) {
        warn("cannot %s link property 'nicmode' on '%s': %s", verb,
             lc->name, why);
        exit(1);
    }
}

/* The nicmode of NIC link @lc becomes @mode (checked); exits on failure. */
static void link_set_nicmode(const struct vsw_link_conf *lc,
                             enum vsw_nicmode mode, const char *verb,
                             bool temp)
{
    if (dl_link_set_nicmode(handle(), lc->name, mode, temp) != DL_OK) {
        warn("cannot %s link property 'nicmode' on '%s': %s", verb,
             lc->name, dl_errmsg(handle()));
        exit(1);
    }
}

/*
 * set-linkprop / reset-linkprop of a link that is not a VNIC: the MTU of
 * a physical link over a host NIC, on the NIC, its cpus, and the nicmode
 * of a NIC's own link.  Everything is checked before anything changes.
 */
static void link_setprop(struct dl_proparg *args, int n, bool reset,
                         const struct vsw_link_conf *lc, bool temp)
{
    const char *verb = reset ? "reset" : "set";
    const char *link = lc->name;
    struct vsw_vnic_conf vc;
    enum vsw_nicmode mode = VSW_NICMODE_SHARED;
    bool ok = true, set_mtu = false, set_mode = false, set_cpus = false;
    char why[256];
    int i, id;

    vsw_vnic_conf_init(&vc);
    for (i = 0; i < n; i++) {
        enum dl_status st;

        id = prop_arg_id(&args[i], reset);
        if (id < 0) {
            ok = false;
            continue;
        }
        if (id == DL_PROP_NICMODE &&
            !dl_link_prop_settable((enum dl_prop_id)id, lc)) {
            warn("cannot %s link property '%s' on '%s': %s", verb,
                 args[i].name, link, dl_status_str(DL_NOTNIC));
            ok = false;
            continue;
        }
        if (!dl_link_prop_settable((enum dl_prop_id)id, lc)) {
            warn("cannot %s link property '%s' on '%s': %s", verb,
                 args[i].name, link, dl_status_str(DL_PROPRDONLY));
            ok = false;
            continue;
        }
        if (id == DL_PROP_NICMODE) {
            st = dl_nicmode_parse(reset ? NULL : args[i].val, &mode, why,
                                  sizeof(why));
            set_mode = true;
        } else {
            st = dl_prop_parse((enum dl_prop_id)id,
                               reset ? NULL : args[i].val, &vc, why,
                               sizeof(why));
            set_mtu |= id == DL_PROP_MTU;
            set_cpus |= id == DL_PROP_CPUS;
        }
        if (st == DL_BADVAL) {
            warn("link property '%s' must be one of: %s", args[i].name, why);
            ok = false;
        } else if (st != DL_OK) {
            warn("cannot %s link property '%s' on '%s': %s", verb,
                 args[i].name, link, why);
            ok = false;
        }
    }
    if (!vc.mtu)
        vc.mtu = LP_MTU_DEFAULT;
    if (!ok || (set_mtu && !link_mtu_fits(link, vc.mtu, verb)))
        exit(1);
    if (set_mode)
        link_nicmode_check(lc, mode, verb);
    /* cpus first: vswitchd may refuse it (a persistent change of a link
     * of its boot configuration) before the NIC changes. */
    if (set_cpus &&
        dl_link_set_cpus(handle(), link, vc.has_cpus, vc.cpus, temp) != DL_OK) {
        warn("cannot %s link property 'cpus' on '%s': %s", verb, link,
             dl_errmsg(handle()));
        exit(1);
    }
    if (set_mode)
        link_set_nicmode(lc, mode, verb, temp);
    if (set_mtu)
        link_set_mtu(link, vc.mtu, verb, temp);
}

/*
 * Every property that can be set, into @args, as illumos resets them
 * all: a VNIC's (@lc NULL; nicmode is a NIC's link's), or those of the
 * link @lc that dl_link_prop_settable() allows.  An etherstub has none.
 * @return how many.
 */
static int props_all(const struct vsw_link_conf *lc, struct dl_proparg *args)
{
    int i, n = 0;

    for (i = 0; i < DL_PROP__MAX; i++) {
        if (!lc ? i == DL_PROP_NICMODE
                : !dl_link_prop_settable((enum dl_prop_id)i, lc))
            continue;
        memset(&args[n], 0, sizeof(args[n]));
        snprintf(args[n].name, sizeof(args[n].name), "%s",
                 dl_prop_name((enum dl_prop_id)i));
        n++;
    }
    return n;
}

static void set_linkprop(int argc, char **argv, const char *use, bool reset)
{
    struct dl_proparg args[DL_PROPARGS_MAX];
    char propstr[PROPSTR_MAX] = "";
    struct vsw_vnic_conf vc;
    enum vsw_class cls;
    const char *link;
    uint32_t mods = 0;
    bool temp = false;
    int opt, n, i;

    while ((opt = getopt(argc, argv, ":p:t")) != -1) {
        switch (opt) {
        case 'p': propstr_add(propstr, sizeof(propstr), optarg); break;
        case 't': temp = true; break;
        default: die_opterr(optopt, opt, use);
        }
    }
    if (optind != argc - 1)
        usage();
    link = argv[optind];
    n = dl_proplist_parse(propstr, !reset, args, DL_PROPARGS_MAX);
    if (n < 0)
        die("invalid link properties specified");
    proplist_once(args, n);
    if (n == 0 && !reset)
        die("link property must be specified");
    if (!(cls = link_class(link, false)))
        die_dlerr(link_class(link, true) ? DL_INACTIVE : DL_NOTFOUND,
                  "link %s is not valid", link);
    if (cls != VSW_CLASS_VNIC) {
        struct vsw_link_conf lc;

        if (dl_link_get(handle(), link, &lc) != DL_OK)
            die_dlerr(DL_NOTFOUND, "link %s is not valid", link);
        if (n == 0) /* reset: every property */
            n = props_all(&lc, args);
        link_setprop(args, n, reset, &lc, temp);
        return;
    }
    if (n == 0)
        n = props_all(NULL, args);
    vsw_vnic_conf_init(&vc);
    if (dl_vnic_get(handle(), link, &vc) != DL_OK)
        die_dlerr(DL_NOTFOUND, "link %s is not valid", link);
    if (!props_check(args, n, reset, link, cls, &vc, &mods))
        exit(1);
    if (dl_vnic_modify(handle(), &vc, mods, temp) != DL_OK) {
        /* One change of them all, refused as one: name them all. */
        char names[PROPSTR_MAX] = "";
        size_t len;

        for (i = 0; i < n; i++)
            propstr_add(names, sizeof(names), args[i].name);
        len = strlen(names);
        if (len > 0)
            names[len - 1] = '\0'; /* the last comma */
        warn("cannot %s link propert%s '%s' on '%s': %s",
             reset ? "reset" : "set", n > 1 ? "ies" : "y", names, link,
             dl_errmsg(handle()));
        exit(1);
    }
}

void do_set_linkprop(int argc, char **argv, const char *use)
{
    set_linkprop(argc, argv, use, false);
}

void do_reset_linkprop(int argc, char **argv, const char *use)
{
    set_linkprop(argc, argv, use, true);
}
