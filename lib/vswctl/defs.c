/* SPDX-License-Identifier: MIT */
/* VNIC defaults and the names of classes and drop reasons (vswctl/defs.h). */
#define _GNU_SOURCE
#include <string.h>

#include "vswctl/defs.h"

void vsw_vnic_conf_init(struct vsw_vnic_conf *vc)
{
    memset(vc, 0, sizeof(*vc));
    vc->mac_type = VSW_MAC_RANDOM;
    vc->priority = LP_PRIO_DEFAULT;
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
