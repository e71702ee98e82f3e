/* SPDX-License-Identifier: MIT */
/*
 * Guest vif ports: a libnetback vif wrapped as a VNIC's attachment.
 *
 * Guest transmit (the port's rx): when the event channel's eventfd is
 * readable the fast path calls vif_rx(), which has netback copy requests
 * straight into mbuf data rooms (tx_buf_get hands out a chain's segments)
 * and deliver them.  The eventfd is consumed only once the ring is drained
 * and re-armed (nb_vif_tx_final_check), so a busy guest keeps the fd
 * readable (level-triggered) and an idle one costs nothing.  maxbw is
 * netback's credit (nb_vif_set_rate): a guest out of credit is left on its
 * ring, its fd held off by the switch until the credit returns.
 *
 * Guest receive (the port's tx): mbuf chains are handed to nb_vif_rx_burst
 * as segments; what the guest has no buffers for waits in a bounded FIFO
 * that is retried first on every later call and on every event.
 *
 * Offloads: netif's flags map onto the mbuf fields a DPDK receive path
 * uses for the same meaning, so they pass between VNICs untouched:
 *   NETIF_OFF_CSUM_BLANK     <-> RTE_MBUF_F_RX_L4_CKSUM_NONE (partial)
 *   NETIF_OFF_DATA_VALIDATED <-> RTE_MBUF_F_RX_L4_CKSUM_GOOD
 *   NETIF_OFF_GSO            <-> RTE_MBUF_F_RX_LRO + tso_segsz, the GSO type
 *                                in packet_type (L3 IPv4/IPv6, L4 TCP)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_mbuf.h>

#include "netback/netback.h"
#include "mbufq_pvt.h"
#include "vsw/port.h"
#include "xvm/probe.h"

/* Frames waiting for guest RX buffers. */
#define VIF_RXQ_MAX 256
/* Segments handed to one nb_vif_rx_burst() call. */
#define VIF_SEGS_MAX 1024
/* How long a disabled vif's fd is left alone between looks. */
#define VIF_DEAD_HOLDOFF_NS 1000000000ull
/* The credit window maxbw is expressed in (netback's rate usecs). */
#define VIF_RATE_USECS 10000ull
#define BACKEND_DOMID 0

struct vif_port {
    struct vsw_port port;
    struct rte_mempool *pool;
    struct nb_vif *vif;
    struct xvm_mem *mem;
    struct xvm_evtchn *ec;
    evtchn_port_t evport;
    uint16_t room;                /* data room of one mbuf */
    uint64_t rate_bps;            /* published by set_maxbw */
    /* fast path */
    uint64_t rate_applied;
    bool dead_seen;
    struct rte_mbuf **out;        /* where tx_deliver puts frames */
    uint16_t nout, maxout;
    struct vsw_mbufq *q;          /* frames waiting for guest buffers */
    struct nb_rx_pkt rp[NB_BURST_MAX];
    struct nb_seg segs[VIF_SEGS_MAX];
};

#define vif_of(p) container_of((p), struct vif_port, port)

/* ---- guest transmit ---- */

/* A frame the guest sent, in its mbuf; one about to be copied to the
 * guest's RX ring (bench/fptrace.sh). */
XVM_PROBE_DEFINE(vif_from_guest);
XVM_PROBE_DEFINE(vif_to_guest);

static unsigned vif_buf_get(void *arg, uint32_t len, struct nb_seg *segs,
                            unsigned max, void **cookie)
{
    struct vif_port *vp = arg;
    struct rte_mbuf *m[NB_TX_SEGS_MAX];
    unsigned n = (len + vp->room - 1) / vp->room, i;
    uint32_t left = len;

    if (n > max || n > NB_TX_SEGS_MAX ||
        rte_pktmbuf_alloc_bulk(vp->pool, m, n) != 0)
        return 0;
    for (i = 0; i < n; i++) {
        uint16_t l = left < vp->room ? (uint16_t)left : vp->room;

        m[i]->data_len = l;
        m[i]->next = i + 1 < n ? m[i + 1] : NULL;
        segs[i].base = rte_pktmbuf_mtod(m[i], void *);
        segs[i].len = l;
        left -= l;
    }
    m[0]->nb_segs = (uint16_t)n;
    m[0]->pkt_len = len;
    *cookie = m[0];
    return n;
}

