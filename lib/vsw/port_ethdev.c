/* SPDX-License-Identifier: MIT */
/*
 * DPDK ethdev ports: the wire of a physical link (net_af_packet on a veth,
 * net_af_xdp, net_tap, a NIC), or for benchmarks net_null / net_ring.
 * One rx and one tx queue, polled by the single fast-path thread.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_ethdev.h>

#include "vsw/port.h"

#define NB_RXD 1024
#define NB_TXD 1024
/* Tx offloads the switch uses when a driver has them (gso.c). */
#define TX_OFFLOADS_WANTED                                                 \
    (RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_TCP_CKSUM |        \
     RTE_ETH_TX_OFFLOAD_UDP_CKSUM | RTE_ETH_TX_OFFLOAD_TCP_TSO |           \
     RTE_ETH_TX_OFFLOAD_MULTI_SEGS)

struct ethdev_port {
    struct vsw_port port;
    uint16_t port_id;
    struct rte_device *dev; /* non-NULL: we probed it, we remove it */
};

static uint16_t ethdev_rx(struct vsw_port *port, struct rte_mbuf **pkts,
                          uint16_t n)
{
    struct ethdev_port *e = container_of(port, struct ethdev_port, port);

    return rte_eth_rx_burst(e->port_id, 0, pkts, n);
}

/*
 * A driver without RTE_ETH_TX_OFFLOAD_MULTI_SEGS reads a frame from its
 * first segment only (net_af_xdp copies pkt_len bytes from there): a
 * chain (a segment the switch cut from a large one: a header mbuf and the
 * payload it points into) goes as a copy in one mbuf.  So does a frame
 * whose data lies in another mbuf's buffer (an indirect mbuf):
 * net_af_xdp hands the kernel the offset of the data within the mbuf's
 * own buffer.  The copy leaves
 * the original alone (it may be shared).  @return how many of @pkts may
 * go; a frame that does not fit one mbuf ends the burst there.
 */
static uint16_t linear(struct rte_mbuf **pkts, uint16_t n)
{
    uint16_t i;

    for (i = 0; i < n; i++) {
        struct rte_mbuf *m = pkts[i], *c;

        if (m->nb_segs == 1 && RTE_MBUF_DIRECT(m))
            continue;
        c = rte_pktmbuf_copy(m, m->pool, 0, UINT32_MAX);
        if (!c || c->nb_segs != 1) {
            rte_pktmbuf_free(c);
            return i;
        }
        rte_pktmbuf_free(m);
        pkts[i] = c;
    }
    return n;
}

static uint16_t ethdev_tx(struct vsw_port *port, struct rte_mbuf **pkts,
                          uint16_t n, enum vsw_drop *why)
{
    struct ethdev_port *e = container_of(port, struct ethdev_port, port);
    uint16_t ok = port->tx_offloads & RTE_ETH_TX_OFFLOAD_MULTI_SEGS
                      ? n
                      : linear(pkts, n);
    uint16_t sent = rte_eth_tx_burst(e->port_id, 0, pkts, ok);

    if (sent < n)
        *why = VSW_DROP_NOBUF;
    return sent;
}

static int ethdev_sleep_arm(struct vsw_port *port)
{
    struct ethdev_port *e = container_of(port, struct ethdev_port, port);

    return rte_eth_dev_rx_intr_enable(e->port_id, 0);
}

static void ethdev_sleep_disarm(struct vsw_port *port)
{
    struct ethdev_port *e = container_of(port, struct ethdev_port, port);

    rte_eth_dev_rx_intr_disable(e->port_id, 0);
}

static void ethdev_destroy(struct vsw_port *port)
{
    struct ethdev_port *e = container_of(port, struct ethdev_port, port);

    rte_eth_dev_stop(e->port_id);
    rte_eth_dev_close(e->port_id);
    if (e->dev)
        rte_dev_remove(e->dev);
    free(e);
}

static const struct vsw_port_ops ethdev_ops = {
    .kind = "ethdev",
    .rx = ethdev_rx,
    .tx = ethdev_tx,
    .sleep_arm = ethdev_sleep_arm,
    .sleep_disarm = ethdev_sleep_disarm,
    .destroy = ethdev_destroy,
};

