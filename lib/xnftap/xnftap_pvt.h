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

    /* A frame read from the TAP device that the TX ring had no room for:
     * kept here, and TAP reads paused, until xnf_poll() frees slots. */
    bool pend;
    uint32_t pend_len;
    struct netif_offload pend_off;
    bool tap_armed; /* TAP fd's EPOLLIN is registered */
    int err;        /* a TAP read failed for good: -errno */

    unsigned char *txbuf; /* vnet hdr + frame, from the TAP device */
    unsigned char *rxbuf; /* vnet hdr + frame, to the TAP device */
    struct xnftap_stats st;
};

#endif
