/* SPDX-License-Identifier: MIT */
/* dladm VNIC and etherstub subcommands. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cmd.h"
#include "ofmt.h"

#define PROPSTR_MAX 2048

/* What -m, -r and -v asked for. */
struct macopt {
    bool given;
    bool random;        /* random or auto */
    uint8_t mac[6];     /* a fixed address */
    uint8_t prefix[6];
    int prefix_len;     /* 0: the default 2:8:20 */
    bool automatic;     /* -m auto: no prefix may be given */
};

static void opt_m(struct macopt *m, const char *arg)
{
    if (m->given)
        die("cannot specify -m option twice");
    m->given = true;
    if (strcmp(arg, "fixed") == 0)
        die("'fixed' is not a valid MAC address");
    if (strcmp(arg, "auto") == 0 || strcmp(arg, "random") == 0) {
        m->random = true;
        m->automatic = strcmp(arg, "auto") == 0;
        return;
    }
    if (strcmp(arg, "factory") == 0 || strcmp(arg, "vrrp") == 0)
        die_dlerr(DL_NOTSUP, "MAC address type '%s'", arg);
    if (lp_mac_parse(arg, m->mac) < 0)
        die("invalid MAC address");
}

static void opt_r(struct macopt *m, const char *arg)
{
    if (m->prefix_len)
        die_optdup('r');
    m->prefix_len = lp_mac_prefix_parse(arg, m->prefix, 5);
    if (m->prefix_len < 1 || (m->prefix[0] & 1))
        die("invalid MAC address");
}

/* -v: 1..4094, or 0 (no VLAN) where @none_ok (modify-vnic). */
static long opt_v(long vid, const char *arg, bool none_ok)
{
    uint16_t v;

    if (vid >= 0)
        die_optdup('v');
    if (lp_vid_parse(arg, &v) < 0 || (v == LP_VID_NONE && !none_ok))
        die("invalid VLAN identifier '%s': %d-%d%s", arg,
            none_ok ? LP_VID_NONE : 1, LP_VID_MAX,
            none_ok ? " (0: none)" : "");
    return v;
}

/* The VNIC's name operand: illumos checks before anything else. */
static const char *name_operand(int argc, char **argv)
{
    const char *name;

    if (optind != argc - 1)
        usage();
    name = argv[optind];
    name_new_check(name);
    return name;
}

/* The -p list of create-vnic into @vc; dies on a bad one. */
static void create_props(const char *propstr, const char *link,
                         struct vsw_vnic_conf *vc)
{
    struct dl_proparg args[DL_PROPARGS_MAX];
    char why[256];
    int n = dl_proplist_parse(propstr, true, args, DL_PROPARGS_MAX), i, id;

    if (n < 0)
        die("invalid vnic property");
    proplist_once(args, n);
    for (i = 0; i < n; i++) {
        enum dl_status st;

        id = dl_prop_lookup(args[i].name);
        if (id < 0)
            die("vnic creation over %s failed: invalid link property '%s'",
                link, args[i].name);
        if (!args[i].has_val)
            die("no value specified for '%s'", args[i].name);
        st = dl_prop_parse((enum dl_prop_id)id, args[i].val, vc, why,
                           sizeof(why));
        if (st == DL_BADVAL)
            die("link property '%s' must be one of: %s", args[i].name, why);
        if (st != DL_OK)
            die("vnic creation over %s failed: %s", link, why);
    }
}

struct nic_owner {
    const char *nic;
    char link[LP_NAMSIZ];
};

static int nic_owner_cb(const struct vsw_link_conf *lc, void *arg)
{
    struct nic_owner *o = arg;

    if (strcmp(lc->ifname, o->nic) == 0 && strcmp(lc->name, o->nic) != 0)
        snprintf(o->link, sizeof(o->link), "%s", lc->name);
    return 0;
}

/* The link a VNIC goes over: it must exist and not be a VNIC. */
static void check_lower(const char *link, const char *what)
{
    struct nic_owner o = {.nic = link};
    enum vsw_class cls;

    if (strlen(link) >= LP_NAMSIZ)
        die("link name too long");
    cls = dl_link_class(handle(), link);
    if (!cls && link_class(link, true))
        die_dlerr(DL_INACTIVE, "vnic %s over %s failed", what, link);
    /* A host NIC that is the wire of a link of another name is that
     * link. */
    if (!cls && dl_link_walk(handle(), NULL, false, nic_owner_cb, &o) ==
                    DL_OK && o.link[0])
        die("invalid link name '%s': the NIC is link %s", link, o.link);
    if (!cls)
        die("invalid link name '%s'", link);
    if (cls == VSW_CLASS_VNIC)
        die_dlerr(DL_LINKINVAL, "vnic %s over %s failed", what, link);
}

