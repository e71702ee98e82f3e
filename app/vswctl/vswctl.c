/* SPDX-License-Identifier: MIT */
/*
 * vswctl: a plain client of vswitchd's control socket, for scripts and
 * tests (dladm is the administrator's tool; vswctl(8)).  Output is one object per
 * line, fields separated by spaces, so scripts can read it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vswctl/client.h"
#include "xvm/rundir.h"
#include "xvm/version.h"

static void usage(FILE *f)
{
    fprintf(f,
        "usage: vswctl [-s socket] command ...\n"
        "  link-create [-t] NAME phys DEVARGS | NAME etherstub\n"
        "  link-delete [-t] NAME\n"
        "  link-show [NAME]   NAME CLASS NVNICS TEMPORARY DEVARGS NIC\n"
        "                     ATTACHED STATE MTU (NIC: its host NIC or --;\n"
        "                     a host NIC's own link says nic=NAME)\n"
        "  vnic-create [-t] NAME LINK [mac=M] [vid=N] [maxbw=B]\n"
        "              [priority=P] [protection=L] [cpus=N] [attach=tap|none]\n"
        "              [tap=IF]\n"
        "  vnic-delete [-t] NAME\n"
        "  vnic-modify [-t] NAME [maxbw=B] [priority=P] [protection=L]\n"
        "              [cpus=N]\n"
        "  vnic-show [NAME]   NAME LINK MAC MACTYPE VID MAXBW PRIORITY\n"
        "                     PROTECTION ATTACH TAP TEMPORARY\n"
        "  stats [NAME]       NAME CLASS IPACKETS RBYTES OPACKETS OBYTES\n"
        "                     IERRORS OERRORS then drops by reason\n"
        "  stat NAME FIELD    one counter: ipackets ... unknown-dest\n");
}

static int vnic_prop(struct vsw_vnic_conf *vc, uint32_t *mods, char *kv)
{
    char *eq = strchr(kv, '='), *end;
    uint32_t mod;
    int rc;

    if (!eq)
        return -EINVAL;
    *eq = '\0';
    if (strcmp(kv, "vid") == 0) {
        /* Any 16-bit number, unchecked: tests use vswctl to see vswitchd
         * itself refuse what dladm would. */
        unsigned long n = strtoul(eq + 1, &end, 10);

        vc->vid = (uint16_t)n;
        return (*end || end == eq + 1 || n > 65535) ? -EINVAL : 0;
    }
    rc = vsw_vnic_conf_set(vc, kv, eq + 1, &mod);
    *mods |= mod;
    return rc;
}

static int print_link(const struct vsw_link_conf *lc, void *arg)
{
    static const char *const state[] = {"unknown", "up", "down"};

    (void)arg;
    printf("%s %s %u %s %s %s%s %s %s %u\n", lc->name, vsw_class_str(lc->cls),
           lc->nvnics, lc->temporary ? "yes" : "no",
           lc->devargs[0] ? lc->devargs : "--",
           lc->flags & VSW_LINK_F_HOSTNIC ? "nic=" : "",
           lc->ifname[0] ? lc->ifname : "--",
           lc->flags & VSW_LINK_F_ATTACHED ? "attached" : "detached",
           lc->state <= VSW_LINK_STATE_DOWN ? state[lc->state] : "?",
           lc->mtu);
    return 0;
}

static int print_vnic(const struct vsw_vnic_conf *vc, void *arg)
{
    char mac[LP_MACSTRLEN], bw[LP_MAXBW_STRLEN], prot[LP_PROT_STRLEN];

    (void)arg;
    lp_mac_format(vc->mac, mac);
    lp_maxbw_format(vc->maxbw, bw, sizeof(bw));
    lp_protection_format(vc->protection, prot, sizeof(prot));
    printf("%s %s %s %s %u %s %s %s %s %s %s\n", vc->name, vc->link, mac,
           vsw_mac_type_str(vc->mac_type), vc->vid,
           vc->maxbw ? bw : "--", lp_priority_str(vc->priority), prot,
           vc->attach == VSW_ATTACH_TAP   ? "tap"
           : vc->attach == VSW_ATTACH_VIF ? "vif"
                                          : "none",
           vc->tap[0] ? vc->tap : "--", vc->temporary ? "yes" : "no");
    return 0;
}

static int print_stats(const char *name, enum vsw_class cls,
                       const struct vsw_stats *st, void *arg)
{
    int i;

    (void)arg;
    printf("%s %s %llu %llu %llu %llu %llu %llu", name, vsw_class_str(cls),
           (unsigned long long)st->ipackets, (unsigned long long)st->rbytes,
           (unsigned long long)st->opackets, (unsigned long long)st->obytes,
           (unsigned long long)st->ierrors, (unsigned long long)st->oerrors);
    for (i = 0; i < VSW_DROP__MAX; i++)
        printf(" %llu", (unsigned long long)st->drops[i]);
    printf("\n");
    return 0;
}

/* For "stat NAME FIELD": the counter named by arg. */
static int print_field(const char *name, enum vsw_class cls,
                       const struct vsw_stats *st, void *arg)
{
    const char *f = arg;
    static const char *const base[] = {"ipackets", "rbytes", "opackets",
                                       "obytes", "ierrors", "oerrors"};
    const uint64_t vals[] = {st->ipackets, st->rbytes, st->opackets,
                             st->obytes, st->ierrors, st->oerrors};
    int i;

    (void)name;
    (void)cls;
    for (i = 0; i < 6; i++)
        if (strcmp(f, base[i]) == 0)
            return printf("%llu\n", (unsigned long long)vals[i]) < 0;
    for (i = 0; i < VSW_DROP__MAX; i++)
        if (strcmp(f, vsw_drop_str((enum vsw_drop)i)) == 0)
            return printf("%llu\n", (unsigned long long)st->drops[i]) < 0;
    return -EINVAL;
}

