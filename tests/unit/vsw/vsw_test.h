/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the vswitch unit tests: an in-process EAL without hugepages
 * or devices, frames built by hand, and "cap" ports that hand the switch
 * queued frames and capture what it sends.
 */
#ifndef VSW_TEST_H
#define VSW_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "vsw/port.h"

#define CAP_MAX 4096

static struct rte_mempool *test_pool;

/* EAL with its own file prefix, no hugepages, no PCI, one lcore. */
static inline int test_eal_init(void)
{
    char prefix[64];
    char *argv[] = {"test", "--no-huge", "-m", "256", "--no-pci",
                    "--no-shconf", prefix, "--no-telemetry", "-l", "0",
                    "--log-level=error", NULL};

    snprintf(prefix, sizeof(prefix), "--file-prefix=vswut%d", (int)getpid());
    if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0)
        return -1;
    test_pool = rte_pktmbuf_pool_create("test_pool", 16383, 256, 0,
                                        RTE_MBUF_DEFAULT_BUF_SIZE, 0);
    return test_pool ? 0 : -1;
}

/*
 * A frame dst <- src, tagged with @vid when @tagged, @len bytes in all
 * (header included), payload bytes set to @fill.
 */
static inline struct rte_mbuf *frame(const uint8_t dst[6],
                                     const uint8_t src[6], bool tagged,
                                     uint16_t vid, uint16_t len, uint8_t fill)
{
    struct rte_mbuf *m = rte_pktmbuf_alloc(test_pool);
    uint16_t off = 12, room = len < 18 ? 18 : len;
    uint8_t *p;

    if (!m)
        return NULL;
    p = (uint8_t *)rte_pktmbuf_append(m, room);
    memset(p, fill, room);
    memcpy(p, dst, 6);
    memcpy(p + 6, src, 6);
    if (tagged) {
        p[off++] = 0x81;
        p[off++] = 0x00;
        p[off++] = (uint8_t)(vid >> 8);
        p[off++] = (uint8_t)vid;
    }
    p[off++] = 0x08; /* IPv4 ethertype: any will do */
    p[off] = 0x00;
    rte_pktmbuf_trim(m, room - len); /* runts keep a header in the buffer */
    return m;
}

/* The VID of a frame's tag, or -1 when untagged. */
static inline int frame_vid(const struct rte_mbuf *m)
{
    const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);

    if (p[12] != 0x81 || p[13] != 0x00)
        return -1;
    return ((p[14] << 8) | p[15]) & 0xfff;
}

struct cap_port {
    struct vsw_port port;
    struct rte_mbuf *rxq[CAP_MAX];
    unsigned nrx, rxpos;
    struct rte_mbuf *got[CAP_MAX];
    unsigned ngot;
    unsigned tx_room;   /* frames tx still accepts */
    enum vsw_drop why;  /* reported when refusing */
    int *destroyed;     /* set to 1 by destroy, if not NULL */
};

static uint16_t cap_rx(struct vsw_port *port, struct rte_mbuf **pkts,
                       uint16_t n)
{
    struct cap_port *c = (struct cap_port *)port;
    uint16_t i = 0;

    while (i < n && c->rxpos < c->nrx)
        pkts[i++] = c->rxq[c->rxpos++];
    return i;
}

static uint16_t cap_tx(struct vsw_port *port, struct rte_mbuf **pkts,
                       uint16_t n, enum vsw_drop *why)
{
    struct cap_port *c = (struct cap_port *)port;
    uint16_t i;

    for (i = 0; i < n; i++) {
        if (c->tx_room == 0 || c->ngot == CAP_MAX) {
            *why = c->why;
            break;
        }
        c->tx_room--;
        c->got[c->ngot++] = pkts[i];
    }
    return i;
}

static inline void cap_clear(struct cap_port *c)
{
    unsigned i;

    for (i = 0; i < c->ngot; i++)
        rte_pktmbuf_free(c->got[i]);
    c->ngot = 0;
}

static void cap_destroy(struct vsw_port *port)
{
    struct cap_port *c = (struct cap_port *)port;

    cap_clear(c);
    while (c->rxpos < c->nrx)
        rte_pktmbuf_free(c->rxq[c->rxpos++]);
    if (c->destroyed)
        *c->destroyed = 1;
    free(c);
}

static const struct vsw_port_ops cap_ops = {
    .kind = "cap",
    .rx = cap_rx,
    .tx = cap_tx,
    .destroy = cap_destroy,
};

static inline struct cap_port *cap_new(const char *name)
{
    struct cap_port *c = calloc(1, sizeof(*c));

    c->port.ops = &cap_ops;
    snprintf(c->port.name, sizeof(c->port.name), "%s", name);
    c->port.rx_fd = -1;
    c->port.wake_fd = -1;
    c->tx_room = ~0u;
    c->why = VSW_DROP_NOBUF;
    return c;
}

static inline void cap_queue(struct cap_port *c, struct rte_mbuf *m)
{
    c->rxq[c->nrx++] = m;
}

/* rte_eal_cleanup(), then remove the runtime directory EAL made. */
static inline void test_eal_done(void)
{
    char cmd[300];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", rte_eal_get_runtime_dir());
    rte_mempool_free(test_pool);
    rte_eal_cleanup();
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove the EAL runtime directory\n");
}

#endif
