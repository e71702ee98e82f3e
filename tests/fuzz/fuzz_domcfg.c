/* SPDX-License-Identifier: MIT */
/*
 * fuzz_domcfg.c - libFuzzer harness for the domain config parser
 * (libdomcfg).  The input is a config file, any bytes.  Besides not
 * crashing, the harness checks what the parser promises and aborts on a
 * breach:
 *  - on failure the message starts with the file name and a line;
 *  - on success every value is within its documented limits (an init
 *    command's strings too), and
 *    xvm_domcfg_format() writes text that parses back to the same config.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domcfg/domcfg.h"
#include "fuzz_harness.h"

static void check_vif(const struct xvm_vifcfg *v)
{
    /* A borrowed VNIC comes alone; a vif's own VNIC may be named. */
    if (v->vnic[0]) {
        if (lp_name_check(v->vnic) < 0 || v->link[0] || v->vifname[0] ||
            v->maxbw != LP_MAXBW_NONE || v->vlan || v->nips ||
            v->protection || v->mtu || v->mac_kind != XVM_MAC_AUTO)
            abort();
        return;
    }
    if (v->vifname[0] && lp_name_check(v->vifname) < 0)
        abort();
    if ((lp_name_check(v->link) < 0 && lp_ifname_check(v->link) < 0) ||
        v->vlan > LP_VID_MAX ||
        (v->maxbw != LP_MAXBW_NONE &&
         (v->maxbw < LP_MAXBW_MIN || v->maxbw > LP_MAXBW_MAX)) ||
        (unsigned)v->priority > LP_PRIO_HIGH ||
        (v->mac_kind == XVM_MAC_FIXED && !lp_mac_valid(v->mac)))
        abort();
}

static void check_init(const struct xvm_domcfg *cfg)
{
    const char *argv[XVM_DOMCFG_INIT_ARGS_MAX + 1];
    int argc = xvm_domcfg_init_argv(cfg, argv, XVM_DOMCFG_INIT_ARGS_MAX + 1);
    int i;

    if (argc < 0 || argv[argc] != NULL ||
        (cfg->init_kind == XVM_INIT_NONE && (argc || cfg->init_argc)) ||
        (cfg->init_kind == XVM_INIT_SHELL && (argc != 3 ||
                                             cfg->init_argc != 1)) ||
        (cfg->init_kind == XVM_INIT_EXEC &&
         (argc != (int)cfg->init_argc || argc > XVM_DOMCFG_INIT_ARGS_MAX ||
          argv[0][0] != '/')) ||
        cfg->init[XVM_DOMCFG_INIT_MAX - 1] != '\0')
        abort();
    for (i = 0; i < argc; i++)
        for (const char *p = argv[i]; *p; p++)
            if (((unsigned char)*p < 0x20 && *p != '\t') || *p == 0x7f)
                abort();
}

static void check_ok(const struct xvm_domcfg *cfg)
{
    static char text[XVM_DOMCFG_TEXT_MAX];
    struct xvm_domcfg back;
    char err[256];
    unsigned i;
    int n;

    if (!xvm_domcfg_name_ok(cfg->name) || cfg->memory_mib == 0 ||
        cfg->memory_mib > XVM_DOMCFG_MEMORY_MAX || cfg->vcpus == 0 ||
        cfg->vcpus > XVM_DOMCFG_VCPUS_MAX || cfg->nr_vifs > XVM_DOMCFG_VIFS_MAX)
        abort();
    for (i = 0; i < cfg->nr_vifs; i++)
        check_vif(&cfg->vifs[i]);
    check_init(cfg);
    n = xvm_domcfg_format(cfg, text, sizeof(text));
    if (n < 0 ||
        xvm_domcfg_parse(text, (size_t)n, "back", &back, err, sizeof(err)) !=
            0 ||
        memcmp(cfg, &back, sizeof(back)) != 0) {
        fprintf(stderr, "round trip failed: %s\n%s", err, text);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct xvm_domcfg cfg;
    char err[256];
    int rc;

    rc = xvm_domcfg_parse((const char *)data, size, "f.cfg", &cfg, err,
                          sizeof(err));
    if (rc == 0)
        check_ok(&cfg);
    else if (strncmp(err, "f.cfg:", 6) != 0 || (rc != -EINVAL && rc != -E2BIG))
        abort();
    return 0;
}
