/* SPDX-License-Identifier: MIT */
/*
 * xvm - the virsh-like command of xvnet: a thin table of commands over the
 * xvmd control protocol (hypervisor/xvmd/proto.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "vswctl/client.h"
#include "xvmdctl/client.h"
#include "domcfg/domcfg.h"
#include "xvm/fdpass.h"
#include "xvm/rundir.h"
#include "xvm/version.h"
#include "xvm/sandbox.h"

static const char *sock_path; /* -s, else the runtime directory's */

/* A call to xvmd (client.h): 0, or 1 after printing why it failed. */
static int call_run(struct xvmd_call *c)
{
    if (xvmd_call_run(c, sock_path) == 0)
        return 0;
    fprintf(stderr, "xvm: %s\n", c->err);
    return 1;
}

/* One domain of a reply. */
struct dominfo {
    uint32_t id, state, vcpus, pid, autostart, irq, unlimited;
    const char *name, *ostype, *hypervisor; /* hypervisor: NULL for none */
    const uint8_t *uuid;
    uint64_t memory;
};

static int simple(uint16_t cmd, const char *dom, const char *done);
static void id_format(uint32_t id, char buf[12]);

static int dominfo_get(const struct nlattr *nest, struct dominfo *d)
{
    const struct nlattr *tb[XVMD_D_MAX_ + 1];
    int i;

    if (xvmd_nest_parse(nest, tb, XVMD_D_MAX_, xvmd_dom_policy) < 0)
        return -1;
    /* every attribute up to AUTOSTART; the hypervisor's two together */
    for (i = 1; i <= XVMD_D_AUTOSTART; i++)
        if (!tb[i] || (i == XVMD_D_UUID &&
                       mnl_attr_get_payload_len(tb[i]) != 16))
            return -1;
    d->id = mnl_attr_get_u32(tb[XVMD_D_ID]);
    d->name = mnl_attr_get_str(tb[XVMD_D_NAME]);
    d->uuid = mnl_attr_get_payload(tb[XVMD_D_UUID]);
    d->state = mnl_attr_get_u32(tb[XVMD_D_STATE]);
    d->ostype = mnl_attr_get_str(tb[XVMD_D_OSTYPE]);
    d->memory = mnl_attr_get_u64(tb[XVMD_D_MEMORY]);
    d->vcpus = mnl_attr_get_u32(tb[XVMD_D_VCPUS]);
    d->pid = mnl_attr_get_u32(tb[XVMD_D_PID]);
    d->autostart = mnl_attr_get_u32(tb[XVMD_D_AUTOSTART]);
    if (!tb[XVMD_D_HYPERVISOR] != !tb[XVMD_D_IRQ])
        return -1;
    d->hypervisor = tb[XVMD_D_HYPERVISOR]
                        ? mnl_attr_get_str(tb[XVMD_D_HYPERVISOR]) : NULL;
    d->irq = tb[XVMD_D_IRQ] ? mnl_attr_get_u32(tb[XVMD_D_IRQ]) : 0;
    d->unlimited = tb[XVMD_D_UNLIMITED]
                       ? mnl_attr_get_u32(tb[XVMD_D_UNLIMITED]) : 0;
    return 0;
}

static int dom_request(uint16_t cmd, const char *dom, struct xvmd_call *c)
{
    xvmd_call_start(c, cmd);
    if (!mnl_attr_put_strz_check(c->nlh, sizeof(c->req), XVMD_A_DOM, dom) ||
        strlen(dom) > 127) {
        fprintf(stderr, "xvm: '%.40s...': domain name too long\n", dom);
        return 1;
    }
    return call_run(c);
}

/* How long create and start wait for the vifs to connect (ms). */
#define WAIT_DEFAULT_MS 30000u

/*
 * The options of create and start: [--no-wait | --timeout SECS].  Leaves
 * @argv at the operand.  @return ms to wait (0: --no-wait), or -1 after
 * printing why the options are wrong.
 */
static long wait_opts(const char *verb, char ***argv)
{
    long ms = WAIT_DEFAULT_MS;
    bool given = false;
    char *end;

    for (; (*argv)[0] && (*argv)[0][0] == '-' && (*argv)[1]; (*argv)++) {
        bool nowait = strcmp((*argv)[0], "--no-wait") == 0;

        if ((nowait || strcmp((*argv)[0], "--timeout") == 0) && given) {
            fprintf(stderr, "xvm: %s: --no-wait and --timeout: one of the "
                    "two, once\n", verb);
            return -1;
        }
        given = given || nowait || strcmp((*argv)[0], "--timeout") == 0;
        if (nowait) {
            ms = 0;
        } else if (strcmp((*argv)[0], "--timeout") == 0) {
            if (!(*argv)[2])
                break; /* SECS, and no operand after it */
            (*argv)++;
            errno = 0;
            ms = strtol((*argv)[0], &end, 10);
            if (errno || *end || ms < 1 ||
                ms > (long)(XVMD_WAIT_MAX_MS / 1000)) {
                fprintf(stderr, "xvm: %s: --timeout %s: expected seconds "
                        "(1-%u)\n", verb, (*argv)[0],
                        XVMD_WAIT_MAX_MS / 1000);
                return -1;
            }
            ms *= 1000;
        } else {
            fprintf(stderr, "xvm: %s: unknown option '%s'\n", verb,
                    (*argv)[0]);
            return -1;
        }
    }
    /* "start --timeout" alone: the option, not a domain named so */
    if (!(*argv)[0] || (*argv)[1] || strcmp((*argv)[0], "--no-wait") == 0 ||
        strcmp((*argv)[0], "--timeout") == 0) {
        fprintf(stderr, "xvm: usage: xvm %s [--no-wait | --timeout SECS] "
                "%s\n", verb, strcmp(verb, "create") == 0 ? "FILE" : "DOM");
        return -1;
    }
    return ms;
}

