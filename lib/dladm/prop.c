/* SPDX-License-Identifier: MIT */
/*
 * libdladm: the link property table (dladm.h).  Each property knows its
 * default and possible values and how to parse and print itself; the
 * values are checked here so that dladm refuses a bad one before it asks
 * vswitchd for anything (vswitchd checks again).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dladm/dladm.h"

typedef void prop_get_fn(const struct vsw_vnic_conf *vc, char *buf,
                         size_t len);
typedef enum dl_status prop_set_fn(const char *val, struct vsw_vnic_conf *vc,
                                   char *why, size_t whylen);

struct prop {
    const char *name;
    uint32_t mod;          /* VSW_MOD_* */
    const char *possible;  /* "" = anything (printed "--"); NULL: the
                              MTU range LP_MTU_MIN-LP_MTU_MAX */
    prop_get_fn *get;
    prop_set_fn *set;      /* val NULL: the default */
};

/* illumos prints maxbw in Mbit/s with the Kbit/s as 3 decimals. */
static void maxbw_get(const struct vsw_vnic_conf *vc, char *buf, size_t len)
{
    unsigned long long mbps = vc->maxbw / 1000000;
    unsigned kbps = (unsigned)(vc->maxbw % 1000000 / 1000);

    if (vc->maxbw == 0)
        snprintf(buf, len, "%s", "");
    else if (kbps)
        snprintf(buf, len, "%llu.%03u", mbps, kbps);
    else
        snprintf(buf, len, "%llu", mbps);
}

static enum dl_status maxbw_set(const char *val, struct vsw_vnic_conf *vc,
                                char *why, size_t whylen)
{
    int rc;

    if (!val) {
        vc->maxbw = 0;
        return DL_OK;
    }
    if (strchr(val, '%')) {
        snprintf(why, whylen, "%s", dl_status_str(DL_NOTSUP));
        return DL_NOTSUP;
    }
    rc = lp_maxbw_parse(val, &vc->maxbw);
    if (rc == -ERANGE) {
        snprintf(why, whylen, "%s", dl_status_str(DL_MINMAXBW));
        return DL_MINMAXBW;
    }
    if (rc == -EOVERFLOW) {
        snprintf(why, whylen, "%s: the maximum value for maxbw is 1000G",
                 dl_status_str(DL_BADARG));
        return DL_BADARG;
    }
    if (rc < 0) {
        snprintf(why, whylen, "%s: '%.32s' is %s", dl_status_str(DL_BADARG),
                 val, lp_maxbw_why(rc));
        return DL_BADARG;
    }
    return DL_OK;
}

static void prio_get(const struct vsw_vnic_conf *vc, char *buf, size_t len)
{
    snprintf(buf, len, "%s", lp_priority_str(vc->priority));
}

static enum dl_status prio_set(const char *val, struct vsw_vnic_conf *vc,
                               char *why, size_t whylen)
{
    if (!val) {
        vc->priority = LP_PRIO_DEFAULT;
        return DL_OK;
    }
    if (lp_priority_parse(val, &vc->priority) < 0) {
        snprintf(why, whylen, "low,medium,high");
        return DL_BADVAL;
    }
    return DL_OK;
}

static void prot_get(const struct vsw_vnic_conf *vc, char *buf, size_t len)
{
    if (vc->protection)
        lp_protection_format(vc->protection, buf, len);
    else
        snprintf(buf, len, "%s", "");
}

static enum dl_status prot_set(const char *val, struct vsw_vnic_conf *vc,
                               char *why, size_t whylen)
{
    if (!val) {
        vc->protection = 0;
        return DL_OK;
    }
    if (strcmp(val, "none") == 0 ||
        lp_protection_parse(val, &vc->protection) < 0) {
        snprintf(why, whylen, "mac-nospoof,restricted,ip-nospoof");
        return DL_BADVAL;
    }
    return DL_OK;
}

static void ips_get(const struct vsw_vnic_conf *vc, char *buf, size_t len)
{
    lp_ips_format(vc->ips, vc->nips, buf, len);
}

static enum dl_status ips_set(const char *val, struct vsw_vnic_conf *vc,
                              char *why, size_t whylen)
{
    int rc;

    if (!val) {
        vc->nips = 0;
        return DL_OK;
    }
    rc = strcmp(val, "none") == 0 ? -EINVAL
                                   : lp_ips_parse(val, vc->ips, &vc->nips);
    if (rc < 0) {
        enum dl_status st = rc == -E2BIG ? DL_TOOMANY : DL_BADARG;
        char reason[160];

        lp_ips_why(val, rc, reason, sizeof(reason));
        snprintf(why, whylen, "%s: %s", dl_status_str(st), reason);
        return st;
    }
    return DL_OK;
}

static void mtu_get(const struct vsw_vnic_conf *vc, char *buf, size_t len)
{
    snprintf(buf, len, "%u", lp_vnic_mtu(vc->mtu, vc->link_mtu));
}

