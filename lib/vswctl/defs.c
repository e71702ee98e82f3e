/* SPDX-License-Identifier: MIT */
/* VNIC defaults and the names of classes and drop reasons (vswctl/defs.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "vswctl/defs.h"

void vsw_vnic_conf_init(struct vsw_vnic_conf *vc)
{
    memset(vc, 0, sizeof(*vc));
    vc->mac_type = VSW_MAC_RANDOM;
    vc->priority = LP_PRIO_DEFAULT;
}

/* A string key into @dst of @size bytes, zero-padded: a value given
 * twice leaves nothing of the first. */
static int set_str(char *dst, size_t size, const char *v)
{
    if (strlen(v) >= size)
        return -EINVAL;
    strncpy(dst, v, size);
    return 0;
}

/* One of two words: @a gives @va, @b gives @vb. */
static int set_word(const char *v, const char *a, const char *b, int va,
                    int vb, int *out)
{
    if (strcmp(v, a) != 0 && strcmp(v, b) != 0)
        return -EINVAL;
    *out = strcmp(v, a) == 0 ? va : vb;
    return 0;
}

const char *vsw_mac_type_str(enum vsw_mac_type t)
{
    switch (t) {
    case VSW_MAC_FIXED: return "fixed";
    case VSW_MAC_AUTO: return "auto";
    default: return "random";
    }
}

int vsw_vnic_conf_set(struct vsw_vnic_conf *vc, const char *key,
                      const char *val, uint32_t *mod)
{
    int rc = -ENOENT, w = 0;

    *mod = 0;
    if (strcmp(key, "link") == 0) {
        rc = set_str(vc->link, sizeof(vc->link), val);
        *mod = VSW_MOD_LINK;
    } else if (strcmp(key, "tap") == 0) {
        rc = set_str(vc->tap, sizeof(vc->tap), val);
    } else if (strcmp(key, "mac") == 0) {
        rc = lp_mac_parse(val, vc->mac);
        vc->mac_type = VSW_MAC_FIXED;
        *mod = VSW_MOD_MAC;
    } else if (strcmp(key, "mac-type") == 0) {
        rc = set_word(val, "random", "fixed", VSW_MAC_RANDOM, VSW_MAC_FIXED,
                      &w);
        vc->mac_type = (enum vsw_mac_type)w;
        *mod = VSW_MOD_MAC;
    } else if (strcmp(key, "vid") == 0) {
        rc = lp_vid_parse(val, &vc->vid);
        *mod = VSW_MOD_VID;
    } else if (strcmp(key, "maxbw") == 0) {
        rc = lp_maxbw_parse(val, &vc->maxbw);
        *mod = VSW_MOD_MAXBW;
    } else if (strcmp(key, "priority") == 0) {
        rc = lp_priority_parse(val, &vc->priority);
        *mod = VSW_MOD_PRIORITY;
    } else if (strcmp(key, "protection") == 0) {
        rc = lp_protection_parse(val, &vc->protection);
        *mod = VSW_MOD_PROTECTION;
    } else if (strcmp(key, "mtu") == 0) {
        rc = lp_mtu_parse(val, &vc->mtu);
        *mod = VSW_MOD_MTU;
    } else if (strcmp(key, "cpus") == 0) {
        rc = lp_cpu_parse(val, &vc->cpus);
        vc->has_cpus = rc == 0;
        *mod = VSW_MOD_CPUS;
    } else if (strcmp(key, "allowed-ips") == 0) {
        rc = lp_ips_parse(val, vc->ips, &vc->nips);
        *mod = VSW_MOD_ALLOWED_IPS;
    } else if (strcmp(key, "attach") == 0) {
        rc = set_word(val, "tap", "none", VSW_ATTACH_TAP, VSW_ATTACH_NONE,
                      &w);
        vc->attach = (enum vsw_attach)w;
    }
    return rc < 0 && rc != -ENOENT ? -EINVAL : rc;
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

const char *vsw_nic_attach_str(enum vsw_nic_attach a)
{
    switch (a) {
    case VSW_NIC_ATTACH_NONE: return "";
    case VSW_NIC_ATTACH_XDP: return "xdp";
    case VSW_NIC_ATTACH_AF_PACKET: return "af_packet";
    case VSW_NIC_ATTACH_DPDK: return "dpdk";
    case VSW_NIC_ATTACH_DEDICATED: return "dedicated";
    case VSW_NIC_ATTACH_OTHER: return "other";
    case VSW_NIC_ATTACH__MAX: break;
    }
    return "other";
}

const char *vsw_nicmode_str(enum vsw_nicmode mode)
{
    return mode == VSW_NICMODE_DEDICATED ? "dedicated" : "shared";
}

int vsw_nicmode_parse(const char *s, enum vsw_nicmode *mode)
{
    if (strcmp(s, "shared") == 0)
        *mode = VSW_NICMODE_SHARED;
    else if (strcmp(s, "dedicated") == 0)
        *mode = VSW_NICMODE_DEDICATED;
    else
        return -EINVAL;
    return 0;
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