/* The WAIT attribute of a create or start: @ms, none when 0. */
static void wait_put(struct xvmd_call *c, long ms)
{
    if (ms > 0) {
        mnl_attr_put_u32(c->nlh, XVMD_A_WAIT, (uint32_t)ms);
        c->wait_ms = (unsigned)ms;
    }
}

/* CREATE or DEFINE from config file @path, waiting @ms for the vifs. */
static int file_request(uint16_t cmd, const char *path, long ms)
{
    static struct xvmd_call c;
    static char text[XVM_DOMCFG_TEXT_MAX + 1];
    struct xvm_domcfg cfg;
    char err[1024];
    size_t len = 0;
    ssize_t n = 0;
    char *argv[] = {(char *)path, NULL};
    int fd;

    fd = open(argv[0], O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        fprintf(stderr, "xvm: %s: %s\n", argv[0], strerror(errno));
        return 1;
    }
    while (len < sizeof(text) &&
           (n = read(fd, text + len, sizeof(text) - len)) > 0)
        len += (size_t)n;
    close(fd);
    if (n < 0) {
        fprintf(stderr, "xvm: %s: %s\n", argv[0], strerror(errno));
        return 1;
    }
    /* check here too, so a bad file is reported even with no xvmd */
    if (xvm_domcfg_parse(text, len, argv[0], &cfg, err, sizeof(err)) < 0) {
        fprintf(stderr, "xvm: %s\n", err);
        return 1;
    }
    xvmd_call_start(&c, cmd);
    if (!mnl_attr_put_strz_check(c.nlh, sizeof(c.req), XVMD_A_FILE,
                                 argv[0]) ||
        !mnl_attr_put_check(c.nlh, sizeof(c.req), XVMD_A_CONFIG, len, text)) {
        fprintf(stderr, "xvm: %s: file name too long\n", argv[0]);
        return 1;
    }
    wait_put(&c, ms);
    if (call_run(&c))
        return 1;
    printf("Domain '%s' %s from %s\n", cfg.name,
           cmd == XVMD_CMD_CREATE ? "created" : "defined", argv[0]);
    return 0;
}

static int cmd_create(char **argv)
{
    long ms = wait_opts("create", &argv);

    return ms < 0 ? 1 : file_request(XVMD_CMD_CREATE, argv[0], ms);
}

static int cmd_define(char **argv)
{
    return file_request(XVMD_CMD_DEFINE, argv[0], 0);
}

static int cmd_reboot(char **argv)
{
    return simple(XVMD_CMD_REBOOT, argv[0], "is being rebooted");
}

static int cmd_autostart(char **argv)
{
    static struct xvmd_call c;
    const char *dom = argv[0];
    int on = 1;

    if (strcmp(argv[0], "--disable") == 0) {
        on = 0;
        dom = argv[1];
    } else if (argv[1]) {
        fprintf(stderr, "xvm: usage: xvm autostart [--disable] DOM\n");
        return 1;
    }
    if (!dom || dom[0] == '-') {
        fprintf(stderr, "xvm: usage: xvm autostart [--disable] DOM\n");
        return 1;
    }
    xvmd_call_start(&c, XVMD_CMD_AUTOSTART);
    mnl_attr_put_u32(c.nlh, XVMD_A_AUTOSTART, (uint32_t)on);
    if (!mnl_attr_put_strz_check(c.nlh, sizeof(c.req), XVMD_A_DOM, dom) ||
        strlen(dom) > 127) {
        fprintf(stderr, "xvm: '%.40s...': domain name too long\n", dom);
        return 1;
    }
    if (call_run(&c))
        return 1;
    printf("Domain '%s' %s\n", dom,
           on ? "marked as autostarted" : "unmarked as autostarted");
    return 0;
}

/* domid, domname, domuuid: one field of DOMINFO. */
static int dom_field(const char *dom, char what)
{
    static struct xvmd_call c;
    struct dominfo d;
    char buf[37];

    if (dom_request(XVMD_CMD_DOMINFO, dom, &c))
        return 1;
    if (!c.tb[XVMD_A_DOMAIN] || dominfo_get(c.tb[XVMD_A_DOMAIN], &d) < 0) {
        fprintf(stderr, "xvm: malformed reply from xvmd\n");
        return 1;
    }
    if (what == 'i')
        id_format(d.id, buf);
    else if (what == 'u')
        xvm_uuid_format(d.uuid, buf);
    printf("%s\n", what == 'n' ? d.name : buf);
    return 0;
}

