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
 * Queues: each queue of a netif is a port of its own (vsw_port_ops.queue):
 * the vif's port is queue 0, and the switch gives every queue an endpoint
 * that one worker owns, both directions of it, as a DPDK port queue
 * belongs to one lcore; the queues share nothing a fast path writes but
 * netback's rate credit, which takes its own lock while a limit is set.
 * A queue's fd is its event channel's eventfd, or an epoll set of its two
 * with split channels.  A frame for the guest goes to the queue of its
 * flow (queue_of: the mbuf's RSS hash if it has one, else
 * nb_flow_hash()), each queue with its own FIFO.  One queue's fatal
 * error takes the whole vif down, as Linux netback does.
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
#include <sys/epoll.h>
#include <unistd.h>

#include <rte_mbuf.h>

#include "netback/netback.h"
#include "mbufq_pvt.h"
#include "vsw/port.h"
#include "vsw/switch.h"
#include "xvm/probe.h"

/* Frames waiting for guest RX buffers, over all of a vif's queues. */
#define VIF_RXQ_MAX 256
/* Segments handed to one nb_vif_rx_burst() call. */
#define VIF_SEGS_MAX 1024
/* How long a disabled vif's fd is left alone between looks. */
#define VIF_DEAD_HOLDOFF_NS 1000000000ull
/* The credit window maxbw is expressed in (netback's rate usecs). */
#define VIF_RATE_USECS 10000ull
#define BACKEND_DOMID 0

struct vif_port;

/* One queue: a port of its own (queue 0's is the vif's), its netback vif
 * and channels, and the scratch its owner's fast path uses. */
struct vif_queue {
    struct vsw_port port;
    struct vif_port *vp;
    unsigned idx;
    struct nb_vif *vif;
    evtchn_port_t tx_ev, rx_ev;   /* rx_ev == tx_ev unless split */
    int epfd;                     /* both channels' fds; -1: one channel */
    struct vsw_mbufq *q;          /* frames waiting for guest buffers */
    /* fast path of the queue's owner */
    struct rte_mbuf **out;        /* where tx_deliver puts frames */
    uint16_t nout, maxout;
    struct nb_rx_pkt rp[NB_BURST_MAX];
    struct nb_seg segs[VIF_SEGS_MAX];
};

struct vif_port {
    struct rte_mempool *pool;
    struct xvm_mem *mem;
    struct xvm_evtchn *ec;
    unsigned nq;
    uint16_t room;                /* data room of one mbuf */
    uint64_t rate_bps;            /* published by set_maxbw */
    uint64_t rate_applied;        /* fast path of queue 0's owner */
    bool dead_seen;               /* atomic: the loss counted once */
    struct vif_queue qs[NETIF_QUEUES_MAX];
};

#define vq_of(p) container_of((p), struct vif_queue, port)
#define vif_of(p) (vq_of(p)->vp)

/* ---- guest transmit ---- */

/* A frame the guest sent, in its mbuf; one about to be copied to the
 * guest's RX ring (bench/fptrace.sh). */
XVM_PROBE_DEFINE(vif_from_guest);
XVM_PROBE_DEFINE(vif_to_guest);

