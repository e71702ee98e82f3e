/* SPDX-License-Identifier: MIT */
/*
 * minios: the netif frontend of vif N: the xenbus dialogue of a Linux
 * netfront (read the toolstack's keys, wait for the backend's InitWait,
 * publish rings, event channel and features with state Connected) over
 * xs.h, and libxnf's freestanding core as the driver.
 */
#ifndef MINIOS_NETFRONT_H
#define MINIOS_NETFRONT_H

#include <stdint.h>

#include "xnf/xnf.h"

struct netfront {
    char fe[32];       /* device/vif/<n> */
    char be[128];      /* the backend's directory */
    domid_t be_id;
    uint8_t mac[6];
    uint32_t port;     /* our event channel */
    struct xnf_dev *dev;
};

/** Connect vif @n.  0, or a negative errno (said on the console). */
int netfront_start(struct netfront *nf, unsigned n);

#endif /* MINIOS_NETFRONT_H */