static int cmd_domid(char **argv) { return dom_field(argv[0], 'i'); }
static int cmd_domname(char **argv) { return dom_field(argv[0], 'n'); }
static int cmd_domuuid(char **argv) { return dom_field(argv[0], 'u'); }

/* How many distinct lines /sys/devices/system/cpu/cpu*\/topology/@file
 * holds (physical packages, cores), 1 if none can be read. */
static unsigned topo_count(const char *file, const char *package)
{
    char seen[64][16], path[128], v[16], pkg[16];
    unsigned n = 0, i, cpu;
    FILE *f;

    for (cpu = 0; cpu < 4096; cpu++) {
        snprintf(path, sizeof(path),
                 "/sys/devices/system/cpu/cpu%u/topology/%s", cpu, file);
        f = fopen(path, "re");
        if (!f) {
            if (cpu > 0 && access("/sys/devices/system/cpu", F_OK) == 0)
                break;
            continue;
        }
        if (!fgets(v, sizeof(v), f))
            v[0] = '\0';
        fclose(f);
        if (package) { /* cores of the package @package only */
            snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%u/"
                     "topology/physical_package_id", cpu);
            f = fopen(path, "re");
            if (!f || !fgets(pkg, sizeof(pkg), f) ||
                strcmp(pkg, package) != 0) {
                if (f)
                    fclose(f);
                continue;
            }
            fclose(f);
        }
        for (i = 0; i < n && strcmp(seen[i], v) != 0; i++)
            ;
        if (i == n && n < 64)
            snprintf(seen[n++], sizeof(seen[0]), "%s", v);
    }
    return n ? n : 1;
}

/* virsh nodeinfo: this host's processors and memory. */
static int cmd_nodeinfo(char **argv)
{
    char line[256], model[sizeof(((struct utsname *)0)->machine)] = "",
         pkg0[16] = "0\n";
    unsigned long long kib = 0;
    double mhz = 0;
    unsigned cpus = (unsigned)sysconf(_SC_NPROCESSORS_ONLN), sockets, cores,
             cells = 0;
    struct utsname u;
    FILE *f;

    (void)argv;
    f = fopen("/proc/cpuinfo", "re");
    while (f && fgets(line, sizeof(line), f))
        if (mhz == 0 && sscanf(line, "cpu MHz : %lf", &mhz) == 1)
            break;
    if (f)
        fclose(f);
    f = fopen("/proc/meminfo", "re");
    while (f && fgets(line, sizeof(line), f))
        if (sscanf(line, "MemTotal: %llu kB", &kib) == 1)
            break;
    if (f)
        fclose(f);
    f = fopen("/sys/devices/system/cpu/cpu0/topology/physical_package_id",
              "re");
    if (f) {
        if (!fgets(pkg0, sizeof(pkg0), f))
            strcpy(pkg0, "0\n");
        fclose(f);
    }
    for (unsigned i = 0; i < 1024; i++) {
        snprintf(line, sizeof(line), "/sys/devices/system/node/node%u", i);
        if (access(line, F_OK) == 0)
            cells++;
    }
    if (uname(&u) == 0)
        snprintf(model, sizeof(model), "%s", u.machine);
    sockets = topo_count("physical_package_id", NULL);
    cores = topo_count("core_id", pkg0);
    printf("%-20s %s\n", "CPU model:", model);
    printf("%-20s %u\n", "CPU(s):", cpus);
    printf("%-20s %.0f MHz\n", "CPU frequency:", mhz);
    printf("%-20s %u\n", "CPU socket(s):", sockets);
    printf("%-20s %u\n", "Core(s) per socket:", cores);
    printf("%-20s %u\n", "Thread(s) per core:",
           cpus / (sockets * cores) ? cpus / (sockets * cores) : 1);
    printf("%-20s %u\n", "NUMA cell(s):", cells ? cells : 1);
    printf("%-20s %llu KiB\n", "Memory size:", kib);
    return 0;
}

static void id_format(uint32_t id, char buf[12])
{
    if (id == XVMD_NO_ID)
        strcpy(buf, "-");
    else
        snprintf(buf, 12, "%u", id);
}

static int cmd_list(char **argv)
{
    static struct xvmd_call c;
    const struct nlattr *a;
    struct dominfo d;
    int wid = 2, wname = 4, pass, i;
    char id[12];

    xvmd_call_start(&c, XVMD_CMD_LIST);
    if (argv[0]) {
        if (strcmp(argv[0], "--all") != 0) {
            fprintf(stderr, "xvm: usage: xvm list [--all]\n");
            return 1;
        }
        mnl_attr_put(c.nlh, XVMD_A_ALL, 0, NULL);
    }
    if (call_run(&c))
        return 1;
    /* two passes: measure the columns, then print */
    for (pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            printf(" %-*s   %-*s   %s\n", wid, "Id", wname, "Name",
                   "State");
            for (i = 0; i < wid + wname + 15; i++)
                putchar('-');
            putchar('\n');
        }
        mnl_attr_for_each(a, c.reply, 0) {
            if (mnl_attr_get_type(a) != XVMD_A_DOMAIN)
                continue;
            if (dominfo_get(a, &d) < 0) {
                fprintf(stderr, "xvm: malformed reply from xvmd\n");
                return 1;
            }
            id_format(d.id, id);
            if (pass == 0) {
                wid = (int)strlen(id) > wid ? (int)strlen(id) : wid;
                wname = (int)strlen(d.name) > wname ? (int)strlen(d.name)
                                                    : wname;
            } else {
                printf(" %-*s   %-*s   %s\n", wid, id, wname, d.name,
                       xvmd_state_str(d.state));
            }
        }
    }
    return 0;
}

