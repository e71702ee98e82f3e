/* SPDX-License-Identifier: MIT */
/* The datalink configuration file format (vsw/conf.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vswmgr/conf.h"

static int bad(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int bad(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -EINVAL;
}

static int link_key(struct vsw_link_conf *lc, const char *k, const char *v,
                    char *err, size_t errlen)
{
    if (strcmp(k, "class") == 0) {
        if (strcmp(v, "phys") == 0)
            lc->cls = VSW_CLASS_PHYS;
        else if (strcmp(v, "etherstub") == 0)
            lc->cls = VSW_CLASS_ETHERSTUB;
        else
            return bad(err, errlen, "invalid link class '%s'", v);
    } else if (strcmp(k, "devargs") == 0) {
        if (strlen(v) >= sizeof(lc->devargs))
            return bad(err, errlen, "devargs too long '%s'", v);
        strcpy(lc->devargs, v);
    } else if (strcmp(k, "cpus") == 0) {
        if (lp_cpu_parse(v, &lc->cpus) < 0)
            return bad(err, errlen, "invalid cpus '%s'", v);
        lc->has_cpus = true;
    } else {
        return bad(err, errlen, "unknown link key '%s'", k);
    }
    return 0;
}

/* A NIC's own link: its nicmode and cpus (the state file's "nic"
 * lines). */
static int nic_key(struct vsw_link_conf *lc, const char *k, const char *v,
                   char *err, size_t errlen)
{
    if (strcmp(k, "cpus") == 0)
        return link_key(lc, k, v, err, errlen);
    if (strcmp(k, "nicmode") == 0) {
        if (vsw_nicmode_parse(v, &lc->nicmode) < 0)
            return bad(err, errlen, "invalid nicmode '%s'", v);
    } else if (strcmp(k, "pci") == 0) {
        if (strlen(v) >= sizeof(lc->pci))
            return bad(err, errlen, "invalid pci '%s'", v);
        strcpy(lc->pci, v);
    } else {
        return bad(err, errlen, "unknown nic key '%s'", k);
    }
    return 0;
}

static int vnic_key(struct vsw_vnic_conf *vc, const char *k, const char *v,
                    char *err, size_t errlen)
{
    uint32_t mod;
    int rc = vsw_vnic_conf_set(vc, k, v, &mod);

    if (rc == -ENOENT)
        return bad(err, errlen, "unknown vnic key '%s'", k);
    if (rc < 0)
        return bad(err, errlen, "invalid %s '%s'", k, v);
    return 0;
}

static int head_parse(char *kind, char *name, struct vsw_conf_obj *obj,
                      char *err, size_t errlen)
{
    memset(obj, 0, sizeof(*obj));
    if (!name)
        return bad(err, errlen, "missing name after '%s'", kind);
    if (strlen(name) >= LP_NAMSIZ)
        return bad(err, errlen, "link name too long '%s'", name);
    if (strcmp(kind, "link") == 0) {
        strcpy(obj->link.name, name);
        obj->cls = VSW_CLASS_PHYS;
        obj->link.cls = VSW_CLASS_PHYS;
    } else if (strcmp(kind, "nic") == 0) {
        strcpy(obj->link.name, name);
        obj->cls = VSW_CLASS_PHYS;
        obj->link.cls = VSW_CLASS_PHYS;
        obj->link.flags = VSW_LINK_F_HOSTNIC;
    } else if (strcmp(kind, "vnic") == 0) {
        vsw_vnic_conf_init(&obj->vnic);
        strcpy(obj->vnic.name, name);
        obj->cls = VSW_CLASS_VNIC;
    } else {
        return bad(err, errlen, "unknown object kind '%s'", kind);
    }
    return 0;
}