static enum dl_status mtu_set(const char *val, struct vsw_vnic_conf *vc,
                              char *why, size_t whylen)
{
    if (!val) {
        vc->mtu = 0;
        return DL_OK;
    }
    if (lp_mtu_parse(val, &vc->mtu) < 0) {
        snprintf(why, whylen, "%u-%u", LP_MTU_MIN, LP_MTU_MAX);
        return DL_BADVAL;
    }
    return DL_OK;
}

static void cpus_get(const struct vsw_vnic_conf *vc, char *buf, size_t len)
{
    if (vc->has_cpus)
        snprintf(buf, len, "%u", vc->cpus);
    else
        snprintf(buf, len, "%s", "");
}

static enum dl_status cpus_set(const char *val, struct vsw_vnic_conf *vc,
                               char *why, size_t whylen)
{
    vc->has_cpus = false;
    if (!val)
        return DL_OK;
    if (lp_cpu_parse(val, &vc->cpus) < 0) {
        snprintf(why, whylen, "0-%u", LP_CPU_MAX);
        return DL_BADVAL;
    }
    vc->has_cpus = true;
    return DL_OK;
}

static const struct prop props[DL_PROP__MAX] = {
    [DL_PROP_MAXBW] = {"maxbw", VSW_MOD_MAXBW, "", maxbw_get, maxbw_set},
    [DL_PROP_PRIORITY] = {"priority", VSW_MOD_PRIORITY, "low,medium,high",
                          prio_get, prio_set},
    [DL_PROP_PROTECTION] = {"protection", VSW_MOD_PROTECTION,
                            "mac-nospoof,restricted,ip-nospoof", prot_get,
                            prot_set},
    [DL_PROP_ALLOWED_IPS] = {"allowed-ips", VSW_MOD_ALLOWED_IPS, "",
                             ips_get, ips_set},
    [DL_PROP_MTU] = {"mtu", VSW_MOD_MTU, NULL, mtu_get, mtu_set},
    [DL_PROP_CPUS] = {"cpus", VSW_MOD_CPUS, "", cpus_get, cpus_set},
    /* A NIC's own link's (dl_link_prop_value()); no VNIC has it. */
    [DL_PROP_NICMODE] = {"nicmode", 0, "shared,dedicated", NULL, NULL},
};

enum dl_status dl_nicmode_parse(const char *val, enum vsw_nicmode *mode,
                                char *why, size_t whylen)
{
    if (!val) {
        *mode = VSW_NICMODE_SHARED;
        return DL_OK;
    }
    if (vsw_nicmode_parse(val, mode) < 0) {
        snprintf(why, whylen, "%s", props[DL_PROP_NICMODE].possible);
        return DL_BADVAL;
    }
    return DL_OK;
}

int dl_prop_lookup(const char *name)
{
    int i;

    for (i = 0; i < DL_PROP__MAX; i++)
        if (strcmp(props[i].name, name) == 0)
            return i;
    return -1;
}

const char *dl_prop_name(enum dl_prop_id id)
{
    return props[id].name;
}

uint32_t dl_prop_mod(enum dl_prop_id id)
{
    return props[id].mod;
}

/* A link that is not a VNIC, known only by its class: no settable
 * property; its MTU shows as its class's. */
static void link_value(enum dl_prop_id id, enum dl_prop_val which,
                       enum vsw_class cls, char *buf, size_t len)
{
    const char *v = "";

    if (which == DL_VAL_PERM)
        v = "r-";
    else if (id == DL_PROP_MTU && which != DL_VAL_POSSIBLE)
        v = cls == VSW_CLASS_ETHERSTUB ? "9000" : "1500";
    snprintf(buf, len, "%s", v);
}

bool dl_link_prop_settable(enum dl_prop_id id,
                           const struct vsw_link_conf *lc)
{
    if (id == DL_PROP_NICMODE)
        return lc->cls == VSW_CLASS_PHYS && (lc->flags & VSW_LINK_F_HOSTNIC);
    if (id == DL_PROP_CPUS)
        return lc->cls == VSW_CLASS_PHYS;
    return id == DL_PROP_MTU && lc->cls == VSW_CLASS_PHYS && lc->ifname[0];
}

static void nicmode_value(enum dl_prop_val which,
                          const struct vsw_link_conf *lc, char *buf,
                          size_t len)
{
    bool nic = dl_link_prop_settable(DL_PROP_NICMODE, lc);
    const char *v = "";

    switch (which) {
    case DL_VAL_CURRENT: v = nic ? vsw_nicmode_str(lc->nicmode) : ""; break;
    case DL_VAL_PERM: v = nic ? "rw" : "r-"; break;
    case DL_VAL_DEFAULT: v = nic ? "shared" : ""; break;
    case DL_VAL_POSSIBLE:
        v = nic ? props[DL_PROP_NICMODE].possible : "";
        break;
    }
    snprintf(buf, len, "%s", v);
}