void do_create_vnic(int argc, char **argv, const char *use)
{
    char propstr[PROPSTR_MAX] = "";
    struct macopt m = {0};
    struct vsw_vnic_conf vc;
    const char *link = NULL;
    long vid = -1;
    bool temp = false;
    enum dl_status st;
    int opt, tries;

    while ((opt = getopt(argc, argv, ":tl:m:r:v:p:")) != -1) {
        switch (opt) {
        case 't': temp = true; break;
        case 'l':
            if (link)
                die_optdup(opt);
            link = optarg;
            break;
        case 'm': opt_m(&m, optarg); break;
        case 'r': opt_r(&m, optarg); break;
        case 'v': vid = opt_v(vid, optarg, false); break;
        case 'p': propstr_add(propstr, sizeof(propstr), optarg); break;
        default: die_opterr(optopt, opt, use);
        }
    }
    if (m.prefix_len && m.given && !m.random)
        usage();
    if (m.prefix_len && m.automatic)
        die("-r may only be given with -m random");
    if (!link)
        usage();
    vsw_vnic_conf_init(&vc);
    snprintf(vc.name, sizeof(vc.name), "%s", name_operand(argc, argv));
    /* The host's interface of the VNIC's name (a TAP), as ipadm
     * create-ip would plumb it on illumos. */
    if (strlen(vc.name) >= VSW_IFNAMSIZ)
        die("vnic creation over %s failed: '%s' is too long for the "
            "host's interface (at most %d characters)", link, vc.name,
            VSW_IFNAMSIZ - 1);
    vc.attach = VSW_ATTACH_TAP;
    check_lower(link, "creation");
    snprintf(vc.link, sizeof(vc.link), "%s", link);
    vc.vid = vid < 0 ? LP_VID_NONE : (uint16_t)vid;
    vc.temporary = temp;
    create_props(propstr, link, &vc);
    {
        char why[128];

        if (!vnic_mtu_fits(&vc, why, sizeof(why)))
            die("vnic creation over %s failed: %s", link, why);
    }
    if (m.given && !m.random) {
        vc.mac_type = VSW_MAC_FIXED;
        memcpy(vc.mac, m.mac, 6);
        if (!lp_mac_valid(vc.mac))
            die_dlerr(DL_MACINVAL, "vnic creation over %s failed", link);
    }
    for (tries = 0; tries < 8; tries++) {
        if (vc.mac_type == VSW_MAC_RANDOM && m.prefix_len)
            lp_mac_random(vc.mac, m.prefix, (unsigned)m.prefix_len);
        st = dl_vnic_create(handle(), &vc, NULL);
        if (st != DL_MACINUSE || vc.mac_type == VSW_MAC_FIXED)
            break;
    }
    if (st != DL_OK)
        die_hderr("vnic creation over %s failed", link);
}

/*
 * delete-vnic and delete-etherstub.  As in illumos, the name may be one
 * left only in the persistent configuration by an earlier -t: without -t
 * that removes it; with -t there is no running object ("object not
 * found").
 */
static void delete_common(int argc, char **argv, const char *use,
                          bool etherstub)
{
    enum vsw_class cls;
    const char *name;
    enum dl_status st;
    bool temp = false;
    int opt;

    while ((opt = getopt(argc, argv, ":t")) != -1) {
        if (opt != 't')
            die_opterr(optopt, opt, use);
        temp = true;
    }
    if (optind != argc - 1)
        usage();
    name = argv[optind];
    cls = link_class(name, false);
    if (!cls)
        cls = link_class(name, true);
    if (!cls)
        die("invalid link name '%s'", name);
    if (etherstub && cls != VSW_CLASS_ETHERSTUB)
        die("'%s' is not an etherstub", name);
    if (!etherstub && cls != VSW_CLASS_VNIC)
        die("'%s' is not a vnic", name);
    st = etherstub ? dl_etherstub_delete(handle(), name, temp)
                   : dl_vnic_delete(handle(), name, temp);
    if (st != DL_OK)
        die_hderr("%s deletion failed", etherstub ? "etherstub" : "vnic");
}

void do_delete_vnic(int argc, char **argv, const char *use)
{
    delete_common(argc, argv, use, false);
}

void do_delete_etherstub(int argc, char **argv, const char *use)
{
    delete_common(argc, argv, use, true);
}