int vsw_conf_parse_line(char *line, struct vsw_conf_obj *obj, char *err,
                        size_t errlen)
{
    static const char ws[] = " \t\r\n";
    char *save = NULL, *kind, *name, *rest, *k, *v;
    const char *keys[32];
    unsigned i, nkeys = 0;
    int rc;

    line[strcspn(line, "#")] = '\0';
    kind = strtok_r(line, ws, &save);
    if (!kind)
        return 0;
    name = strtok_r(NULL, ws, &save);
    rc = head_parse(kind, name, obj, err, errlen);
    if (rc < 0)
        return rc;
    rest = save;
    while ((rc = lp_kv_next(&rest, ws, &k, &v)) != 0) {
        if (rc < 0)
            return bad(err, errlen, "expected key=value, got '%s'", k);
        /* A key given twice is a mistake, not a later wish (the keys stay
         * in @line, cut in place). */
        for (i = 0; i < nkeys; i++)
            if (strcmp(keys[i], k) == 0)
                return bad(err, errlen, "%s given twice", k);
        if (nkeys == sizeof(keys) / sizeof(keys[0]))
            return bad(err, errlen, "too many keys");
        keys[nkeys++] = k;
        if (obj->cls == VSW_CLASS_VNIC)
            rc = vnic_key(&obj->vnic, k, v, err, errlen);
        else if (obj->link.flags & VSW_LINK_F_HOSTNIC)
            rc = nic_key(&obj->link, k, v, err, errlen);
        else
            rc = link_key(&obj->link, k, v, err, errlen);
        if (rc < 0)
            return rc;
    }
    if (obj->cls != VSW_CLASS_VNIC) {
        obj->cls = obj->link.cls;
        if (obj->cls == VSW_CLASS_PHYS && !obj->link.devargs[0] &&
            !(obj->link.flags & VSW_LINK_F_HOSTNIC))
            return bad(err, errlen, "link '%s' needs devargs=", obj->link.name);
    } else if (!obj->vnic.link[0]) {
        return bad(err, errlen, "vnic '%s' needs link=", obj->vnic.name);
    }
    return 1;
}

/* " cpus=N" of a link that has it, else "". */
static const char *cpus_str(const struct vsw_link_conf *lc, char *buf,
                            size_t len)
{
    buf[0] = '\0';
    if (lc->has_cpus)
        snprintf(buf, len, " cpus=%u", lc->cpus);
    return buf;
}

int vsw_conf_format_link(const struct vsw_link_conf *lc, char *buf, size_t len)
{
    char cpus[16];

    if (lc->cls == VSW_CLASS_PHYS)
        return snprintf(buf, len, "link %s class=phys devargs=%s%s\n",
                        lc->name, lc->devargs,
                        cpus_str(lc, cpus, sizeof(cpus)));
    return snprintf(buf, len, "link %s class=etherstub\n", lc->name);
}

int vsw_conf_format_nic(const struct vsw_link_conf *lc, char *buf, size_t len)
{
    char cpus[16];

    return snprintf(buf, len, "nic %s nicmode=%s%s%s%s\n", lc->name,
                    vsw_nicmode_str(lc->nicmode), cpus_str(lc, cpus,
                                                           sizeof(cpus)),
                    lc->pci[0] ? " pci=" : "",
                    lc->pci);
}

int vsw_conf_format_vnic(const struct vsw_vnic_conf *vc, char *buf, size_t len)
{
    char mac[LP_MACSTRLEN], bw[LP_MAXBW_STRLEN + 8] = "";
    char prot[LP_PROT_STRLEN], mtu[32] = "", ips[LP_IPS_STRLEN + 16] = "";

    lp_mac_format(vc->mac, mac);
    if (vc->maxbw != LP_MAXBW_NONE) {
        strcpy(bw, " maxbw=");
        lp_maxbw_format(vc->maxbw, bw + strlen(bw), sizeof(bw) - strlen(bw));
    }
    lp_protection_format(vc->protection, prot, sizeof(prot));
    if (vc->mtu)
        snprintf(mtu, sizeof(mtu), " mtu=%u", vc->mtu);
    if (vc->has_cpus)
        snprintf(mtu + strlen(mtu), sizeof(mtu) - strlen(mtu), " cpus=%u",
                 vc->cpus);
    if (vc->nips) {
        strcpy(ips, " allowed-ips=");
        lp_ips_format(vc->ips, vc->nips, ips + strlen(ips),
                      sizeof(ips) - strlen(ips));
    }
    return snprintf(buf, len,
                    "vnic %s link=%s mac=%s mac-type=%s vid=%u%s "
                    "priority=%s protection=%s attach=%s%s%s%s%s\n",
                    vc->name, vc->link, mac,
                    vsw_mac_type_str(vc->mac_type),
                    vc->vid, bw, lp_priority_str(vc->priority), prot,
                    vc->attach == VSW_ATTACH_TAP ? "tap" : "none",
                    vc->tap[0] ? " tap=" : "", vc->tap, mtu, ips);
}
