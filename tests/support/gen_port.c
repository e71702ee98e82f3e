/* SPDX-License-Identifier: MIT */
/* A wire that makes frames: see gen_port.h. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>

#include "gen_port.h"

static const uint8_t BCAST[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static uint16_t gen_rx(struct vsw_port *port, struct rte_mbuf **pkts,
                       uint16_t n)
{
    struct gen_port *g = (struct gen_port *)port;
    unsigned every = g->bcast_every, off;
    uint16_t i;

    if (!g->dst || rte_pktmbuf_alloc_bulk(g->pool, pkts, n) != 0)
        return 0;
    for (i = 0; i < n; i++) {
        uint8_t *h = rte_pktmbuf_mtod(pkts[i], uint8_t *);
        bool b = every && (g->made_uni + g->made_bcast) % every == every - 1;

        pkts[i]->data_len = pkts[i]->pkt_len = g->size;
        memcpy(h, b ? BCAST : g->dst, 6);
        memcpy(h + 6, g->src, 6);
        off = 12;
        if (g->vid) {
            h[off++] = 0x81;
            h[off++] = 0x00;
            h[off++] = (uint8_t)(g->vid >> 8);
            h[off++] = (uint8_t)g->vid;
        }
        h[off++] = 0x08; /* IPv4 ethertype: any will do */
        h[off] = 0x00;
        if (b)
            g->made_bcast++;
        else
            g->made_uni++;
    }
    return n;
}

static uint16_t gen_tx(struct vsw_port *port, struct rte_mbuf **pkts,
                       uint16_t n, enum vsw_drop *why)
{
    (void)port, (void)why;
    rte_pktmbuf_free_bulk(pkts, n);
    return n;
}

static void gen_destroy(struct vsw_port *port)
{
    free(port);
}

static const struct vsw_port_ops gen_ops = {
    .kind = "gen", .rx = gen_rx, .tx = gen_tx, .destroy = gen_destroy};

struct gen_port *gen_port_new(struct rte_mempool *pool, const uint8_t *dst,
                              const uint8_t *src, uint16_t vid, uint16_t size,
                              unsigned bcast_every)
{
    struct gen_port *g = calloc(1, sizeof(*g));

    if (!g)
        return NULL;
    g->port.ops = &gen_ops;
    snprintf(g->port.name, sizeof(g->port.name), "gen");
    g->port.rx_fd = g->port.wake_fd = -1;
    g->pool = pool;
    g->dst = dst;
    g->src = src;
    g->vid = vid;
    g->size = size;
    g->bcast_every = bcast_every;
    return g;
}