static int vifs_brief(const char *dom, uint32_t id);

/* dominfo's "Limits:" line: the record's limits this host does not
 * enforce (XVMD_LIMIT_* bits); none, no line. */
static void limits_print(uint32_t bits)
{
    const uint32_t both = XVMD_LIMIT_VCPUS | XVMD_LIMIT_MEMORY;

    if (!(bits & both))
        return;
    printf("%-15s %s%s%s not enforced (%s)\n", "Limits:",
           bits & XVMD_LIMIT_VCPUS ? "CPU(s)" : "",
           (bits & both) == both ? " and " : "",
           bits & XVMD_LIMIT_MEMORY ? "max memory" : "",
           bits & XVMD_LIMIT_NOCGROUP
               ? "the domain has no cgroup v2 here: see xvmd's log"
           : (bits & both) == both
               ? "this host's cgroup v2 has no cpu or memory controller"
           : bits & XVMD_LIMIT_VCPUS
               ? "this host's cgroup v2 has no cpu controller"
               : "this host's cgroup v2 has no memory controller");
}

static int cmd_dominfo(char **argv)
{
    static struct xvmd_call c;
    struct dominfo d;
    char id[12], uuid[37];

    if (dom_request(XVMD_CMD_DOMINFO, argv[0], &c))
        return 1;
    if (!c.tb[XVMD_A_DOMAIN] || dominfo_get(c.tb[XVMD_A_DOMAIN], &d) < 0) {
        fprintf(stderr, "xvm: malformed reply from xvmd\n");
        return 1;
    }
    id_format(d.id, id);
    xvm_uuid_format(d.uuid, uuid);
    printf("%-15s %s\n", "Id:", id);
    printf("%-15s %s\n", "Name:", d.name);
    printf("%-15s %s\n", "UUID:", uuid);
    printf("%-15s %s\n", "OS Type:", d.ostype);
    printf("%-15s %s\n", "State:", xvmd_state_str(d.state));
    printf("%-15s %u\n", "CPU(s):", d.vcpus);
    printf("%-15s %llu KiB\n", "Max memory:", (unsigned long long)d.memory);
    limits_print(d.unlimited);
    printf("%-15s %s\n", "Autostart:", d.autostart ? "enable" : "disable");
    if (d.pid)
        printf("%-15s %u\n", "PID:", d.pid);
    if (d.hypervisor) {
        printf("%-15s %s\n", "Hypervisor:", d.hypervisor);
        printf("%-15s %s\n", "Interrupts:",
               d.irq ? "yes" : "no (the guest runs without interrupts "
                               "and exceptions)");
    }
    return d.id == 0 ? 0 : vifs_brief(argv[0], d.id); /* Domain-0: none */
}

/* destroy, shutdown, pause, resume, undefine: one request, one line. */
static int simple(uint16_t cmd, const char *dom, const char *done)
{
    static struct xvmd_call c;

    if (dom_request(cmd, dom, &c))
        return 1;
    printf("Domain '%s' %s\n", dom, done);
    return 0;
}

struct vnic_found {
    struct vsw_vnic_conf vc;
    bool found;
};

static int vnic_conf_cb(const struct vsw_vnic_conf *vc, void *arg)
{
    struct vnic_found *f = arg;

    f->vc = *vc;
    f->found = true;
    return 0;
}

/* vswitchd, asked about the VNICs vifs borrow: one connection for a
 * listing, opened at the first such VNIC, tried once. */
struct vsw_ask {
    struct vsw_client *c;
    bool tried;
};

/* The VLAN and maxbw of a VNIC a vif borrows (vnic=), which are the
 * VNIC's own, not the record's: "?" when vswitchd cannot say. */
static void vnic_props(struct vsw_ask *ask, const char *name, char *vlan,
                       size_t vlen, char *bw, size_t bwlen)
{
    struct vnic_found f = {.found = false};

    if (!ask->tried) {
        ask->c = vsw_client_open(NULL);
        ask->tried = true;
    }
    if (!ask->c || vsw_client_vnic_get(ask->c, name, vnic_conf_cb, &f) < 0 ||
        !f.found) {
        snprintf(vlan, vlen, "?");
        snprintf(bw, bwlen, "?");
    } else {
        if (f.vc.vid != LP_VID_NONE)
            snprintf(vlan, vlen, "%u", f.vc.vid);
        if (f.vc.maxbw)
            lp_maxbw_format(f.vc.maxbw, bw, bwlen);
    }
}

/* One line per vif of the DOMIFLIST reply in @c; the VNIC of a running
 * domain @id is xvm<id>_<n>.  @return vifs, or -1 on a malformed reply. */
