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
    } else {
        return bad(err, errlen, "unknown link key '%s'", k);
    }
    return 0;
}

static int vnic_key_str(char *dst, size_t size, const char *v, char *err,
                        size_t errlen)
{
    if (strlen(v) >= size)
        return bad(err, errlen, "value too long '%s'", v);
    strcpy(dst, v);
    return 0;
}

static int vnic_key(struct vsw_vnic_conf *vc, const char *k, const char *v,
                    char *err, size_t errlen)
{
    char *end;
    unsigned long n;

    if (strcmp(k, "link") == 0)
        return vnic_key_str(vc->link, sizeof(vc->link), v, err, errlen);
    if (strcmp(k, "tap") == 0)
        return vnic_key_str(vc->tap, sizeof(vc->tap), v, err, errlen);
    if (strcmp(k, "mac") == 0) {
        if (vsw_mac_parse(v, vc->mac) < 0)
            return bad(err, errlen, "invalid MAC address '%s'", v);
        vc->mac_type = VSW_MAC_FIXED;
    } else if (strcmp(k, "mac-type") == 0) {
        if (strcmp(v, "random") == 0)
            vc->mac_type = VSW_MAC_RANDOM;
        else if (strcmp(v, "fixed") == 0)
            vc->mac_type = VSW_MAC_FIXED;
        else
            return bad(err, errlen, "invalid mac-type '%s'", v);
    } else if (strcmp(k, "vid") == 0) {
        errno = 0;
        n = strtoul(v, &end, 10);
        if (errno || *end || end == v || n > VSW_VID_MAX)
            return bad(err, errlen, "invalid VLAN identifier '%s'", v);
        vc->vid = (uint16_t)n;
    } else if (strcmp(k, "maxbw") == 0) {
        if (vsw_maxbw_parse(v, &vc->maxbw) < 0)
            return bad(err, errlen, "invalid maxbw '%s'", v);
    } else if (strcmp(k, "priority") == 0) {
        if (vsw_priority_parse(v, &vc->priority) < 0)
            return bad(err, errlen, "invalid priority '%s'", v);
    } else if (strcmp(k, "protection") == 0) {
        if (vsw_protection_parse(v, &vc->protection) < 0)
            return bad(err, errlen, "invalid protection '%s'", v);
    } else if (strcmp(k, "mtu") == 0) {
        errno = 0;
        n = strtoul(v, &end, 10);
        if (errno || *end || end == v || n < VSW_VNIC_MTU_MIN ||
            n > VSW_VNIC_MTU_MAX)
            return bad(err, errlen, "invalid mtu '%s'", v);
        vc->mtu = (uint16_t)n;
    } else if (strcmp(k, "allowed-ips") == 0) {
        if (vsw_ips_parse(v, vc->ips, &vc->nips) < 0)
            return bad(err, errlen, "invalid allowed-ips '%s'", v);
    } else if (strcmp(k, "attach") == 0) {
        if (strcmp(v, "tap") == 0)
            vc->attach = VSW_ATTACH_TAP;
        else if (strcmp(v, "none") == 0)
            vc->attach = VSW_ATTACH_NONE;
        else
            return bad(err, errlen, "invalid attach '%s'", v);
    } else {
        return bad(err, errlen, "unknown vnic key '%s'", k);
    }
    return 0;
}

static int head_parse(char *kind, char *name, struct vsw_conf_obj *obj,
                      char *err, size_t errlen)
{
    memset(obj, 0, sizeof(*obj));
    if (!name)
        return bad(err, errlen, "missing name after '%s'", kind);
    if (strlen(name) >= VSW_NAMSIZ)
        return bad(err, errlen, "link name too long '%s'", name);
    if (strcmp(kind, "link") == 0) {
        strcpy(obj->link.name, name);
        obj->cls = VSW_CLASS_PHYS;
        obj->link.cls = VSW_CLASS_PHYS;
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
    char *save = NULL, *kind, *tok;
    int rc;

    line[strcspn(line, "#")] = '\0';
    kind = strtok_r(line, " \t\r\n", &save);
    if (!kind)
        return 0;
    rc = head_parse(kind, strtok_r(NULL, " \t\r\n", &save), obj, err, errlen);
    while (rc == 0 && (tok = strtok_r(NULL, " \t\r\n", &save)) != NULL) {
        char *eq = strchr(tok, '=');

        if (!eq)
            return bad(err, errlen, "expected key=value, got '%s'", tok);
        *eq = '\0';
        if (obj->cls == VSW_CLASS_VNIC)
            rc = vnic_key(&obj->vnic, tok, eq + 1, err, errlen);
        else
            rc = link_key(&obj->link, tok, eq + 1, err, errlen);
    }
    if (rc < 0)
        return rc;
    if (obj->cls != VSW_CLASS_VNIC) {
        obj->cls = obj->link.cls;
        if (obj->cls == VSW_CLASS_PHYS && !obj->link.devargs[0])
            return bad(err, errlen, "link '%s' needs devargs=", obj->link.name);
    } else if (!obj->vnic.link[0]) {
        return bad(err, errlen, "vnic '%s' needs link=", obj->vnic.name);
    }
    return 1;
}

int vsw_conf_format_link(const struct vsw_link_conf *lc, char *buf, size_t len)
{
    if (lc->cls == VSW_CLASS_PHYS)
        return snprintf(buf, len, "link %s class=phys devargs=%s\n", lc->name,
                        lc->devargs);
    return snprintf(buf, len, "link %s class=etherstub\n", lc->name);
}

int vsw_conf_format_vnic(const struct vsw_vnic_conf *vc, char *buf, size_t len)
{
    char mac[18], bw[32], prot[64], mtu[16] = "";
    char ips[VSW_IPS_MAX * 48] = "";

    vsw_mac_format(vc->mac, mac);
    vsw_maxbw_format(vc->maxbw, bw, sizeof(bw));
    vsw_protection_format(vc->protection, prot, sizeof(prot));
    if (vc->mtu)
        snprintf(mtu, sizeof(mtu), " mtu=%u", vc->mtu);
    if (vc->nips) {
        strcpy(ips, " allowed-ips=");
        vsw_ips_format(vc->ips, vc->nips, ips + strlen(ips),
                       sizeof(ips) - strlen(ips));
    }
    return snprintf(buf, len,
                    "vnic %s link=%s mac=%s mac-type=%s vid=%u maxbw=%s "
                    "priority=%s protection=%s attach=%s%s%s%s%s\n",
                    vc->name, vc->link, mac,
                    vsw_mac_type_str(vc->mac_type),
                    vc->vid, bw, vsw_priority_str(vc->priority), prot,
                    vc->attach == VSW_ATTACH_TAP ? "tap" : "none",
                    vc->tap[0] ? " tap=" : "", vc->tap, mtu, ips);
}
