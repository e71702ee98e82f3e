/* SPDX-License-Identifier: MIT */
/* `--version` (xvm/version.h). */
#include <stdio.h>
#include <string.h>

#include "xvm/version.h"

const char *xvm_version(void)
{
    return XVNET_VERSION;
}

int xvm_version_opt(int argc, char **argv, const char *prog)
{
    /* getopt() names the program by argv[0] in its messages. */
    if (argc > 0)
        argv[0] = (char *)prog;
    /* --help alone is -h, which every program answers with its usage. */
    if (argc == 2 && strcmp(argv[1], "--help") == 0)
        argv[1] = (char *)"-h";
    if (argc != 2 || strcmp(argv[1], "--version") != 0)
        return 0;
    printf("%s (xvnet) %s\n", prog, xvm_version());
    return 1;
}