static void vif_buf_put(void *arg, void *cookie)
{
    (void)arg;
    rte_pktmbuf_free(cookie);
}

static void off_to_mbuf(const struct netif_offload *o, struct rte_mbuf *m)
{
    if (o->flags & NETIF_OFF_CSUM_BLANK)
        m->ol_flags |= RTE_MBUF_F_RX_L4_CKSUM_NONE;
    else if (o->flags & NETIF_OFF_DATA_VALIDATED)
        m->ol_flags |= RTE_MBUF_F_RX_L4_CKSUM_GOOD;
    if (o->flags & NETIF_OFF_GSO) {
        m->ol_flags |= RTE_MBUF_F_RX_LRO;
        m->tso_segsz = o->gso_size;
        m->packet_type = RTE_PTYPE_L4_TCP |
                         (o->gso_type == NETIF_GSO_TCPV6 ? RTE_PTYPE_L3_IPV6
                                                      : RTE_PTYPE_L3_IPV4);
    }
}

static void vif_deliver(void *arg, struct nb_tx_pkt *pkts, unsigned n)
{
    struct vif_port *vp = arg;
    unsigned i;

    for (i = 0; i < n; i++) {
        struct rte_mbuf *m = pkts[i].cookie;

        off_to_mbuf(&pkts[i].off, m);
        XVM_PROBE_FRAME(vif_from_guest, rte_pktmbuf_mtod(m, void *),
                        m->data_len);
        if (vp->nout < vp->maxout)
            vp->out[vp->nout++] = m;
        else
            rte_pktmbuf_free(m); /* never: budget <= maxout */
    }
}

static const struct nb_io_ops vif_io_ops = {
    .tx_buf_get = vif_buf_get,
    .tx_buf_put = vif_buf_put,
    .tx_deliver = vif_deliver,
};

/* ---- guest receive ---- */

static void mbuf_to_off(const struct rte_mbuf *m, struct netif_offload *o)
{
    uint64_t ck = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;

    memset(o, 0, sizeof(*o));
    if (ck == RTE_MBUF_F_RX_L4_CKSUM_NONE)
        o->flags |= NETIF_OFF_CSUM_BLANK;
    else if (ck == RTE_MBUF_F_RX_L4_CKSUM_GOOD)
        o->flags |= NETIF_OFF_DATA_VALIDATED;
    if ((m->ol_flags & RTE_MBUF_F_RX_LRO) && m->tso_segsz) {
        o->flags |= NETIF_OFF_GSO;
        o->gso_size = m->tso_segsz;
        o->gso_type = RTE_ETH_IS_IPV6_HDR(m->packet_type) ? NETIF_GSO_TCPV6
                                                           : NETIF_GSO_TCPV4;
    }
}

/*
 * Copy @n frames into the guest's buffers, in order, as far as they go.
 * Frees what was consumed.  @return how many.
 */
static unsigned give(struct vif_port *vp, struct rte_mbuf **pkts, unsigned n)
{
    unsigned k = 0, s = 0, done, i;

    if (n > NB_BURST_MAX)
        n = NB_BURST_MAX;
    for (k = 0; k < n; k++) {
        const struct rte_mbuf *seg = pkts[k];

        if (s + seg->nb_segs > VIF_SEGS_MAX)
            break;
        vp->rp[k].segs = &vp->segs[s];
        vp->rp[k].nseg = seg->nb_segs;
        vp->rp[k].len = seg->pkt_len;
        mbuf_to_off(seg, &vp->rp[k].off);
        for (; seg; seg = seg->next, s++) {
            vp->segs[s].base = rte_pktmbuf_mtod(seg, void *);
            vp->segs[s].len = seg->data_len;
        }
    }
    for (i = 0; i < k; i++)
        XVM_PROBE_FRAME(vif_to_guest, rte_pktmbuf_mtod(pkts[i], void *),
                        pkts[i]->data_len);
    done = nb_vif_rx_burst(vp->vif, vp->rp, k);
    for (i = 0; i < done; i++)
        rte_pktmbuf_free(pkts[i]);
    return done;
}

