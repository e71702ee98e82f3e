/* SPDX-License-Identifier: MIT */
/*
 * xvm/version.h - `--version`, the same on every xvnet program.
 */
#ifndef XVM_VERSION_H
#define XVM_VERSION_H

#include "xvm/export.h"

/** xvnet's version, e.g. "0.1.0" (the meson project's). */
XVN_EXPORT
const char *xvm_version(void);

/**
 * If the only argument is --version, print "PROG (xvnet) VERSION" on
 * stdout and return 1 (the program then exits 0); else 0.  Also names the
 * program @prog in argv[0], so getopt's messages say "PROG: ...", not the
 * path it was run by, and turns a sole --help into -h, which every program
 * answers with its usage on stdout and status 0.  Call first thing in
 * main().
 */
XVN_EXPORT
int xvm_version_opt(int argc, char **argv, const char *prog);

#endif /* XVM_VERSION_H */
