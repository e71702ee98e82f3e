/* SPDX-License-Identifier: MIT */
/*
 * procdom.h - what the test switch and the test guest tell each other
 * before the netif handshake of tests/support/netif_pair: the vif's MAC,
 * which the toolstack would write to xenstore (vif "mac" key) for the
 * backend to switch on.
 */
#ifndef XVNET_TESTS_PROCDOM_H
#define XVNET_TESTS_PROCDOM_H

#include <stdint.h>
#include <stdio.h>

#define PD_MAGIC 0x70646f6du /* "pdom" */

struct pd_hello {
    uint32_t magic;
    uint8_t mac[6];
    uint16_t pad;
};

/* Parse "aa:bb:cc:dd:ee:ff"; 0 or -1. */
static inline int pd_mac_parse(const char *s, uint8_t mac[6])
{
    unsigned v[6];
    char tail;
    int i;

    if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &v[0], &v[1], &v[2], &v[3], &v[4],
               &v[5], &tail) != 6)
        return -1;
    for (i = 0; i < 6; i++) {
        if (v[i] > 0xff)
            return -1;
        mac[i] = (uint8_t)v[i];
    }
    return 0;
}

#endif