static unsigned vif_buf_get(void *arg, uint32_t len, struct nb_seg *segs,
                            unsigned max, void **cookie)
{
    struct vif_port *vp = ((struct vif_queue *)arg)->vp;
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
    struct vif_queue *vq = arg;
    unsigned i;

    for (i = 0; i < n; i++) {
        struct rte_mbuf *m = pkts[i].cookie;

        off_to_mbuf(&pkts[i].off, m);
        XVM_PROBE_FRAME(vif_from_guest, rte_pktmbuf_mtod(m, void *),
                        m->data_len);
        if (vq->nout < vq->maxout)
            vq->out[vq->nout++] = m;
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
 * Copy @n frames into the guest's buffers of queue @vq, in order, as far
 * as they go.  Frees what was consumed.  @return how many.
 */
static unsigned give(struct vif_queue *vq, struct rte_mbuf **pkts,
                     unsigned n)
{
    unsigned k = 0, s = 0, done, i;

    if (n > NB_BURST_MAX)
        n = NB_BURST_MAX;
    for (k = 0; k < n; k++) {
        const struct rte_mbuf *seg = pkts[k];

        if (s + seg->nb_segs > VIF_SEGS_MAX)
            break;
        vq->rp[k].segs = &vq->segs[s];
        vq->rp[k].nseg = seg->nb_segs;
        vq->rp[k].len = seg->pkt_len;
        mbuf_to_off(seg, &vq->rp[k].off);
        for (; seg; seg = seg->next, s++) {
            vq->segs[s].base = rte_pktmbuf_mtod(seg, void *);
            vq->segs[s].len = seg->data_len;
        }
    }
    for (i = 0; i < k; i++)
        XVM_PROBE_FRAME(vif_to_guest, rte_pktmbuf_mtod(pkts[i], void *),
                        pkts[i]->data_len);
    done = nb_vif_rx_burst(vq->vif, vq->rp, k);
    for (i = 0; i < done; i++)
        rte_pktmbuf_free(pkts[i]);
    return done;
}

/* Retry the queued frames.  @return true if the queue is empty. */
static bool queue_drain(struct vif_queue *vq)
{
    while (vq->q->n) {
        struct rte_mbuf *batch[NB_BURST_MAX];
        unsigned n = 0, done;

        while (n < vq->q->n && n < NB_BURST_MAX) {
            batch[n] = vsw_mbufq_at(vq->q, n);
            n++;
        }
        done = give(vq, batch, n);
        vsw_mbufq_drop_head(vq->q, done);
        if (done < n)
            return false;
    }
    return true;
}

/* The vif is down when any of its queues is. */
static enum nb_fatal vif_dead(const struct vif_port *vp)
{
    unsigned i;

    for (i = 0; i < vp->nq; i++)
        if (nb_vif_disabled(vp->qs[i].vif) != NB_FATAL_NONE)
            return nb_vif_disabled(vp->qs[i].vif);
    return NB_FATAL_NONE;
}

/* Hand @n frames to queue @vq: what the guest has buffers for, then what
 * fits its FIFO.  @return how many were taken. */
static unsigned queue_tx(struct vif_queue *vq, struct rte_mbuf **pkts,
                         unsigned n)
{
    unsigned k = 0;

    while (queue_drain(vq) && k < n) {
        unsigned done = give(vq, pkts + k, n - k);

        k += done;
        if (done == 0)
            break;
    }
    for (; k < n && vsw_mbufq_push(vq->q, pkts[k]); k++)
        ;
    return k;
}

/* The queue of @m's flow (Linux netback's select_queue). */
static unsigned vif_queue_of(const struct vsw_port *port,
                             const struct rte_mbuf *m)
{
    uint32_t hash = m->ol_flags & RTE_MBUF_F_RX_RSS_HASH
                        ? m->hash.rss
                        : nb_flow_hash(rte_pktmbuf_mtod(m, const void *),
                                       m->data_len);

    return nb_queue_select(hash, vif_of(port)->nq);
}

static uint16_t vif_tx(struct vsw_port *port, struct rte_mbuf **pkts,
                       uint16_t n, enum vsw_drop *why)
{
    struct vif_queue *vq = vq_of(port);
    uint16_t k;

    if (vif_dead(vq->vp) != NB_FATAL_NONE) {
        *why = VSW_DROP_VIF_ERROR;
        return 0;
    }
    k = (uint16_t)queue_tx(vq, pkts, n);
    if (k < n)
        *why = vif_dead(vq->vp) ? VSW_DROP_VIF_ERROR : VSW_DROP_NOBUF;
    return k;
}

/* ---- events ---- */

/* Queue 0's owner applies maxbw; the queues share queue 0's bucket. */
static void rate_apply(struct vif_port *vp)
{
    uint64_t bps = __atomic_load_n(&vp->rate_bps, __ATOMIC_RELAXED);

    if (bps == vp->rate_applied)
        return;
    vp->rate_applied = bps;
    nb_vif_set_rate(vp->qs[0].vif, bps * VIF_RATE_USECS / 8000000ull,
                    VIF_RATE_USECS);
}

static void queue_consume(struct vif_queue *vq)
{
    xvm_evtchn_consume(vq->vp->ec, vq->tx_ev);
    if (vq->rx_ev != vq->tx_ev)
        xvm_evtchn_consume(vq->vp->ec, vq->rx_ev);
}

/*
 * Guest transmit of one queue, up to @n frames into @pkts; the frames
 * waiting for the guest's buffers are retried first.  The queue's events
 * are consumed only once its ring is drained, and looked at once more
 * after that, so that nothing posted before the consume is missed; a busy
 * or credit-stalled queue keeps its fd readable.
 */
static uint16_t vif_rx(struct vsw_port *port, struct rte_mbuf **pkts,
                       uint16_t n)
{
    struct vif_queue *vq = vq_of(port);
    uint64_t one = 1;
    unsigned got;

    if (vq->idx == 0)
        rate_apply(vq->vp);
    if (vif_dead(vq->vp) != NB_FATAL_NONE)
        return 0;
    vq->out = pkts;
    vq->nout = 0;
    vq->maxout = n;
    if (vq->q->n)
        queue_drain(vq);
    if (n == 0)
        return 0;
    got = nb_vif_tx_poll(vq->vif, n);
    if (got == n || nb_vif_tx_credit_wait_ns(vq->vif))
        return vq->nout; /* the fd stays readable: we come back */
    queue_consume(vq);
    if (vq->q->n)
        queue_drain(vq);
    if (nb_vif_tx_final_check(vq->vif) &&
        write(xvm_evtchn_fd(vq->vp->ec, vq->tx_ev), &one, sizeof(one)) < 0) {
        /* Cannot fail on an eventfd short of overflow. */
    }
    return vq->nout;
}

static uint64_t vif_rx_holdoff(struct vsw_port *port, uint32_t *lost)
{
    struct vif_queue *vq = vq_of(port);
    struct vif_port *vp = vq->vp;

    *lost = 0;
    if (vif_dead(vp) != NB_FATAL_NONE) {
        queue_consume(vq);
        if (!__atomic_exchange_n(&vp->dead_seen, true, __ATOMIC_RELAXED))
            *lost = 1; /* the request that broke the protocol */
        return VIF_DEAD_HOLDOFF_NS;
    }
    /* Until the first waiting packet can go (the credit is shared). */
    return nb_vif_tx_credit_wait_ns(vq->vif);
}

static void vif_set_maxbw(struct vsw_port *port, uint64_t bps)
{
    struct vif_port *vp = vif_of(port);
    uint64_t one = 1;

    __atomic_store_n(&vp->rate_bps, bps, __ATOMIC_RELAXED);
    /* Queue 0's owner applies it when it next reads queue 0, which may
     * carry nothing now: make its fd readable. */
    if (write(xvm_evtchn_fd(vp->ec, vp->qs[0].tx_ev), &one, sizeof(one)) <
        0) {
        /* Cannot fail on an eventfd short of overflow. */
    }
}

static struct vsw_port *vif_queue(struct vsw_port *port, unsigned q)
{
    struct vif_port *vp = vif_of(port);

    return q < vp->nq ? &vp->qs[q].port : NULL;
}

static void vif_free(struct vif_port *vp)
{
    unsigned i;

    /* Queue 0 last: the others take their credit from it. */
    for (i = NETIF_QUEUES_MAX; i-- > 0;) {
        vsw_mbufq_free(vp->qs[i].q);
        nb_vif_destroy(vp->qs[i].vif);
        if (vp->qs[i].epfd >= 0)
            close(vp->qs[i].epfd);
    }
    xvm_evtchn_destroy(vp->ec);
    xvm_mem_destroy(vp->mem);
    free(vp);
}

static void vif_destroy(struct vsw_port *port)
{
    vif_free(vif_of(port));
}

/* Queue 0: the vif. */
static const struct vsw_port_ops vif_ops = {
    .kind = "vif",
    .rx = vif_rx,
    .tx = vif_tx,
    .rx_holdoff = vif_rx_holdoff,
    .set_maxbw = vif_set_maxbw,
    .queue = vif_queue,
    .queue_of = vif_queue_of,
    .destroy = vif_destroy,
};

/* Queues 1..: the vif's, destroyed with it. */
static const struct vsw_port_ops vif_queue_ops = {
    .kind = "vif",
    .rx = vif_rx,
    .tx = vif_tx,
    .rx_holdoff = vif_rx_holdoff,
};

/* ---- setup ---- */

/* Adopt one event channel (the guest's doorbells) as a new local port,
 * left pending as Xen leaves a new binding; add it to the epoll set. */
static int channel_adopt(struct vif_queue *vq, domid_t domid, int own_fd,
                         int peer_fd, evtchn_port_t *out)
{
    struct epoll_event ev = {.events = EPOLLIN};
    uint64_t one = 1;
    struct vif_port *vp = vq->vp;
    int port = xvm_evtchn_adopt(vp->ec, 0, domid, own_fd, peer_fd);

    if (port < 0)
        return port;
    *out = (evtchn_port_t)port;
    if (write(xvm_evtchn_fd(vp->ec, *out), &one, sizeof(one)) < 0)
        return -errno;
    if (vq->epfd >= 0 &&
        epoll_ctl(vq->epfd, EPOLL_CTL_ADD, xvm_evtchn_fd(vp->ec, *out),
                  &ev) < 0)
        return -errno;
    return 0;
}

/* log2 of the power of two at or above @nq: the FIFOs of @nq queues
 * together hold at most VIF_RXQ_MAX frames. */
static unsigned rxq_shift(unsigned nq)
{
    unsigned s = 0;

    while ((1u << s) < nq)
        s++;
    return s;
}

static int queue_connect(struct vif_port *vp, const struct vsw_vif_params *p,
                         unsigned i)
{
    const struct vsw_vif_queue *pq = &p->queue[i];
    struct vif_queue *vq = &vp->qs[i];
    struct nb_vif_params np;
    char name[40];
    int rc;

    /* The vif's budget of waiting frames is shared by its queues: more
     * queues must not let a guest that posts no buffers pin more of the
     * pool (each frame may be a chain). */
    vq->q = vsw_mbufq_new(VIF_RXQ_MAX >> rxq_shift(p->nqueues));
    if (!vq->q)
        return -ENOMEM;
    if (pq->rx_own_fd >= 0) {
        vq->epfd = epoll_create1(EPOLL_CLOEXEC);
        if (vq->epfd < 0)
            return -errno;
    }
    rc = channel_adopt(vq, p->domid, pq->own_fd, pq->peer_fd, &vq->tx_ev);
    vq->rx_ev = vq->tx_ev;
    if (rc == 0 && pq->rx_own_fd >= 0)
        rc = channel_adopt(vq, p->domid, pq->rx_own_fd, pq->rx_peer_fd,
                           &vq->rx_ev);
    if (rc < 0)
        return rc;
    if (p->nqueues > 1)
        snprintf(name, sizeof(name), "%s-q%u", p->name, i);
    else
        snprintf(name, sizeof(name), "%s", p->name);
    memset(&np, 0, sizeof(np));
    np.name = name;
    np.frontend_domid = p->domid;
    np.backend_domid = BACKEND_DOMID;
    np.mem = vp->mem;
    np.gnttab_gfn = p->gt_gfn;
    np.gnttab_frames = p->gt_frames;
    np.tx_ring_ref = pq->tx_ring_ref;
    np.rx_ring_ref = pq->rx_ring_ref;
    np.evtchn = vp->ec;
    np.tx_port = vq->tx_ev;
    np.rx_port = vq->rx_ev;
    np.features = p->features;
    np.ops = &vif_io_ops;
    np.ops_arg = vq;
    np.credit_of = i ? vp->qs[0].vif : NULL;
    vq->vif = nb_vif_create(&np);
    return vq->vif ? 0 : -errno;
}

static int vif_connect(struct vif_port *vp, const struct vsw_vif_params *p)
{
    unsigned i;
    int rc;

    vp->mem = xvm_mem_ref(p->mem);
    vp->ec = xvm_evtchn_open(BACKEND_DOMID);
    if (!vp->ec)
        return -ENOMEM;
    for (i = 0; i < p->nqueues; i++) {
        rc = queue_connect(vp, p, i);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static bool params_ok(const struct vsw_vif_params *p)
{
    unsigned i;

    if (!p || !p->name || !p->mem || p->domid == BACKEND_DOMID ||
        p->nqueues < 1 || p->nqueues > NETIF_QUEUES_MAX)
        return false;
    for (i = 0; i < p->nqueues; i++)
        if (p->queue[i].own_fd < 0 || p->queue[i].peer_fd < 0 ||
            (p->queue[i].rx_own_fd >= 0 && p->queue[i].rx_peer_fd < 0))
            return false;
    return true;
}

struct vsw_port *vsw_port_vif_open(const struct vsw_vif_params *p,
                                   struct rte_mempool *pool)
{
    uint32_t flags = VSW_PORT_F_TX_RATE;
    struct vif_port *vp;
    unsigned i;
    int rc;

    if (!params_ok(p) || !pool) {
        errno = EINVAL;
        return NULL;
    }
    vp = calloc(1, sizeof(*vp));
    if (!vp)
        return NULL;
    vp->pool = pool;
    vp->nq = p->nqueues;
    vp->room = (uint16_t)(rte_pktmbuf_data_room_size(pool) -
                          RTE_PKTMBUF_HEADROOM);
    for (i = 0; i < NETIF_QUEUES_MAX; i++) {
        vp->qs[i].vp = vp;
        vp->qs[i].idx = i;
        vp->qs[i].epfd = -1;
    }
    rc = vif_connect(vp, p);
    if (rc < 0) {
        vif_free(vp);
        errno = -rc;
        return NULL;
    }
    /* Large segments and partial checksums go to a guest that takes them
     * (netback drops a large one the guest did not ask for; illumos xnf
     * asks for none); others get them cut and summed by the switch. */
    if ((p->features & (NETIF_F_SG | NETIF_F_GSO_TCPV4)) ==
            (NETIF_F_SG | NETIF_F_GSO_TCPV4) &&
        !(p->features & NETIF_F_NO_CSUM))
        flags |= VSW_PORT_F_OFFLOAD_META | VSW_PORT_F_GRO;
    for (i = 0; i < vp->nq; i++) {
        struct vif_queue *vq = &vp->qs[i];

        vq->port.ops = i ? &vif_queue_ops : &vif_ops;
        if (i)
            snprintf(vq->port.name, sizeof(vq->port.name), "%s-q%u",
                     p->name, i);
        else
            snprintf(vq->port.name, sizeof(vq->port.name), "%s", p->name);
        vq->port.rx_fd = vq->epfd >= 0 ? vq->epfd
                                       : xvm_evtchn_fd(vp->ec, vq->tx_ev);
        vq->port.wake_fd = -1;
        vq->port.flags = flags;
        vq->port.nqueues = i ? 1 : (uint16_t)vp->nq;
    }
    return &vp->qs[0].port;
}

bool vsw_port_is_vif(const struct vsw_port *port)
{
    return port && (port->ops == &vif_ops || port->ops == &vif_queue_ops);
}

unsigned vsw_port_vif_queues(const struct vsw_port *port)
{
    return port && port->ops == &vif_ops ? vif_of(port)->nq : 0;
}

int vsw_port_vif_queue_stats(const struct vsw_port *port, unsigned q,
                             struct nb_vif_stats *st)
{
    if (q >= vsw_port_vif_queues(port))
        return -EINVAL;
    nb_vif_stats_get(vif_of(port)->qs[q].vif, st);
    return 0;
}