static int queues_setup(uint16_t pid, struct rte_mempool *pool)
{
    uint16_t nrxd = NB_RXD, ntxd = NB_TXD;
    int socket = rte_eth_dev_socket_id(pid);
    int rc;

    rc = rte_eth_dev_adjust_nb_rx_tx_desc(pid, &nrxd, &ntxd);
    if (rc == 0)
        rc = rte_eth_rx_queue_setup(pid, 0, nrxd, socket, NULL, pool);
    if (rc == 0)
        rc = rte_eth_tx_queue_setup(pid, 0, ntxd, socket, NULL);
    return rc;
}

/*
 * Whether the driver can interrupt on rx: there is no capability flag, so
 * ask for rx interrupts at configure time and try enabling one.
 */
static int wake_fd_get(uint16_t pid)
{
    if (rte_eth_dev_rx_intr_enable(pid, 0) != 0)
        return -1;
    rte_eth_dev_rx_intr_disable(pid, 0);
    return rte_eth_dev_rx_intr_ctl_q_get_fd(pid, 0);
}

static struct vsw_port *ethdev_setup(uint16_t pid, struct rte_mempool *pool)
{
    struct rte_eth_dev_info info;
    struct rte_eth_conf conf;
    struct ethdev_port *e;
    int rc;

    memset(&conf, 0, sizeof(conf));
    if (rte_eth_dev_info_get(pid, &info) == 0)
        conf.txmode.offloads = info.tx_offload_capa & TX_OFFLOADS_WANTED;
    conf.intr_conf.rxq = 1;
    rc = rte_eth_dev_configure(pid, 1, 1, &conf);
    if (rc < 0) {
        conf.intr_conf.rxq = 0;
        rc = rte_eth_dev_configure(pid, 1, 1, &conf);
    }
    if (rc == 0)
        rc = queues_setup(pid, pool);
    if (rc == 0)
        rc = rte_eth_dev_start(pid);
    if (rc < 0) {
        errno = -rc;
        return NULL;
    }
    /* Not every driver has these (net_ring, net_null); that is fine. */
    rte_eth_promiscuous_enable(pid);
    rte_eth_allmulticast_enable(pid);
    e = calloc(1, sizeof(*e));
    if (!e) {
        rte_eth_dev_stop(pid);
        return NULL;
    }
    e->port.ops = &ethdev_ops;
    e->port_id = pid;
    e->port.rx_fd = -1;
    e->port.wake_fd = conf.intr_conf.rxq ? wake_fd_get(pid) : -1;
    e->port.tx_offloads = conf.txmode.offloads;
    rte_eth_dev_get_name_by_port(pid, e->port.name);
    return &e->port;
}

struct vsw_port *vsw_port_ethdev_attach(uint16_t port_id,
                                        struct rte_mempool *pool)
{
    if (!rte_eth_dev_is_valid_port(port_id) || !pool) {
        errno = EINVAL;
        return NULL;
    }
    return ethdev_setup(port_id, pool);
}

struct vsw_port *vsw_port_ethdev_open(const char *devargs,
                                      struct rte_mempool *pool)
{
    char name[RTE_ETH_NAME_MAX_LEN];
    struct rte_eth_dev_info info;
    struct vsw_port *port;
    size_t n = devargs ? strcspn(devargs, ",") : 0;
    uint16_t pid;
    int rc;

    if (n == 0 || n >= sizeof(name) || !pool) {
        errno = EINVAL;
        return NULL;
    }
    memcpy(name, devargs, n);
    name[n] = '\0';
    if (rte_eth_dev_get_port_by_name(name, &pid) == 0) {
        errno = EEXIST;
        return NULL;
    }
    rc = rte_dev_probe(devargs);
    if (rc < 0) {
        errno = rc == -EEXIST ? EEXIST : (rc == -ENOSPC ? ENOSPC : EINVAL);
        return NULL;
    }
    if (rte_eth_dev_get_port_by_name(name, &pid) != 0 ||
        rte_eth_dev_info_get(pid, &info) != 0) {
        errno = EINVAL;
        return NULL;
    }
    port = ethdev_setup(pid, pool);
    if (!port) {
        rc = errno;
        rte_eth_dev_close(pid);
        rte_dev_remove(info.device);
        errno = rc;
        return NULL;
    }
    container_of(port, struct ethdev_port, port)->dev = info.device;
    return port;
}