static int vifs_print(const struct xvmd_call *c, uint32_t id)
{
    int wif = 9, wsrc = 6, wmac = 3, n = 0, pass;
    struct vsw_ask ask = {.c = NULL, .tried = false};

    /* two passes: measure the columns, then print */
    for (pass = 0; pass < 2; pass++) {
        const struct nlattr *a;

        if (pass == 1) {
            int i, total = wif + wsrc + wmac + 5 + 6 + 5 + 8 + 7 + 7;

            printf("%-*s %-5s %-*s %-6s %-*s %-5s %-8s %s\n", wif,
                   "Interface", "Type", wsrc, "Source", "Model", wmac, "MAC",
                   "VLAN", "Maxbw", "State");
            for (i = 0; i < total + 12; i++)
                putchar('-');
            putchar('\n');
        }
        mnl_attr_for_each(a, c->reply, 0) {
            const struct nlattr *tb[XVMD_V_MAX_ + 1];
            char ifname[24], bw[LP_MAXBW_STRLEN] = "--", vlan[8] = "--";
            const char *src, *mac;
            uint32_t st;
            int k;

            if (mnl_attr_get_type(a) != XVMD_A_VIFINFO)
                continue;
            if (xvmd_nest_parse(a, tb, XVMD_V_MAX_, xvmd_vif_policy) < 0) {
                n = -1;
                goto out;
            }
            for (k = XVMD_V_INDEX; k <= XVMD_V_STATE; k++)
                if (!tb[k]) {
                    n = -1;
                    goto out;
                }
            if (id != XVMD_NO_ID && tb[XVMD_V_VNIC])
                snprintf(ifname, sizeof(ifname), "%s",
                         mnl_attr_get_str(tb[XVMD_V_VNIC]));
            else if (id != XVMD_NO_ID)
                snprintf(ifname, sizeof(ifname), "xvm%u_%u", id,
                         mnl_attr_get_u32(tb[XVMD_V_INDEX]));
            else
                snprintf(ifname, sizeof(ifname), "-");
            /* A borrowed VNIC is its own source. */
            src = mnl_attr_get_str(tb[XVMD_V_LINK])[0] || !tb[XVMD_V_VNIC]
                      ? mnl_attr_get_str(tb[XVMD_V_LINK])
                      : mnl_attr_get_str(tb[XVMD_V_VNIC]);
            mac = mnl_attr_get_str(tb[XVMD_V_MAC])[0]
                      ? mnl_attr_get_str(tb[XVMD_V_MAC])
                      : "-";
            if (pass == 0) {
                wif = (int)strlen(ifname) > wif ? (int)strlen(ifname) : wif;
                wsrc = (int)strlen(src) > wsrc ? (int)strlen(src) : wsrc;
                wmac = (int)strlen(mac) > wmac ? (int)strlen(mac) : wmac;
                continue;
            }
            if (tb[XVMD_V_VNIC] && !mnl_attr_get_str(tb[XVMD_V_LINK])[0])
                vnic_props(&ask, mnl_attr_get_str(tb[XVMD_V_VNIC]), vlan,
                           sizeof(vlan), bw, sizeof(bw));
            if (mnl_attr_get_u64(tb[XVMD_V_MAXBW]))
                lp_maxbw_format(mnl_attr_get_u64(tb[XVMD_V_MAXBW]), bw,
                                sizeof(bw));
            if (mnl_attr_get_u32(tb[XVMD_V_VLAN]))
                snprintf(vlan, sizeof(vlan), "%u",
                         mnl_attr_get_u32(tb[XVMD_V_VLAN]));
            st = mnl_attr_get_u32(tb[XVMD_V_STATE]);
            printf("%-*s %-5s %-*s %-6s %-*s %-5s %-8s %s%s%s\n", wif,
                   ifname, "vnic", wsrc, src, "netif", wmac, mac, vlan, bw,
                   id == XVMD_NO_ID ? "-" : xvmd_vif_state_str(st),
                   tb[XVMD_V_ERROR] ? ": " : "",
                   tb[XVMD_V_ERROR] ? mnl_attr_get_str(tb[XVMD_V_ERROR])
                                    : "");
            n++;
        }
    }
out:
    vsw_client_close(ask.c);
    return n;
}

/* dominfo's "Vifs:" lines: one per vif, its link, state, VNIC, queues
 * (when more than one) and its pumps' CPUs (cpus=). */
