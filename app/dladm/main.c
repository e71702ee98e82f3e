/* SPDX-License-Identifier: MIT */
/*
 * dladm: administer the datalinks of vswitchd (physical links,
 * etherstubs, VNICs, their properties and statistics) the way illumos
 * dladm does.  A thin cmds[] table over libdladm.
 *
 * vswitchd's control socket is in xvnet's runtime directory
 * (xvm/rundir.h: $XVNET_RUNDIR or /run/xvnet).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "xvm/fdpass.h"
#include "xvm/rundir.h"
#include "vswctl/ctl.h"
#include "xvm/version.h"

static const struct cmd cmds[] = {
    {"rename-link", do_rename_link,
     "    rename-link      <oldlink> <newlink>"},
    {"show-link", do_show_link,
     "    show-link        [-pP] [-o <field>,..] [-s [-i <interval>]] "
     "[<link>]"},
    {"show-phys", do_show_phys,
     "    show-phys        [-pP] [-o <field>,..] [<link>]"},
    {"set-linkprop", do_set_linkprop,
     "    set-linkprop     [-t] -p <prop>=<value>[,...] <name>"},
    {"reset-linkprop", do_reset_linkprop,
     "    reset-linkprop   [-t] [-p <prop>,...] <name>"},
    {"show-linkprop", do_show_linkprop,
     "    show-linkprop    [-cP] [-o <field>,...] [-p <prop>,...] "
     "[<name>]"},
    {"create-vnic", do_create_vnic,
     "    create-vnic      [-t] -l <link> [-m <value> | auto |\n"
     "\t\t     {random [-r <prefix>]}] [-v <vid>]\n"
     "\t\t     [-p <prop>=<value>[,...]] <vnic-link>"},
    {"delete-vnic", do_delete_vnic,
     "    delete-vnic      [-t] <vnic-link>"},
    {"modify-vnic", do_modify_vnic,
     "    modify-vnic      [-t] [-m <value> | auto | random] [-v <vid>] "
     "[-l <link>]\n\t\t     <vnic-link>"},
    {"show-vnic", do_show_vnic,
     "    show-vnic        [-pP] [-o <field>,..] [-l <link>] "
     "[-s [-i <interval>]] [<link>]"},
    {"create-etherstub", do_create_etherstub,
     "    create-etherstub [-t] <link>"},
    {"delete-etherstub", do_delete_etherstub,
     "    delete-etherstub [-t] <link>"},
    {"show-etherstub", do_show_etherstub,
     "    show-etherstub   [-P] [<link>]"},
};
#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

static const struct cmd *current;
static struct dl_handle *hd;

static void vmsg(const char *prefix, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void vmsg(const char *prefix, const char *fmt, va_list ap)
{
    fflush(stdout);
    fprintf(stderr, "dladm: %s", prefix);
    vfprintf(stderr, fmt, ap);
}

void die(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vmsg("", fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

void warn(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vmsg("warning: ", fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void die_dlerr(enum dl_status st, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vmsg("", fmt, ap);
    va_end(ap);
    fprintf(stderr, ": %s\n", dl_status_str(st));
    exit(1);
}

void die_hderr(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vmsg("", fmt, ap);
    va_end(ap);
    fprintf(stderr, ": %s\n", dl_errmsg(handle()));
    exit(1);
}

void die_optdup(int opt)
{
    die("the option -%c cannot be specified more than once", opt);
}

void die_opterr(int opt, int ret, const char *use)
{
    if (ret == ':')
        die("option '-%c' requires a value\nusage: %s", opt, use + 4);
    die("unrecognized option '-%c'\nusage: %s", opt, use + 4);
}

void usage(void)
{
    size_t i;

    fflush(stdout);
    if (current) {
        fprintf(stderr, "usage: %s\n", current->use + 4);
        exit(1);
    }
    fprintf(stderr, "usage: dladm <subcommand> <args> ...\n");
    for (i = 0; i < NCMDS; i++)
        fprintf(stderr, "%s\n", cmds[i].use);
    exit(1);
}

static void help(FILE *f)
{
    size_t i;

    fprintf(f, "usage: dladm <subcommand> <args> ...\n");
    for (i = 0; i < NCMDS; i++)
        fprintf(f, "%s\n", cmds[i].use);
    fprintf(f, "\nvswitchd's socket: %s ($XVNET_RUNDIR: the directory).\n"
               "See dladm(8).\n", xvm_run_path(XVM_SOCK_VSWITCHD));
}

struct dl_handle *handle(void)
{
    const char *sock = xvm_run_path(XVM_SOCK_VSWITCHD);
    enum dl_status st;

    if (hd)
        return hd;
    st = dl_open(sock, &hd);
    if (st == DL_NOTRUNNING)
        die("cannot reach vswitchd at %s: vswitchd is not running", sock);
    if (st == DL_DENIED) {
        char who[96];

        die("cannot reach vswitchd at %s: %s (%s)", sock, dl_status_str(st),
            xvm_unix_who_may(sock, who, sizeof(who)));
    }
    if (st != DL_OK)
        die("cannot reach vswitchd at %s: %s", sock, dl_status_str(st));
    return hd;
}

enum vsw_class link_class(const char *name, bool persistent)
{
    if (strlen(name) >= LP_NAMSIZ)
        return 0;
    return persistent ? dl_link_class_persistent(handle(), name)
                      : dl_link_class(handle(), name);
}

void name_new_check(const char *name)
{
    if (strlen(name) >= LP_NAMSIZ)
        die("link name too long '%s'", name);
    if (lp_name_check(name) < 0)
        die("invalid link name '%s': " LP_NAME_RULE, name);
    if (lp_name_guest(name))
        die("invalid link name '%s': " LP_NAME_GUEST_RULE, name);
}

bool str2int(const char *s, long lo, long hi, long *v)
{
    char *end;
    long n;

    if (!isdigit((unsigned char)*s))
        return false;
    errno = 0;
    n = strtol(s, &end, 10);
    if (errno || *end || n < lo || n > hi)
        return false;
    *v = n;
    return true;
}

void propstr_add(char *buf, size_t len, const char *opt)
{
    size_t have = strlen(buf);

    if (have + strlen(opt) + 2 > len)
        die("property list too long '%s'", opt);
    snprintf(buf + have, len - have, "%s,", opt);
}

void proplist_once(const struct dl_proparg *args, int n)
{
    const char *name = dl_proplist_repeated(args, n);

    if (name)
        die("property '%s' specified more than once", name);
}

int main(int argc, char **argv)
{
    size_t i;

    if (xvm_version_opt(argc, argv, "dladm"))
        return 0;

    if (argc < 2) {
        char *dflt[] = {"show-link", NULL};

        current = &cmds[1];
        do_show_link(1, dflt, cmds[1].use);
        dl_close(hd);
        return 0;
    }
    if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "-h") == 0) {
        help(stdout);
        return 0;
    }
    for (i = 0; i < NCMDS; i++) {
        if (strcmp(argv[1], cmds[i].name) != 0)
            continue;
        current = &cmds[i];
        /* "dladm SUBCOMMAND -h" (or --help): its usage on stdout. */
        if (argc == 3 && (strcmp(argv[2], "-h") == 0 ||
                          strcmp(argv[2], "--help") == 0)) {
            printf("usage: %s\n", cmds[i].use + 4);
            return 0;
        }
        cmds[i].fn(argc - 1, argv + 1, cmds[i].use);
        dl_close(hd);
        return 0;
    }
    fprintf(stderr, "dladm: unknown subcommand '%s'\n", argv[1]);
    usage();
}
