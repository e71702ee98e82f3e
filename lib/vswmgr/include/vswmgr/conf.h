/* SPDX-License-Identifier: MIT */
/*
 * vsw/conf.h - the datalink configuration file: the boot configuration an
 * administrator writes for vswitchd -c, and the persistent state vswitchd
 * keeps (<state dir>/datalink.conf).  One object per line, '#' comments:
 *
 *   link phys0 class=phys devargs=net_af_packet0,iface=eth1
 *   link stub0 class=etherstub
 *   vnic vnic0 link=phys0 mac=2:8:20:1:2:3 vid=10 maxbw=100M
 *        priority=high protection=mac-nospoof attach=tap tap=vnic0
 *   (one line)
 *   nic eth2 nicmode=dedicated pci=0000:03:00.0
 *
 * A "nic" line (the state file's) gives a host NIC's own link properties
 * that outlive it: nicmode and cpus (dladm set-linkprop) and, dedicated,
 * the PCI address of the NIC, whose interface is gone once vfio-pci has
 * it.  A physical link's line may have cpus= too.
 * VNIC keys: link (required), mac (absent: random), mac-type=random|fixed,
 * vid, maxbw (absent: no limit), priority, protection, mtu, cpus (absent:
 * by load), allowed-ips, attach=none|tap, tap; values in the forms of
 * linkprop/linkprop.h (MACs written "2:8:20:1:2:3"), absent ones at its
 * defaults.  Values cannot contain white space.
 * Pure functions; any thread.
 */
#ifndef VSW_CONF_H
#define VSW_CONF_H

#include "xvm/export.h"

#include <stdbool.h>
#include <stddef.h>

#include "vswctl/defs.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Name of the state file inside the state directory. */
#define VSW_STATE_FILE "datalink.conf"
/** Longest line of a configuration file. */
#define VSW_CONF_LINE_MAX 2048
/** Largest configuration file read. */
#define VSW_CONF_FILE_MAX (1024 * 1024)

/** One parsed line. */
struct vsw_conf_obj {
    enum vsw_class cls; /**< PHYS/ETHERSTUB: link (a "nic" line: PHYS
                             with VSW_LINK_F_HOSTNIC); VNIC: vnic */
    struct vsw_link_conf link;
    struct vsw_vnic_conf vnic;
};

/**
 * Parse one line (modified in place).
 * @return 1 with @obj filled, 0 for a blank or comment line, or -EINVAL
 *         with a message in @err.
 */
XVN_EXPORT
int vsw_conf_parse_line(char *line, struct vsw_conf_obj *obj, char *err,
                        size_t errlen);

/** Write @lc / @vc as one line with its newline.  @return length. */
XVN_EXPORT
int vsw_conf_format_link(const struct vsw_link_conf *lc, char *buf,
                         size_t len);
/** A "nic" line of @lc's name, nicmode and pci. */
XVN_EXPORT
int vsw_conf_format_nic(const struct vsw_link_conf *lc, char *buf,
                        size_t len);
XVN_EXPORT
int vsw_conf_format_vnic(const struct vsw_vnic_conf *vc, char *buf,
                         size_t len);

#ifdef __cplusplus
}
#endif

#endif /* VSW_CONF_H */