static int vifs_brief(const char *dom, uint32_t id)
{
    static struct xvmd_call c;
    const struct nlattr *a;
    unsigned n = 0;

    if (dom_request(XVMD_CMD_DOMIFLIST, dom, &c))
        return 1;
    mnl_attr_for_each(a, c.reply, 0) {
        const struct nlattr *tb[XVMD_V_MAX_ + 1];

        if (mnl_attr_get_type(a) != XVMD_A_VIFINFO ||
            xvmd_nest_parse(a, tb, XVMD_V_MAX_, xvmd_vif_policy) < 0 ||
            !tb[XVMD_V_INDEX] || !tb[XVMD_V_LINK] || !tb[XVMD_V_STATE])
            continue;
        printf("%-15s vif %u on %s, %s", n ? "" : "Vifs:",
               mnl_attr_get_u32(tb[XVMD_V_INDEX]),
               mnl_attr_get_str(tb[XVMD_V_LINK])[0] || !tb[XVMD_V_VNIC]
                   ? mnl_attr_get_str(tb[XVMD_V_LINK])
                   : mnl_attr_get_str(tb[XVMD_V_VNIC]),
               id == XVMD_NO_ID
                   ? "shut off"
                   : xvmd_vif_state_str(mnl_attr_get_u32(tb[XVMD_V_STATE])));
        if (id != XVMD_NO_ID && tb[XVMD_V_VNIC])
            printf(" (VNIC %s)", mnl_attr_get_str(tb[XVMD_V_VNIC]));
        else if (id != XVMD_NO_ID)
            printf(" (VNIC xvm%u_%u)", id, mnl_attr_get_u32(tb[XVMD_V_INDEX]));
        if (tb[XVMD_V_QUEUES])
            printf(", %u queues", mnl_attr_get_u32(tb[XVMD_V_QUEUES]));
        if (tb[XVMD_V_CPUS])
            printf(", pumps on CPU%s %s",
                   strchr(mnl_attr_get_str(tb[XVMD_V_CPUS]), ' ') ? "s" : "",
                   mnl_attr_get_str(tb[XVMD_V_CPUS]));
        putchar('\n');
        n++;
    }
    if (!n)
        printf("%-15s none\n", "Vifs:");
    return 0;
}

static int cmd_domiflist(char **argv)
{
    static struct xvmd_call info, c;
    struct dominfo d;

    if (dom_request(XVMD_CMD_DOMINFO, argv[0], &info))
        return 1;
    if (!info.tb[XVMD_A_DOMAIN] || dominfo_get(info.tb[XVMD_A_DOMAIN], &d) < 0 ||
        dom_request(XVMD_CMD_DOMIFLIST, argv[0], &c)) {
        fprintf(stderr, "xvm: malformed reply from xvmd\n");
        return 1;
    }
    if (vifs_print(&c, d.id) < 0) {
        fprintf(stderr, "xvm: malformed reply from xvmd\n");
        return 1;
    }
    return 0;
}

static int cmd_destroy(char **argv)
{
    return simple(XVMD_CMD_DESTROY, argv[0], "destroyed");
}

static int cmd_start(char **argv)
{
    static struct xvmd_call c;
    long ms = wait_opts("start", &argv);

    if (ms < 0)
        return 1;
    xvmd_call_start(&c, XVMD_CMD_START);
    if (!mnl_attr_put_strz_check(c.nlh, sizeof(c.req), XVMD_A_DOM,
                                 argv[0]) ||
        strlen(argv[0]) > 127) {
        fprintf(stderr, "xvm: '%.40s...': domain name too long\n", argv[0]);
        return 1;
    }
    wait_put(&c, ms);
    if (call_run(&c))
        return 1;
    printf("Domain '%s' started\n", argv[0]);
    return 0;
}

static int cmd_shutdown(char **argv)
{
    return simple(XVMD_CMD_SHUTDOWN, argv[0], "is being shutdown");
}

static int cmd_pause(char **argv)
{
    return simple(XVMD_CMD_PAUSE, argv[0], "suspended");
}

static int cmd_resume(char **argv)
{
    return simple(XVMD_CMD_RESUME, argv[0], "resumed");
}

static int cmd_undefine(char **argv)
{
    return simple(XVMD_CMD_UNDEFINE, argv[0], "has been undefined");
}

/* The command xvm exec waits for, and the signals it passes on to it. */
static volatile pid_t exec_child;
static const int exec_forwarded[] = {SIGTERM, SIGHUP, SIGUSR1, SIGUSR2};

static void exec_forward(int sig)
{
    if (exec_child > 0)
        kill(exec_child, sig);
}

/*
 * Enter the domain's sandbox (xvm/sandbox.h) and run the command there:
 * join its cgroup, enter all its namespaces (a pidfd of its init), lock
 * ourselves (the mapped uid before the domain can see us: a process of
 * host uid 0 in its PID namespace would be one that its root could
 * ptrace), and fork, since only children enter the PID namespace.  We
 * wait here, out of the domain's sight, and exit as the command did.  A
 * SIGTERM, SIGHUP, SIGUSR1 or SIGUSR2 sent to us goes to the command (as
 * if xvm were the command, as with ip netns exec): they are blocked from
 * before the fork until the command's pid is known.
 */
