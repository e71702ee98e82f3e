/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/xs/xsd.h - a real libxst xenstored on its own thread, for
 * tests of the xenstore client and the xenbus handshake.
 *
 * The server listens on a socket in a private temp directory (dom0
 * connections: xvm_xs_open(xsd_path())), and binds socketpairs to a
 * domain on request (xsd_connect()), which is how xvmd hands a guest its
 * connection.  Everything the test does to the store goes through clients,
 * because a server belongs to the thread that dispatches it.
 */
#ifndef XVNET_TESTS_XSD_H
#define XVNET_TESTS_XSD_H

#include <stdbool.h>
#include <stdint.h>

#include "xs/xs.h"

struct xsd;

/** Start a server thread.  NULL on failure (a message is printed). */
struct xsd *xsd_start(void);

/** Stop the thread, destroy the server, remove the temp directory. */
void xsd_stop(struct xsd *d);

/** The listening socket (connections there are dom0). */
const char *xsd_path(const struct xsd *d);

/** A client connection bound to @domid.  NULL on failure. */
struct xvm_xs *xsd_connect(struct xsd *d, uint16_t domid);

/** Give a domain its home, owned by it (as xvmd does). */
int xsd_make_home(struct xvm_xs *dom0, uint16_t domid);

#endif