/* Retry the queued frames.  @return true if the queue is empty. */
static bool queue_drain(struct vif_port *vp)
{
    while (vp->q->n) {
        struct rte_mbuf *batch[NB_BURST_MAX];
        unsigned n = 0, done;

        while (n < vp->q->n && n < NB_BURST_MAX) {
            batch[n] = vsw_mbufq_at(vp->q, n);
            n++;
        }
        done = give(vp, batch, n);
        vsw_mbufq_drop_head(vp->q, done);
        if (done < n)
            return false;
    }
    return true;
}

static uint16_t vif_tx(struct vsw_port *port, struct rte_mbuf **pkts,
                       uint16_t n, enum vsw_drop *why)
{
    struct vif_port *vp = vif_of(port);
    uint16_t k = 0;

    if (nb_vif_disabled(vp->vif) != NB_FATAL_NONE) {
        *why = VSW_DROP_VIF_ERROR;
        return 0;
    }
    while (queue_drain(vp) && k < n) {
        unsigned done = give(vp, pkts + k, (unsigned)(n - k));

        k = (uint16_t)(k + done);
        if (done == 0)
            break;
    }
    for (; k < n && vsw_mbufq_push(vp->q, pkts[k]); k++)
        ;
    if (k < n)
        *why = nb_vif_disabled(vp->vif) ? VSW_DROP_VIF_ERROR : VSW_DROP_NOBUF;
    return k;
}

/* ---- events ---- */

static void rate_apply(struct vif_port *vp)
{
    uint64_t bps = __atomic_load_n(&vp->rate_bps, __ATOMIC_RELAXED);

    if (bps == vp->rate_applied)
        return;
    vp->rate_applied = bps;
    nb_vif_set_rate(vp->vif, bps * VIF_RATE_USECS / 8000000ull,
                    VIF_RATE_USECS);
}

static uint16_t vif_rx(struct vsw_port *port, struct rte_mbuf **pkts,
                       uint16_t n)
{
    struct vif_port *vp = vif_of(port);
    unsigned got;
    uint64_t one = 1;

    rate_apply(vp);
    if (nb_vif_disabled(vp->vif) != NB_FATAL_NONE)
        return 0;
    if (vp->q->n)
        queue_drain(vp);
    vp->out = pkts;
    vp->nout = 0;
    vp->maxout = n;
    got = nb_vif_tx_poll(vp->vif, n);
    if (got == n || nb_vif_tx_credit_wait_ns(vp->vif))
        return vp->nout; /* the fd stays readable: we come back */
    /* Drained: consume the event, then look once more at both rings,
     * so that nothing posted before the consume is missed. */
    xvm_evtchn_consume(vp->ec, vp->evport);
    if (vp->q->n)
        queue_drain(vp);
    if (nb_vif_tx_final_check(vp->vif) &&
        write(port->rx_fd, &one, sizeof(one)) < 0) {
        /* Cannot fail on an eventfd short of overflow. */
    }
    return vp->nout;
}

static uint64_t vif_rx_holdoff(struct vsw_port *port, uint32_t *lost)
{
    struct vif_port *vp = vif_of(port);

    *lost = 0;
    if (nb_vif_disabled(vp->vif) != NB_FATAL_NONE) {
        xvm_evtchn_consume(vp->ec, vp->evport);
        if (!vp->dead_seen) {
            vp->dead_seen = true;
            *lost = 1; /* the request that broke the protocol */
        }
        return VIF_DEAD_HOLDOFF_NS;
    }
    return nb_vif_tx_credit_wait_ns(vp->vif);
}

static void vif_set_maxbw(struct vsw_port *port, uint64_t bps)
{
    __atomic_store_n(&vif_of(port)->rate_bps, bps, __ATOMIC_RELAXED);
}