static int cmd_link_create(struct vsw_client *c, int argc, char **argv,
                           bool tmp)
{
    struct vsw_link_conf lc;

    memset(&lc, 0, sizeof(lc));
    if (argc < 2 || strlen(argv[0]) >= sizeof(lc.name))
        return -EINVAL;
    strcpy(lc.name, argv[0]);
    lc.temporary = tmp;
    if (strcmp(argv[1], "etherstub") == 0 && argc == 2) {
        lc.cls = VSW_CLASS_ETHERSTUB;
    } else if (strcmp(argv[1], "phys") == 0 && argc == 3 &&
               strlen(argv[2]) < sizeof(lc.devargs)) {
        lc.cls = VSW_CLASS_PHYS;
        strcpy(lc.devargs, argv[2]);
    } else {
        return -EINVAL;
    }
    return vsw_client_link_create(c, &lc);
}

static int cmd_vnic(struct vsw_client *c, int argc, char **argv, bool tmp,
                    bool modify)
{
    struct vsw_vnic_conf vc;
    uint32_t mods = 0;
    int i, first = modify ? 1 : 2;

    vsw_vnic_conf_init(&vc);
    if (argc < first || strlen(argv[0]) >= sizeof(vc.name) ||
        (!modify && strlen(argv[1]) >= sizeof(vc.link)))
        return -EINVAL;
    strcpy(vc.name, argv[0]);
    if (!modify)
        strcpy(vc.link, argv[1]);
    vc.temporary = tmp;
    for (i = first; i < argc; i++) {
        if (vnic_prop(&vc, &mods, argv[i]) < 0) {
            fprintf(stderr, "vswctl: invalid property '%s'\n", argv[i]);
            exit(1);
        }
    }
    if (modify)
        return vsw_client_vnic_modify(c, &vc, mods, tmp);
    return vsw_client_vnic_create(c, &vc, NULL);
}

static int dispatch(struct vsw_client *c, int argc, char **argv)
{
    const char *cmd = argv[0];
    const char *one = argc > 1 ? argv[1] : NULL;
    bool tmp = argc > 1 && strcmp(argv[1], "-t") == 0;

    if (tmp) {
        argv++;
        argc--;
    }
    if (strcmp(cmd, "link-create") == 0)
        return cmd_link_create(c, argc - 1, argv + 1, tmp);
    if (strcmp(cmd, "link-delete") == 0 && argc == 2)
        return tmp ? vsw_client_link_deactivate(c, argv[1])
                   : vsw_client_link_delete(c, argv[1]);
    if (strcmp(cmd, "link-show") == 0 && argc <= 2)
        return vsw_client_link_get(c, one, print_link, NULL);
    if (strcmp(cmd, "vnic-create") == 0)
        return cmd_vnic(c, argc - 1, argv + 1, tmp, false);
    if (strcmp(cmd, "vnic-modify") == 0)
        return cmd_vnic(c, argc - 1, argv + 1, tmp, true);
    if (strcmp(cmd, "vnic-delete") == 0 && argc == 2)
        return tmp ? vsw_client_vnic_deactivate(c, argv[1])
                   : vsw_client_vnic_delete(c, argv[1]);
    if (strcmp(cmd, "vnic-show") == 0 && argc <= 2)
        return vsw_client_vnic_get(c, one, print_vnic, NULL);
    if (strcmp(cmd, "stats") == 0 && argc <= 2)
        return vsw_client_stats_get(c, one, print_stats, NULL);
    if (strcmp(cmd, "stat") == 0 && argc == 3)
        return vsw_client_stats_get(c, argv[1], print_field, argv[2]);
    return -EINVAL;
}

int main(int argc, char **argv)
{
    const char *sock = NULL;
    struct vsw_client *c;
    int opt, rc;

    if (xvm_version_opt(argc, argv, "vswctl"))
        return 0;

    while ((opt = getopt(argc, argv, "+s:h")) != -1) {
        if (opt == 'h') {
            usage(stdout);
            return 0;
        }
        if (opt != 's') {
            usage(stderr);
            return 1;
        }
        sock = optarg;
    }
    if (optind >= argc) {
        usage(stderr);
        return 1;
    }
    c = vsw_client_open(sock);
    if (!c) {
        int e = errno;

        fprintf(stderr, "vswctl: cannot reach vswitchd at %s: %s\n",
                sock ? sock : xvm_run_path(XVM_SOCK_VSWITCHD),
                e == ENOENT || e == ECONNREFUSED ? "vswitchd is not running"
                                                 : strerror(e));
        return 1;
    }
    rc = dispatch(c, argc - optind, argv + optind);
    if (rc == -EINVAL && !vsw_client_error(c)[0]) {
        fprintf(stderr, "vswctl: bad command or arguments: %s (vswctl -h "
                "lists them)\n", argv[optind]);
        vsw_client_close(c);
        return 1;
    }
    if (rc < 0)
        fprintf(stderr, "vswctl: %s\n", vsw_client_error(c));
    vsw_client_close(c);
    return rc < 0 ? 1 : 0;
}