void dl_link_prop_value(enum dl_prop_id id, enum dl_prop_val which,
                        const struct vsw_link_conf *lc, char *buf,
                        size_t len)
{
    if (id == DL_PROP_NICMODE) {
        nicmode_value(which, lc, buf, len);
        return;
    }
    if (id == DL_PROP_CPUS) {
        bool rw = dl_link_prop_settable(id, lc);

        if (which == DL_VAL_CURRENT && lc->has_cpus)
            snprintf(buf, len, "%u", lc->cpus);
        else
            snprintf(buf, len, "%s", which == DL_VAL_PERM ? rw ? "rw" : "r-"
                                                          : "");
        return;
    }
    if (id != DL_PROP_MTU) {
        link_value(id, which, lc->cls, buf, len);
        return;
    }
    switch (which) {
    case DL_VAL_CURRENT:
        snprintf(buf, len, "%u", lc->mtu ? lc->mtu : LP_MTU_DEFAULT);
        break;
    case DL_VAL_PERM:
        snprintf(buf, len, "%s", dl_link_prop_settable(id, lc) ? "rw" : "r-");
        break;
    case DL_VAL_DEFAULT:
        snprintf(buf, len, "%u", lc->cls == VSW_CLASS_ETHERSTUB
                                     ? LP_MTU_MAX
                                     : LP_MTU_DEFAULT);
        break;
    case DL_VAL_POSSIBLE:
        if (dl_link_prop_settable(id, lc))
            snprintf(buf, len, "%u-%u", LP_MTU_MIN, LP_MTU_MAX);
        else
            snprintf(buf, len, "%s", "");
        break;
    }
}

void dl_prop_value(enum dl_prop_id id, enum dl_prop_val which,
                   enum vsw_class cls, const struct vsw_vnic_conf *vc,
                   char *buf, size_t len)
{
    if (cls != VSW_CLASS_VNIC || !vc || !props[id].get) {
        link_value(id, which, cls, buf, len);
        return;
    }
    switch (which) {
    case DL_VAL_CURRENT: props[id].get(vc, buf, len); break;
    case DL_VAL_PERM: snprintf(buf, len, "rw"); break;
    case DL_VAL_DEFAULT: {
        /* The default is what resetting gives: one default, linkprop's. */
        struct vsw_vnic_conf d = *vc;
        char why[128];

        props[id].set(NULL, &d, why, sizeof(why));
        props[id].get(&d, buf, len);
        break;
    }
    case DL_VAL_POSSIBLE:
        if (props[id].possible)
            snprintf(buf, len, "%s", props[id].possible);
        else
            snprintf(buf, len, "%u-%u", LP_MTU_MIN, LP_MTU_MAX);
        break;
    }
}

enum dl_status dl_prop_parse(enum dl_prop_id id, const char *val,
                             struct vsw_vnic_conf *vc, char *why,
                             size_t whylen)
{
    if ((unsigned)id >= DL_PROP__MAX)
        return DL_NOTFOUND;
    why[0] = '\0';
    if (!props[id].set) {
        snprintf(why, whylen, "%s", dl_status_str(DL_NOTNIC));
        return DL_NOTNIC;
    }
    return props[id].set(val, vc, why, whylen);
}

/* Append @tok to @a's values. */
static int proparg_add(struct dl_proparg *a, const char *tok, size_t n)
{
    size_t have = strlen(a->val);

    if (have + n + 2 > sizeof(a->val))
        return -1;
    if (a->has_val && have)
        a->val[have++] = ',';
    memcpy(a->val + have, tok, n);
    a->val[have + n] = '\0';
    a->has_val = true;
    return 0;
}

const char *dl_proplist_repeated(const struct dl_proparg *args, int n)
{
    int i, j;

    for (i = 1; i < n; i++)
        for (j = 0; j < i; j++)
            if (strcmp(args[i].name, args[j].name) == 0)
                return args[i].name;
    return NULL;
}

int dl_proplist_parse(const char *s, bool values, struct dl_proparg *args,
                      int max)
{
    struct dl_proparg *cur = NULL;
    int n = 0;

    while (*s) {
        size_t len = strcspn(s, ",");
        const char *eq = memchr(s, '=', len);

        if (len == 0)
            return -1;
        if (eq && !values)
            return -1;
        if (eq || !values || !cur) {
            size_t nl = eq ? (size_t)(eq - s) : len;

            if (n == max || nl == 0 || nl >= sizeof(cur->name))
                return -1;
            cur = &args[n++];
            memset(cur, 0, sizeof(*cur));
            memcpy(cur->name, s, nl);
            if (eq && proparg_add(cur, eq + 1, len - nl - 1) < 0)
                return -1;
            if (eq && len == nl + 1)
                cur->has_val = true; /* "a=" : an empty value */
        } else if (proparg_add(cur, s, len) < 0) {
            return -1;
        }
        s += len;
        if (*s == ',')
            s++;
    }
    return n;
}
