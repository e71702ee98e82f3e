/* SPDX-License-Identifier: MIT */
/*
 * netbackd.h - xvm-netbackd internals, shared by main.c (options, the
 * epoll loop), dev.c (connected vifs into the switch; the devices found
 * in xenstore are nbd_vifmgr's) and stats.c (the counters file).
 *
 * Single-threaded: everything runs on the epoll loop.
 */
#ifndef NBD_NETBACKD_H
#define NBD_NETBACKD_H

#include <stdbool.h>
#include <stdint.h>

#include "nbd_switch.h"
#include "netback/nbd_vifmgr.h"
#include "netback/netback.h"
#include "xvm/evtchn.h"
#include "xvm/mem.h"
#include "xs/xs.h"

/* Default path of the counters file. */
#define NBD_DEFAULT_STATS "/run/xvnet/netbackd.stats"

/* epoll data: the kind in the high half, a port number in the low. */
enum nbd_ev { NBD_EV_XS = 1, NBD_EV_SIGNAL, NBD_EV_EVTCHN };
#define NBD_EV(kind, n) ((uint64_t)(kind) << 32 | (uint32_t)(n))

/* A connected vif (struct nbd_vifdev's priv while connected). */
struct nbd_conn {
    struct nbd_port *port;
    struct nb_vif *vif;
    evtchn_port_t tx_port, rx_port; /* local ports; rx == tx unless split */
};

struct nbd {
    const char *xs_sock, *xvmd_sock, *stats_path;
    struct xvm_xs *xs;
    struct xvm_evtchn *ec;
    struct nbd_switch *sw;
    struct nbd_vifmgr *vm;
    int ep;
    uint64_t stats_seq;
    bool stats_dirty; /* the device set or a state changed */
};

/* Log a line (xvm/log.h: stderr in the foreground, else syslog); also
 * nbd_vifmgr's log. */
void nbd_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* dev.c: the owner side of nbd_vifmgr (vifs into the switch) */
int nbd_devs_start(struct nbd *d);
void nbd_devs_stop(struct nbd *d);
extern const struct nbd_switch_ops nbd_switch_hooks;

/* stats.c */
int nbd_stats_write(struct nbd *d);

#endif /* NBD_NETBACKD_H */