static int cmd_exec(char **argv)
{
    static struct xvmd_call c;
    sigset_t block, old_mask;
    struct sigaction sa;
    int fd, st, rc = 0;
    unsigned i;
    pid_t pid;

    if (dom_request(XVMD_CMD_NETNS, argv[0], &c))
        return 1;
    if (c.nfds < 1 || c.fds[0] < 0) {
        fprintf(stderr, "xvm: xvmd sent no namespaces\n");
        return 1;
    }
    if (c.nfds > 1) {
        fd = openat(c.fds[1], "cgroup.procs", O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, "0", 1) != 1)
            rc = -errno;
        if (fd >= 0)
            close(fd);
    }
    if (rc == 0 && setns(c.fds[0], XVM_SANDBOX_NS) < 0)
        rc = -errno;
    xvmd_call_done(&c);
    if (rc == 0)
        rc = xvm_sandbox_lock();
    if (rc == 0 && chdir("/") < 0)
        rc = -errno;
    if (rc < 0) {
        fprintf(stderr, "xvm: cannot enter domain %s: %s\n", argv[0],
                strerror(-rc));
        return 1;
    }
    sigemptyset(&block);
    for (i = 0; i < sizeof(exec_forwarded) / sizeof(exec_forwarded[0]); i++)
        sigaddset(&block, exec_forwarded[i]);
    sigprocmask(SIG_BLOCK, &block, &old_mask);
    pid = fork();
    if (pid < 0) {
        fprintf(stderr, "xvm: fork: %s\n", strerror(errno));
        return 1;
    }
    if (pid == 0) {
        sigprocmask(SIG_SETMASK, &old_mask, NULL);
        execvp(argv[1], argv + 1);
        fprintf(stderr, "xvm: %s: %s\n", argv[1], strerror(errno));
        _exit(errno == ENOENT ? 127 : 126);
    }
    exec_child = pid;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = exec_forward;
    sa.sa_flags = SA_RESTART;
    for (i = 0; i < sizeof(exec_forwarded) / sizeof(exec_forwarded[0]); i++)
        sigaction(exec_forwarded[i], &sa, NULL);
    sigprocmask(SIG_SETMASK, &old_mask, NULL);
    signal(SIGINT, SIG_IGN); /* the command has them too */
    signal(SIGQUIT, SIG_IGN);
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return 1;
    exec_child = 0; /* reaped: its pid may be another's now */
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The byte that detaches a console from a terminal: Ctrl-] (virsh's). */
#define CONSOLE_ESCAPE 0x1d

/* The terminal as it was, while it is in raw mode (console_raw). */
static struct termios console_saved;
static volatile sig_atomic_t console_raw;

/* SIGTERM, SIGHUP, SIGINT, SIGQUIT: the terminal back as it was, and out
 * (tcsetattr() and _exit() are async-signal-safe). */
static void console_signal(int sig)
{
    if (console_raw)
        tcsetattr(STDIN_FILENO, TCSANOW, &console_saved);
    _exit(128 + sig);
}

/* Write all of @buf to @fd (blocking). */
static int write_all(int fd, const char *buf, size_t len)
{
    ssize_t w;

    while (len) {
        w = write(fd, buf, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        buf += w;
        len -= (size_t)w;
    }
    return 0;
}

/* The console relay (cmd_console()): until the domain's side ends, the
 * escape is typed or stdout goes away. */
static void console_relay(int sock, bool tty)
{
    static char in[4096], buf[16384];
    size_t pend = 0, off = 0;
    bool in_eof = false, shut = false, detach = false;
    ssize_t n;

    while (!detach) {
        /* (a pipe at its end would poll as hung up: left out then) */
        struct pollfd p[2] = {
            {.fd = !in_eof && (tty || !pend) ? STDIN_FILENO : -1,
             .events = POLLIN},
            {.fd = sock, .events = POLLIN | (pend ? POLLOUT : 0)},
        };

        if (in_eof && !pend && !shut) { /* xvmd ends it once output pauses */
            shutdown(sock, SHUT_WR);
            shut = true;
        }
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
            n = read(sock, buf, sizeof(buf));
            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
                break; /* the end: xvmd closed it */
            if (n > 0 && write_all(STDOUT_FILENO, buf, (size_t)n) < 0)
                break;
        }
        if (p[0].revents) {
            n = read(STDIN_FILENO, buf, sizeof(in)); /* fits in @in */
            if (n < 0 && (errno == EAGAIN || errno == EINTR))
                n = -2;
            if (n == 0 || n == -1) {
                in_eof = true;
                detach = tty;
            } else if (n > 0) {
                char *esc = tty ? memchr(buf, CONSOLE_ESCAPE, (size_t)n) : NULL;

                if (esc) {
                    n = esc - buf;
                    detach = true;
                }
                if (!pend) { /* a terminal's keys are dropped while the
                              * domain does not take its input */
                    memcpy(in, buf, (size_t)n);
                    pend = (size_t)n;
                    off = 0;
                }
            }
        }
        if (pend) {
            n = send(sock, in + off, pend, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n < 0 && errno != EAGAIN && errno != EINTR)
                break;
            if (n > 0) {
                off += (size_t)n;
                pend -= (size_t)n;
            }
        }
    }
}

/*
 * Attach to a domain's console (virsh console): xvmd hands over a socket
 * relayed to and from the domain's console.  From a terminal, raw mode
 * until Ctrl-] detaches (the terminal is restored); otherwise standard
 * input is relayed to its end, then the domain's output until xvmd ends
 * the socket, once that output pauses.
 */
static int cmd_console(char **argv)
{
    static struct xvmd_call c;
    struct sigaction sa;
    struct termios raw;
    bool tty = isatty(STDIN_FILENO);
    int sock;

    if (dom_request(XVMD_CMD_CONSOLE, argv[0], &c))
        return 1;
    if (c.nfds < 1 || c.fds[0] < 0) {
        fprintf(stderr, "xvm: xvmd sent no console\n");
        xvmd_call_done(&c);
        return 1;
    }
    sock = c.fds[0];
    c.fds[0] = -1;
    xvmd_call_done(&c);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = console_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGQUIT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (tty && tcgetattr(STDIN_FILENO, &console_saved) < 0)
        tty = false;
    if (tty) { /* before the greeting: what is typed after it is raw */
        raw = console_saved;
        cfmakeraw(&raw);
        console_raw = 1;
        tcsetattr(STDIN_FILENO, TCSADRAIN, &raw);
    }
    fprintf(stderr, "Connected to domain %s%s", argv[0], tty ? "\r\n" : "\n");
    fprintf(stderr, "Escape character is ^]%s", tty ? "\r\n" : "\n");
    console_relay(sock, tty);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSADRAIN, &console_saved);
        console_raw = 0;
        fputc('\n', stderr);
    }
    close(sock);
    return 0;
}

