/* SPDX-License-Identifier: MIT */
/* xnftap_pvt.h - libxnftap internals shared by tap.c and pump.c. */
#ifndef XNFTAP_PVT_H
#define XNFTAP_PVT_H

#include <net/if.h>
#include <stdbool.h>

#include "xnftap/xnftap.h"

/* Frames moved per direction before looking at the other one. */
#define XNFTAP_BATCH 64u
/* A TAP read buffer: vnet header + the largest frame the kernel may hand
 * over with TSO (64 KiB of IP plus link headers), with room to spare so an
 * oversize frame is seen whole and dropped, never cut. */
#define XNFTAP_BUF (XNFTAP_VNET_HDR_LEN + 65536u + 1024u)
/* TX pages a frame is read into: NETIF_MAX_FRAME bytes with feature-sg. */
#define XNFTAP_TX_PAGES ((NETIF_MAX_FRAME + 4095u) / 4096u)

struct xnftap {
    int fd;      /* the TAP device */
    int ep;      /* epoll: TAP, event channel, stop fd */
    int ifindex;
    char ifname[IFNAMSIZ];
    unsigned offloads; /* TUN_F_* */
    uint32_t be;       /* xnf_be_features() */
    struct xnf_dev *xnf;
    struct xvm_evtchn *ec;
    evtchn_port_t port;
    evtchn_port_t port_rx; /* 0: one channel */

    /* The TX ring had no room for the largest frame: TAP reads paused
     * until the backend answers (frames are read only where they fit). */
    bool tx_full;
    bool tap_armed; /* TAP fd's EPOLLIN is registered */
    int err;        /* a TAP read failed for good: -errno */

    unsigned char *txbuf; /* a frame gathered from its TX pages */
    unsigned char *rxbuf; /* vnet hdr + frame, to the TAP device */
    struct xnftap_stats st;
};

#endif