static void vif_destroy(struct vsw_port *port)
{
    struct vif_port *vp = vif_of(port);

    vsw_mbufq_free(vp->q);
    nb_vif_destroy(vp->vif);
    xvm_evtchn_destroy(vp->ec);
    xvm_mem_destroy(vp->mem);
    free(vp);
}

static const struct vsw_port_ops vif_ops = {
    .kind = "vif",
    .rx = vif_rx,
    .tx = vif_tx,
    .rx_holdoff = vif_rx_holdoff,
    .set_maxbw = vif_set_maxbw,
    .destroy = vif_destroy,
};

/* ---- setup ---- */

static int vif_connect(struct vif_port *vp, const struct vsw_vif_params *p)
{
    struct nb_vif_params np;
    uint64_t one = 1;
    int port;

    vp->mem = xvm_mem_ref(p->mem);
    vp->ec = xvm_evtchn_open(BACKEND_DOMID);
    if (!vp->ec)
        return -ENOMEM;
    port = xvm_evtchn_adopt(vp->ec, 0, p->domid, p->own_fd, p->peer_fd);
    if (port < 0)
        return port;
    vp->evport = (evtchn_port_t)port;
    /* Pending, as Xen leaves a new binding. */
    if (write(xvm_evtchn_fd(vp->ec, vp->evport), &one, sizeof(one)) < 0)
        return -errno;
    memset(&np, 0, sizeof(np));
    np.name = p->name;
    np.frontend_domid = p->domid;
    np.backend_domid = BACKEND_DOMID;
    np.mem = vp->mem;
    np.gnttab_gfn = p->gt_gfn;
    np.gnttab_frames = p->gt_frames;
    np.tx_ring_ref = p->tx_ring_ref;
    np.rx_ring_ref = p->rx_ring_ref;
    np.evtchn = vp->ec;
    np.tx_port = np.rx_port = vp->evport;
    np.features = p->features;
    np.ops = &vif_io_ops;
    np.ops_arg = vp;
    vp->vif = nb_vif_create(&np);
    return vp->vif ? 0 : -errno;
}

struct vsw_port *vsw_port_vif_open(const struct vsw_vif_params *p,
                                   struct rte_mempool *pool)
{
    struct vif_port *vp;
    int rc;

    if (!p || !pool || !p->name || !p->mem || p->domid == BACKEND_DOMID ||
        p->own_fd < 0 || p->peer_fd < 0) {
        errno = EINVAL;
        return NULL;
    }
    vp = calloc(1, sizeof(*vp));
    if (!vp)
        return NULL;
    vp->pool = pool;
    vp->room = (uint16_t)(rte_pktmbuf_data_room_size(pool) -
                          RTE_PKTMBUF_HEADROOM);
    vp->q = vsw_mbufq_new(VIF_RXQ_MAX);
    rc = vp->q ? vif_connect(vp, p) : -ENOMEM;
    if (rc < 0) {
        vsw_mbufq_free(vp->q);
        nb_vif_destroy(vp->vif);
        xvm_evtchn_destroy(vp->ec);
        xvm_mem_destroy(vp->mem);
        free(vp);
        errno = -rc;
        return NULL;
    }
    vp->port.ops = &vif_ops;
    snprintf(vp->port.name, sizeof(vp->port.name), "%s", p->name);
    vp->port.rx_fd = xvm_evtchn_fd(vp->ec, vp->evport);
    vp->port.wake_fd = -1;
    vp->port.flags = VSW_PORT_F_TX_RATE;
    /* Large segments and partial checksums go to a guest that takes them
     * (netback drops a large one the guest did not ask for; illumos xnf
     * asks for none); others get them cut and summed by the switch. */
    if ((p->features & (NETIF_F_SG | NETIF_F_GSO_TCPV4)) ==
            (NETIF_F_SG | NETIF_F_GSO_TCPV4) &&
        !(p->features & NETIF_F_NO_CSUM))
        vp->port.flags |= VSW_PORT_F_OFFLOAD_META | VSW_PORT_F_GRO;
    return &vp->port;
}

bool vsw_port_is_vif(const struct vsw_port *port)
{
    return port && port->ops == &vif_ops;
}
