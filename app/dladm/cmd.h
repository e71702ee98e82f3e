/* SPDX-License-Identifier: MIT */
/*
 * What dladm's subcommands share: the cmds[] entry type, the illumos
 * error helpers (they print "dladm: ..." and exit 1), the connection to
 * vswitchd, and option parsing helpers.
 */
#ifndef DLADM_CMD_H
#define DLADM_CMD_H

#include <stdbool.h>
#include <stdnoreturn.h>

#include "dladm/dladm.h"

/* A subcommand: argv[0] is its name; @use is its usage line. */
typedef void cmd_fn(int argc, char **argv, const char *use);

struct cmd {
    const char *name;
    cmd_fn *fn;
    const char *use; /* NULL: hidden */
};

noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
noreturn void die_dlerr(enum dl_status st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* "context: reason" where the reason is the handle's last error. */
noreturn void die_hderr(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
noreturn void die_optdup(int opt);
/* getopt returned '?' or ':' for @opt; -h prints the usage, exit 0. */
noreturn void die_opterr(int opt, int ret, const char *use);
/* "usage: ..." of the current subcommand on stderr, exit 1. */
noreturn void usage(void);

/* The connection to vswitchd, made on first use (dies if impossible). */
struct dl_handle *handle(void);
/*
 * What @name is: as running, or with @persistent as configured for the
 * next start (a link or VNIC deleted with -t is only there); 0: nothing.
 */
enum vsw_class link_class(const char *name, bool persistent);

/* A new link, VNIC or etherstub name (create, rename-link): dies unless
 * the rules take it (lp_name_check()) and it is not a guest's
 * (lp_name_guest()). */
void name_new_check(const char *name);
/* A decimal in [lo, hi] into *@v.  @return false if it is not one. */
bool str2int(const char *s, long lo, long hi, long *v);
/* Append @opt and a ',' to @buf (repeated -p options accumulate). */
void propstr_add(char *buf, size_t len, const char *opt);
/* Dies if a property of @args is given twice (dl_proplist_repeated()). */
void proplist_once(const struct dl_proparg *args, int n);

/* "xvm<domid>_<n>" -> "<domid>", otherwise "--" (the guest using it). */

/* Subcommands, by file. */
cmd_fn do_create_vnic, do_delete_vnic, do_modify_vnic, do_show_vnic;
cmd_fn do_create_etherstub, do_delete_etherstub, do_show_etherstub;
cmd_fn do_show_link, do_show_phys, do_rename_link;
cmd_fn do_show_linkprop, do_set_linkprop, do_reset_linkprop;

/* A VNIC's MTU fits in its link's (prop.c); else why, in @why. */
bool vnic_mtu_fits(const struct vsw_vnic_conf *vc, char *why, size_t len);

/* Statistics (stats.c): show-link -s and show-vnic -s. */
void stats_show(const char *fields, bool parsable, unsigned interval,
                bool vnics, const char *link, const char *name);

#endif
