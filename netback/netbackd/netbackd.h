/* SPDX-License-Identifier: MIT */
/*
 * netbackd.h - xvm-netbackd internals, shared by main.c (options, the
 * epoll loop), dev.c (vif devices found in xenstore and their domains'
 * memory) and stats.c (the counters file).
 *
 * Single-threaded: everything runs on the epoll loop.
 */
#ifndef NBD_NETBACKD_H
#define NBD_NETBACKD_H

#include <stdbool.h>
#include <stdint.h>

#include "nbd_switch.h"
#include "netback/netback.h"
#include "xvm/evtchn.h"
#include "xvm/mem.h"
#include "xvm/xs.h"

/* Where toolstacks put the backend directories of dom0's vifs. */
#define NBD_BE_ROOT "/local/domain/0/backend/vif"
/* The token of our watch on NBD_BE_ROOT. */
#define NBD_BE_TOKEN "nbd:vifs"
/* Default path of the counters file. */
#define NBD_DEFAULT_STATS "/run/xvnet/netbackd.stats"

/* epoll data: the kind in the high half, a port number in the low. */
enum nbd_ev { NBD_EV_XS = 1, NBD_EV_SIGNAL, NBD_EV_EVTCHN };
#define NBD_EV(kind, n) ((uint64_t)(kind) << 32 | (uint32_t)(n))

/* One guest domain whose memory we map: shared by its connected vifs. */
struct nbd_dom {
    struct nbd_dom *next;
    uint32_t domid;
    unsigned refs; /* connected vifs */
    struct xvm_mem *mem;
    uint64_t gt_gfn;
    uint32_t gt_frames;
};

/* One backend directory NBD_BE_ROOT/<domid>/<n>. */
struct nbd_dev {
    struct nbd_dev *next;
    struct nbd *d;
    uint32_t domid, n;
    char path[96];
    char name[32];      /* vif<domid>.<n> */
    bool seen;          /* found by the current scan */
    int probe_err;      /* why nb_xenbus_create failed (0: it did not) */
    struct nb_xenbus *xb;
    /* While connected: */
    struct nbd_dom *dom;
    struct nbd_port *port;
    struct nb_vif *vif;
    evtchn_port_t tx_port, rx_port; /* local ports; rx == tx unless split */
    uint64_t rate_bytes, rate_usecs;
};

struct nbd {
    const char *xs_sock, *xvmd_sock, *stats_path;
    struct xvm_xs *xs;
    struct xvm_evtchn *ec;
    struct nbd_switch *sw;
    int ep;
    struct nbd_dev *devs;
    struct nbd_dom *doms;
    uint64_t stats_seq;
    bool stats_dirty; /* the device set or a state changed */
};

/* Log a line (stderr in the foreground, else syslog). */
void nbd_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* dev.c */
int nbd_devs_start(struct nbd *d);
int nbd_devs_event(struct nbd *d, const struct xvm_xs_event *ev);
void nbd_devs_stop(struct nbd *d);
extern const struct nbd_switch_ops nbd_switch_hooks;

/* stats.c */
int nbd_stats_write(struct nbd *d);

#endif /* NBD_NETBACKD_H */
