/* SPDX-License-Identifier: MIT */
/*
 * xvm/rundir.h - where xvnet's sockets are: one scheme for every program.
 *
 * Every control socket lives in one runtime directory, /run/xvnet unless
 * $XVNET_RUNDIR names another, under a fixed name:
 *
 *   xvmd.sock       xvmd's control socket (xvm, backends)
 *   xenstored.sock  the xenstored xvmd embeds (Debian's xenstore-* tools
 *                   find it through their own $XENSTORED_PATH)
 *   vswitchd.sock   vswitchd's control socket (dladm, snoop, vswctl)
 *
 * Daemons listen and tools connect there by default; a program's own
 * option (-s, -x, -X, snoop's -S) still names one socket for itself.
 * Tests and a second instance set $XVNET_RUNDIR once for all of them.
 */
#ifndef XVM_RUNDIR_H
#define XVM_RUNDIR_H

#include "xvm/export.h"

#define XVM_RUNDIR_DEFAULT "/run/xvnet"
#define XVM_SOCK_XVMD "xvmd.sock"
#define XVM_SOCK_XENSTORED "xenstored.sock"
#define XVM_SOCK_VSWITCHD "vswitchd.sock"

/**
 * The path of socket @name (one of XVM_SOCK_*) in the runtime directory:
 * $XVNET_RUNDIR/@name, or XVM_RUNDIR_DEFAULT/@name when the variable is
 * unset or empty.  The string is the library's (the same pointer for the
 * same @name) and stays valid.  A path that does not fit a socket
 * address is returned all the same: connecting or binding says why.
 */
XVN_EXPORT
const char *xvm_run_path(const char *name);

#endif /* XVM_RUNDIR_H */
