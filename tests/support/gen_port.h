/* SPDX-License-Identifier: MIT */
/*
 * tests/support/gen_port.h - a switch port standing in for a wire: frees
 * what it is sent, makes frames as fast as it is read (an allocation and
 * an Ethernet header, as a NIC's receive would).  For vsw_rig.h, vsw-bench.
 */
#ifndef XVNET_TESTS_GEN_PORT_H
#define XVNET_TESTS_GEN_PORT_H

#include "vsw/port.h"

/** The port; the counters are written by the thread that reads it. */
struct gen_port {
    struct vsw_port port;
    struct rte_mempool *pool;
    const uint8_t *dst, *src;
    uint16_t vid, size;
    unsigned bcast_every;
    uint64_t made_uni, made_bcast;
};

/**
 * A gen port making frames of @size bytes (>= 18, payload not written)
 * from @pool, @src -> @dst (NULL: it makes none), tagged with @vid (0:
 * untagged), every @bcast_every-th (0: none) to broadcast instead.  It is
 * polled (no fd) and freed by vsw_port_destroy().
 * @return the port, or NULL with errno ENOMEM.
 */
struct gen_port *gen_port_new(struct rte_mempool *pool, const uint8_t *dst,
                              const uint8_t *src, uint16_t vid, uint16_t size,
                              unsigned bcast_every);

#endif