static int cmd_help(char **argv);

static const struct cmd {
    const char *name;
    int min_args, max_args; /* -1: any number */
    int (*fn)(char **argv);
    const char *args, *help;
} cmds[] = {
    {"create", 1, 4, cmd_create, "[--no-wait|--timeout S] FILE",
     "create and start a domain; wait for its vifs"},
    {"define", 1, 1, cmd_define, "FILE", "define a domain, do not start it"},
    {"list", 0, 1, cmd_list, "[--all]", "list domains (--all: shut off too)"},
    {"start", 1, 4, cmd_start, "[--no-wait|--timeout S] DOM",
     "start a shut-off domain from its record"},
    {"dominfo", 1, 1, cmd_dominfo, "DOM", "show a domain"},
    {"domiflist", 1, 1, cmd_domiflist, "DOM",
     "list a domain's network interfaces"},
    {"domid", 1, 1, cmd_domid, "DOM", "a domain's id"},
    {"domname", 1, 1, cmd_domname, "DOM", "a domain's name"},
    {"domuuid", 1, 1, cmd_domuuid, "DOM", "a domain's UUID"},
    {"shutdown", 1, 1, cmd_shutdown, "DOM", "ask a domain to shut down"},
    {"reboot", 1, 1, cmd_reboot, "DOM",
     "shut a domain down, then start it again"},
    {"destroy", 1, 1, cmd_destroy, "DOM", "stop a domain at once"},
    {"pause", 1, 1, cmd_pause, "DOM", "suspend a domain"},
    {"resume", 1, 1, cmd_resume, "DOM", "resume a paused domain"},
    {"undefine", 1, 1, cmd_undefine, "DOM",
     "forget a shut-off domain and its UUID"},
    {"autostart", 1, 2, cmd_autostart, "[--disable] DOM",
     "start a domain whenever xvmd starts"},
    {"nodeinfo", 0, 0, cmd_nodeinfo, "", "this host's processors and memory"},
    {"exec", 2, -1, cmd_exec, "DOM CMD [ARG...]",
     "run a command in a process domain's sandbox"},
    {"console", 1, 1, cmd_console, "DOM",
     "attach to a domain's console (Ctrl-] detaches)"},
    {"help", 0, 0, cmd_help, "", "show this help"},
};

#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

static void usage(FILE *f)
{
    size_t i;

    fprintf(f, "usage: xvm [-s SOCKET] COMMAND [ARGS]\n\n");
    for (i = 0; i < NCMDS; i++)
        fprintf(f, "  %-9s %-29s %s\n", cmds[i].name, cmds[i].args,
                cmds[i].help);
    fprintf(f, "\nDOM is a domain name, id or UUID.  SOCKET defaults to "
               "%s ($XVNET_RUNDIR: the directory).\n",
            xvm_run_path(XVM_SOCK_XVMD));
}

static int cmd_help(char **argv)
{
    (void)argv;
    usage(stdout);
    return 0;
}

int main(int argc, char **argv)
{
    int opt, nargs;
    size_t i;

    if (xvm_version_opt(argc, argv, "xvm"))
        return 0;

    while ((opt = getopt(argc, argv, "+s:h")) != -1) {
        switch (opt) {
        case 's':
            sock_path = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 1;
        }
    }
    if (!sock_path)
        sock_path = xvm_run_path(XVM_SOCK_XVMD);
    if (optind >= argc) {
        usage(stderr);
        return 1;
    }
    for (i = 0; i < NCMDS && strcmp(cmds[i].name, argv[optind]) != 0; i++)
        ;
    if (i == NCMDS) {
        fprintf(stderr, "xvm: unknown command '%s' (try 'xvm help')\n",
                argv[optind]);
        return 1;
    }
    nargs = argc - optind - 1;
    if (nargs < cmds[i].min_args ||
        (cmds[i].max_args >= 0 && nargs > cmds[i].max_args)) {
        fprintf(stderr, "xvm: usage: xvm %s%s%s\n", cmds[i].name,
                cmds[i].args[0] ? " " : "", cmds[i].args);
        return 1;
    }
    return cmds[i].fn(argv + optind + 1);
}
