/* SPDX-License-Identifier: MIT */
/* Shared by daemon.c and file.c. */
#ifndef XVM_DAEMON_PVT_H
#define XVM_DAEMON_PVT_H

#include <stdbool.h>
#include <sys/types.h>

/* mkdir -p of the directories above @path (not @path itself), new ones
 * with @mode.  0 or -errno. */
int xvm_mkdir_parents(const char *path, mode_t mode);

#endif
