/* SPDX-License-Identifier: MIT */
/* The runtime directory of xvnet's sockets (xvm/rundir.h). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xvm/rundir.h"

const char *xvm_run_path(const char *name)
{
    static struct {
        const char *name;
        char path[4096];
    } cache[3];
    const char *dir = getenv("XVNET_RUNDIR");
    unsigned i;

    if (!dir || !*dir)
        dir = XVM_RUNDIR_DEFAULT;
    for (i = 0; i < 3 && cache[i].name; i++)
        if (strcmp(cache[i].name, name) == 0)
            return cache[i].path;
    if (i == 3)
        i = 2; /* only the XVM_SOCK_* names are asked for */
    cache[i].name = name;
    snprintf(cache[i].path, sizeof(cache[i].path), "%s/%s", dir, name);
    return cache[i].path;
}