void do_modify_vnic(int argc, char **argv, const char *use)
{
    struct macopt m = {0};
    struct vsw_vnic_conf vc;
    const char *link = NULL, *name;
    uint32_t mods = 0;
    long vid = -1;
    bool temp = false;
    int opt;

    while ((opt = getopt(argc, argv, ":tl:m:v:")) != -1) {
        switch (opt) {
        case 't': temp = true; break;
        case 'l':
            if (link)
                die_optdup(opt);
            link = optarg;
            break;
        case 'm': opt_m(&m, optarg); break;
        case 'v': vid = opt_v(vid, optarg, true); break;
        default: die_opterr(optopt, opt, use);
        }
    }
    if (optind != argc - 1 || (!m.given && vid < 0 && !link))
        usage();
    name = argv[optind];
    if (dl_vnic_get(handle(), name, &vc) != DL_OK) {
        if (dl_link_class(handle(), name))
            die("'%s' is not a vnic", name);
        if (link_class(name, true) == VSW_CLASS_VNIC)
            die_dlerr(DL_INACTIVE, "vnic modification failed");
        die("invalid link name '%s'", name);
    }
    if (link) {
        check_lower(link, "modification");
        snprintf(vc.link, sizeof(vc.link), "%s", link);
        mods |= VSW_MOD_LINK;
    }
    if (vid >= 0) {
        vc.vid = (uint16_t)vid;
        mods |= VSW_MOD_VID;
    }
    if (m.given) {
        vc.mac_type = m.random ? VSW_MAC_RANDOM : VSW_MAC_FIXED;
        memcpy(vc.mac, m.mac, 6);
        if (!m.random && !lp_mac_valid(vc.mac))
            die_dlerr(DL_MACINVAL, "vnic modification failed");
        mods |= VSW_MOD_MAC;
    }
    if (dl_vnic_modify(handle(), &vc, mods, temp) != DL_OK)
        die_hderr("vnic modification failed");
}

void do_create_etherstub(int argc, char **argv, const char *use)
{
    const char *name;
    bool temp = false;
    int opt;

    while ((opt = getopt(argc, argv, ":t")) != -1) {
        if (opt != 't')
            die_opterr(optopt, opt, use);
        temp = true;
    }
    name = name_operand(argc, argv);
    if (dl_etherstub_create(handle(), name, temp) != DL_OK)
        die_hderr("etherstub creation failed");
}

/* ---- show-vnic, show-etherstub ---- */

enum { VF_LINK, VF_OVER, VF_SPEED, VF_MACADDRESS, VF_MACADDRTYPE, VF_VID,
       VF_DOMAIN };

static const struct ofmt_field vnic_fields[] = {
    {"LINK", 13, VF_LINK},
    {"OVER", 11, VF_OVER},
    {"SPEED", 6, VF_SPEED},
    {"MACADDRESS", 18, VF_MACADDRESS},
    {"MACADDRTYPE", 12, VF_MACADDRTYPE},
    {"VID", 5, VF_VID},
    {"DOMAIN", 8, VF_DOMAIN},
    {NULL, 0, 0},
};

#define LINKS_MAX 256

/* What show-vnic needs of the links: their speeds. */
struct show_vnic {
    struct vsw_link_conf links[LINKS_MAX];
    unsigned nlinks;
    const char *over; /* -l */
    struct ofmt *o;
    bool found;
};

struct vnic_row {
    const struct vsw_vnic_conf *vc;
    const struct show_vnic *s;
};

static int link_keep(const struct vsw_link_conf *lc, void *arg)
{
    struct show_vnic *s = arg;

    if (s->nlinks < LINKS_MAX)
        s->links[s->nlinks++] = *lc;
    return 0;
}

static uint32_t link_speed(const struct show_vnic *s, const char *name)
{
    unsigned i;

    for (i = 0; i < s->nlinks; i++)
        if (strcmp(s->links[i].name, name) == 0)
            return s->links[i].speed;
    return 0;
}

static void vnic_field(int id, const void *row, char *buf, size_t len)
{
    const struct vnic_row *r = row;
    const struct vsw_vnic_conf *vc = r->vc;
    char mac[LP_MACSTRLEN];

    switch (id) {
    case VF_LINK: snprintf(buf, len, "%s", vc->name); break;
    case VF_OVER: snprintf(buf, len, "%s", vc->link); break;
    case VF_SPEED: snprintf(buf, len, "%u", link_speed(r->s, vc->link));
        break;
    case VF_MACADDRESS:
        lp_mac_format(vc->mac, mac);
        snprintf(buf, len, "%s", mac);
        break;
    case VF_MACADDRTYPE:
        snprintf(buf, len, "%s",
                 vsw_mac_type_str(vc->mac_type));
        break;
    case VF_VID: snprintf(buf, len, "%u", vc->vid); break;
    case VF_DOMAIN:
        /* The domain's name; its id when xenstore had none. */
        if (!vc->domid)
            snprintf(buf, len, "--");
        else if (vc->domain[0])
            snprintf(buf, len, "%s", vc->domain);
        else
            snprintf(buf, len, "%u", vc->domid);
        break;
    }
}

