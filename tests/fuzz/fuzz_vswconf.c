/* SPDX-License-Identifier: MIT */
/*
 * fuzz_vswconf.c - libFuzzer harness for vswitchd's datalink
 * configuration file (its state file and boot config, libvswmgr's
 * conf.c).  The input is a file, any bytes; it is cut into lines as
 * vswitchd reads it and each line is parsed.  The harness aborts when:
 *  - a result is not 1, 0 or -EINVAL, or a failure has no message;
 *  - a parsed VNIC has a value outside linkprop's limits, or its written
 *    form does not parse back to the same VNIC;
 *  - a parsed link's written form does not parse back to the same link;
 *  - a parsed "nic" line's written form does not parse back to the same
 *    name, nicmode and PCI address.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vswmgr/conf.h"
#include "fuzz_harness.h"

/* The same VNIC; allowed-ips entries past nips are left-overs of a
 * list given twice and are not part of the value. */
static int vnic_same(const struct vsw_vnic_conf *a,
                     const struct vsw_vnic_conf *b)
{
    struct vsw_vnic_conf x = *a, y = *b;

    memset(&x.ips[x.nips], 0, sizeof(x.ips[0]) * (LP_IPS_MAX - x.nips));
    memset(&y.ips[y.nips], 0, sizeof(y.ips[0]) * (LP_IPS_MAX - y.nips));
    return memcmp(&x, &y, sizeof(x)) == 0;
}

static void check_vnic(const struct vsw_vnic_conf *vc)
{
    char line[VSW_CONF_LINE_MAX * 2], err[256];
    struct vsw_conf_obj back;

    if (vc->vid > LP_VID_MAX ||
        (vc->maxbw && (vc->maxbw < LP_MAXBW_MIN || vc->maxbw > LP_MAXBW_MAX)) ||
        (unsigned)vc->priority > LP_PRIO_HIGH ||
        (vc->protection & ~(uint32_t)LP_PROT__ALL) ||
        (vc->mtu && (vc->mtu < LP_MTU_MIN || vc->mtu > LP_MTU_MAX)) ||
        vc->nips > LP_IPS_MAX)
        abort();
    if (vsw_conf_format_vnic(vc, line, sizeof(line)) >= (int)sizeof(line))
        abort();
    if (vsw_conf_parse_line(line, &back, err, sizeof(err)) != 1 ||
        back.cls != VSW_CLASS_VNIC || !vnic_same(&back.vnic, vc))
        abort();
}

static void check_link(const struct vsw_link_conf *lc)
{
    char line[VSW_CONF_LINE_MAX * 2], err[256];
    struct vsw_conf_obj back;

    if (vsw_conf_format_link(lc, line, sizeof(line)) >= (int)sizeof(line))
        abort();
    if (vsw_conf_parse_line(line, &back, err, sizeof(err)) != 1 ||
        strcmp(back.link.name, lc->name) != 0 || back.link.cls != lc->cls ||
        (lc->cls == VSW_CLASS_PHYS &&
         strcmp(back.link.devargs, lc->devargs) != 0))
        abort();
}

/* A NIC's link ("nic" line): its nicmode and PCI address come back. */
static void check_nic(const struct vsw_link_conf *lc)
{
    char line[VSW_CONF_LINE_MAX * 2], err[256];
    struct vsw_conf_obj back;

    if ((unsigned)lc->nicmode > VSW_NICMODE_DEDICATED)
        abort();
    if (vsw_conf_format_nic(lc, line, sizeof(line)) >= (int)sizeof(line))
        abort();
    if (vsw_conf_parse_line(line, &back, err, sizeof(err)) != 1 ||
        !(back.link.flags & VSW_LINK_F_HOSTNIC) ||
        strcmp(back.link.name, lc->name) != 0 ||
        back.link.nicmode != lc->nicmode ||
        strcmp(back.link.pci, lc->pci) != 0)
        abort();
}

static void one_line(char *line)
{
    struct vsw_conf_obj obj;
    char err[256] = "";
    int rc = vsw_conf_parse_line(line, &obj, err, sizeof(err));

    if (rc == -EINVAL && err[0] == '\0')
        abort();
    if (rc != 1 && rc != 0 && rc != -EINVAL)
        abort();
    if (rc == 1 && obj.cls == VSW_CLASS_VNIC)
        check_vnic(&obj.vnic);
    else if (rc == 1 && (obj.link.flags & VSW_LINK_F_HOSTNIC))
        check_nic(&obj.link);
    else if (rc == 1)
        check_link(&obj.link);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char line[VSW_CONF_LINE_MAX];
    size_t i = 0;

    while (i < size) {
        size_t n = 0;

        while (i < size && data[i] != '\n' && n + 1 < sizeof(line)) {
            line[n++] = data[i] ? (char)data[i] : ' ';
            i++;
        }
        if (i < size && data[i] == '\n')
            i++;
        line[n] = '\0';
        one_line(line);
    }
    return 0;
}