static int vnic_print(const struct vsw_vnic_conf *vc, void *arg)
{
    struct show_vnic *s = arg;
    struct vnic_row r = {vc, s};

    if (s->over && strcmp(s->over, vc->link) != 0)
        return 0;
    s->found = true;
    ofmt_print(s->o, &r);
    return 0;
}

/* Options of show-vnic and show-etherstub. */
struct show_opts {
    bool parsable, persistent, stats;
    long interval;
    const char *fields, *link, *name;
};

static void show_opts_parse(int argc, char **argv, const char *use,
                            bool etherstub, struct show_opts *so)
{
    int opt;

    memset(so, 0, sizeof(*so));
    so->interval = -1;
    while ((opt = getopt(argc, argv, etherstub ? ":P" : ":pPl:si:o:")) !=
           -1) {
        switch (opt) {
        case 'p': so->parsable = true; break;
        case 'P': so->persistent = true; break;
        case 'l':
            if (so->link)
                die_optdup(opt);
            so->link = optarg;
            break;
        case 's':
            if (so->stats)
                die_optdup(opt);
            so->stats = true;
            break;
        case 'i':
            if (so->interval >= 0)
                die_optdup(opt);
            if (!str2int(optarg, 1, 86400, &so->interval))
                die("invalid interval value '%s'", optarg);
            break;
        case 'o':
            if (so->fields)
                die_optdup(opt);
            so->fields = optarg;
            break;
        default: die_opterr(optopt, opt, use);
        }
    }
    if (so->interval >= 0 && !so->stats)
        die("the option -i can be used only with -s");
    if (so->parsable && !so->fields)
        die("-p requires -o");
    if (so->parsable && strcasecmp(so->fields, "all") == 0)
        die("\"-o all\" is invalid with -p");
    if (so->stats && so->persistent)
        die("the option -P cannot be used with -s");
    if (optind == argc - 1)
        so->name = argv[optind];
    else if (optind != argc)
        usage();
}

void do_show_vnic(int argc, char **argv, const char *use)
{
    struct show_vnic *s = calloc(1, sizeof(*s));
    struct show_opts so;

    if (!s)
        die("insufficient memory");
    show_opts_parse(argc, argv, use, false, &so);
    if (so.name && link_class(so.name, so.persistent) != VSW_CLASS_VNIC)
        die_dlerr(DL_NOTFOUND, "invalid vnic name '%s'", so.name);
    if (so.link && !link_class(so.link, so.persistent))
        die_dlerr(DL_NOTFOUND, "invalid link name '%s'", so.link);
    if (so.stats) {
        stats_show(so.fields, so.parsable,
                   so.interval < 0 ? 0 : (unsigned)so.interval, true,
                   so.link, so.name);
        free(s);
        return;
    }
    s->over = so.link;
    s->o = ofmt_open(so.fields, "link,over,speed,macaddress,macaddrtype,vid,"
                     "domain", vnic_fields, so.parsable, vnic_field);
    if (!s->o)
        die("invalid field(s) specified");
    if (dl_link_walk(handle(), NULL, false, link_keep, s) != DL_OK ||
        dl_vnic_walk(handle(), so.name, so.persistent, vnic_print, s) !=
            DL_OK)
        die_hderr("failed to show vnic '%s'", so.name ? so.name : "");
    ofmt_close(s->o);
    free(s);
}

static void stub_field(int id, const void *row, char *buf, size_t len)
{
    (void)id;
    snprintf(buf, len, "%s", ((const struct vsw_link_conf *)row)->name);
}

static int stub_print(const struct vsw_link_conf *lc, void *arg)
{
    if (lc->cls == VSW_CLASS_ETHERSTUB)
        ofmt_print(arg, lc);
    return 0;
}

void do_show_etherstub(int argc, char **argv, const char *use)
{
    static const struct ofmt_field f[] = {{"LINK", 13, 0}, {NULL, 0, 0}};
    struct show_opts so;
    struct ofmt *o;

    show_opts_parse(argc, argv, use, true, &so);
    if (so.name) {
        enum vsw_class cls = link_class(so.name, so.persistent);

        if (!cls)
            die_dlerr(DL_NOTFOUND, "invalid link name '%s'", so.name);
        if (cls != VSW_CLASS_ETHERSTUB)
            die("'%s' is not an etherstub", so.name);
    }
    o = ofmt_open(NULL, "link", f, false, stub_field);
    if (!o || dl_link_walk(handle(), so.name, so.persistent, stub_print, o) !=
                  DL_OK)
        die_hderr("failed to show etherstub");
    ofmt_close(o);
}
