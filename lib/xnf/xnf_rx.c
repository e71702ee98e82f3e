/* SPDX-License-Identifier: MIT */
/*
 * libxnf guest receive: every RX ring slot owns one RX page, posted with
 * id = slot.  The backend answers each request in the same ring position,
 * so a packet is a run of consecutive responses: the first data slot
 * (carrying the flags), its extra records, then more data slots while
 * NETRXF_more_data is set.
 *
 * Each slot is read from shared memory exactly once per pass into a local
 * copy (one 8-byte load); only the copy is validated and used.  A packet
 * whose tail the backend has not published yet is parsed again from the
 * ring once more responses arrive.
 */
#include "xnf_pvt.h"

struct rx_frag {
    const char *src; /* inside the slot's RX page */
    uint32_t len;
};

/* One packet as parsed from private copies of its slots. */
struct rx_pkt {
    uint32_t len;   /* sum of the data slots' statuses */
    uint32_t nfrag; /* data slots */
    bool bad;       /* drop it: some slot or extra was malformed */
    struct netif_offload off;
    struct rx_frag frag[NETIF_MAX_SLOTS_PER_PKT];
};

static inline void rx_slot_read(const struct xnf_dev *dev, RING_IDX idx,
                                union xnf_rx_slot *s)
{
    const union netif_rx_sring_entry *e =
        &dev->rx.sring->ring[idx & (XNF_RX_SLOTS - 1)];

    s->raw = __atomic_load_n((const uint64_t *)e, __ATOMIC_RELAXED);
}

bool xnf_rx_post(struct xnf_dev *dev)
{
    RING_IDX p = dev->rx.req_prod_pvt;
    /* Every posted buffer is answered in order, so the buffers we may post
     * are exactly those before rsp_cons + ring size. */
    RING_IDX end = dev->rx.rsp_cons + XNF_RX_SLOTS;

    if (p == end)
        return false;
    for (; p != end; p++) {
        unsigned slot = p & (XNF_RX_SLOTS - 1);
        struct netif_rx_request req = {
            .id = (uint16_t)slot,
            .pad = 0,
            .gref = xnf_rx_gref(dev, slot),
        };

        *RING_GET_REQUEST(&dev->rx, p) = req;
    }
    dev->rx.req_prod_pvt = p;
    return true;
}

void xnf_rx_refill(struct xnf_dev *dev)
{
    int notify;

    if (!xnf_rx_post(dev))
        return;
    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&dev->rx, notify);
    dev->rx_pub = dev->rx.req_prod_pvt;
    if (notify)
        xnf_kick_rx(dev);
}

static void rx_consume(struct xnf_dev *dev, uint32_t slots)
{
    dev->rx.rsp_cons += slots;
    dev->rx_need = dev->rx.rsp_cons;
    if (dev->rx.rsp_cons + XNF_RX_SLOTS - dev->rx.req_prod_pvt >=
        XNF_RX_REFILL_BATCH)
        xnf_rx_refill(dev);
}

/* Read the response producer once and check it.  A producer behind the
 * last one seen wraps to a huge distance, so one comparison catches both
 * "backwards" and "beyond the buffers we posted". */
static bool rx_refresh(struct xnf_dev *dev)
{
    RING_IDX prod = xnf_read_idx(&dev->rx.sring->rsp_prod);

    if (XNF_UNLIKELY(prod - dev->rx_seen > dev->rx_pub - dev->rx_seen)) {
        xnf_set_broken(dev);
        return false;
    }
    xen_rmb(); /* responses after the producer that announced them */
    dev->rx_seen = prod;
    return true;
}

static void rx_frag_add(const struct xnf_dev *dev, struct rx_pkt *pkt,
                        RING_IDX idx, const struct netif_rx_response *rsp)
{
    unsigned slot = idx & (XNF_RX_SLOTS - 1);
    struct rx_frag *f = &pkt->frag[pkt->nfrag++];

    /* A response sits where its request did; another id means the
     * backend lost track of which buffer it filled. */
    if (XNF_UNLIKELY(rsp->id != slot || rsp->status < 0 ||
                     (uint32_t)rsp->offset + (uint32_t)rsp->status >
                         XVM_PAGE_SIZE)) {
        pkt->bad = true;
        f->src = NULL;
        f->len = 0;
        return;
    }
    f->src = dev->rx_va[slot] + rsp->offset;
    f->len = (uint32_t)rsp->status;
    pkt->len += f->len;
}

static void rx_extra_check(const struct xnf_dev *dev, struct rx_pkt *pkt,
                           const struct netif_extra_info *ex, unsigned *types)
{
    if (ex->type == XEN_NETIF_EXTRA_TYPE_NONE ||
        ex->type >= XEN_NETIF_EXTRA_TYPE_MAX || (*types & (1u << ex->type))) {
        pkt->bad = true;
        return;
    }
    *types |= 1u << ex->type;
    if (ex->type != XEN_NETIF_EXTRA_TYPE_GSO)
        return; /* multicast and hash records carry nothing we use */
    if (ex->u.gso.size == 0 || ex->u.gso.type >= 8 ||
        !(dev->rx_gso & (1u << ex->u.gso.type))) {
        pkt->bad = true;
        return;
    }
    pkt->off.flags |= NETIF_OFF_GSO;
    pkt->off.gso_size = ex->u.gso.size;
    pkt->off.gso_type = ex->u.gso.type;
}

/*
 * Parse the packet starting at rsp_cons within the published window.
 * @return slots it takes, or 0 if its tail is not published yet.  A chain
 * that runs past the slot limit is cut there and its tail left to
 * rx_skip_tail() (dev->rx_skip).
 */
static uint32_t rx_parse(struct xnf_dev *dev, struct rx_pkt *pkt)
{
    RING_IDX cons = dev->rx.rsp_cons;
    uint32_t avail = dev->rx_seen - cons, i = 1;
    unsigned types = 0, nextra = 0;
    union xnf_rx_slot s;
    bool more, emore;

    rx_slot_read(dev, cons, &s);
    pkt->len = 0;
    pkt->nfrag = 0;
    pkt->bad = false;
    pkt->off.flags = 0;
    pkt->off.gso_size = 0;
    pkt->off.gso_type = 0;
    if (s.rsp.flags & NETRXF_csum_blank)
        pkt->off.flags |= NETIF_OFF_CSUM_BLANK;
    if (s.rsp.flags & NETRXF_data_validated)
        pkt->off.flags |= NETIF_OFF_DATA_VALIDATED;
    more = (s.rsp.flags & NETRXF_more_data) != 0;
    emore = (s.rsp.flags & NETRXF_extra_info) != 0;
    rx_frag_add(dev, pkt, cons, &s.rsp);

    for (; emore; i++) {
        if (i == avail)
            return 0;
        if (nextra++ == XNF_RX_MAX_EXTRAS) {
            /* More extras than there are types: give up on the packet. */
            pkt->bad = true;
            dev->rx_skip = XNF_SKIP_EXTRAS | (more ? XNF_SKIP_DATA : 0);
            return i;
        }
        rx_slot_read(dev, cons + i, &s);
        rx_extra_check(dev, pkt, &s.ex, &types);
        emore = (s.ex.flags & XEN_NETIF_EXTRA_FLAG_MORE) != 0;
    }
    for (; more; i++) {
        if (i == avail)
            return 0;
        if (pkt->nfrag == NETIF_MAX_SLOTS_PER_PKT) {
            pkt->bad = true;
            dev->rx_skip = XNF_SKIP_DATA;
            return i;
        }
        rx_slot_read(dev, cons + i, &s);
        more = (s.rsp.flags & NETRXF_more_data) != 0;
        rx_frag_add(dev, pkt, cons + i, &s.rsp);
    }
    return i;
}

/* Consume the published rest of a chain cut by rx_parse(). */
static void rx_skip_tail(struct xnf_dev *dev)
{
    uint32_t n = 0, avail = dev->rx_seen - dev->rx.rsp_cons;
    union xnf_rx_slot s;

    while (dev->rx_skip && n < avail) {
        rx_slot_read(dev, dev->rx.rsp_cons + n++, &s);
        if (dev->rx_skip & XNF_SKIP_EXTRAS) {
            if (!(s.ex.flags & XEN_NETIF_EXTRA_FLAG_MORE))
                dev->rx_skip &= ~XNF_SKIP_EXTRAS;
        } else if (!(s.rsp.flags & NETRXF_more_data)) {
            dev->rx_skip = 0;
        }
    }
    rx_consume(dev, n);
}

/*
 * Find the next complete packet.  @return its slot count, or 0 if there is
 * none (or the device just broke).  The producer is re-read only when what
 * was seen is used up or ends mid-packet, so a burst costs one shared read.
 */
static uint32_t rx_next(struct xnf_dev *dev, struct rx_pkt *pkt)
{
    bool refreshed = false;
    uint32_t used;

    for (;;) {
        if (dev->rx_seen == dev->rx.rsp_cons) {
            if (refreshed || !rx_refresh(dev))
                return 0;
            refreshed = true;
            continue;
        }
        if (dev->rx_skip) {
            rx_skip_tail(dev);
            continue;
        }
        used = rx_parse(dev, pkt);
        if (used)
            return used;
        if (refreshed)
            break;
        if (!rx_refresh(dev))
            return 0;
        refreshed = true;
    }
    /* Part of a packet is out; the backend may need the buffers we still
     * hold to finish it.  Until the producer moves past what we saw there
     * is nothing to do (xnf_rx_final_check). */
    dev->rx_need = dev->rx_seen;
    xnf_rx_refill(dev);
    return 0;
}

/*
 * The next well-formed frame into @pkt, dropping (and counting) malformed
 * ones on the way.  Bounded so a backend producing garbage as fast as we
 * drop it cannot keep us here.  @return the slots it takes, 0 if none.
 */
static uint32_t rx_take(struct xnf_dev *dev, struct rx_pkt *pkt)
{
    unsigned drops = 0;
    uint32_t used;

    while (drops < XNF_RX_SLOTS && (used = rx_next(dev, pkt)) != 0) {
        if (XNF_UNLIKELY(pkt->bad || pkt->len == 0 ||
                         pkt->len > NETIF_MAX_FRAME)) {
            dev->st.rx_errors++;
            drops++;
            rx_consume(dev, used);
            continue;
        }
        dev->st.rx_packets++;
        dev->st.rx_bytes += pkt->len;
        return used;
    }
    return 0;
}

int xnf_recv(struct xnf_dev *dev, void *buf, uint32_t cap,
             struct netif_offload *off)
{
    struct rx_pkt pkt;
    uint32_t used, i;
    char *dst = buf;

    if (XNF_UNLIKELY(!dev->ready))
        return -EIO;
    used = rx_take(dev, &pkt);
    if (used == 0)
        return dev->ready ? 0 : -EIO;
    if (XNF_UNLIKELY(pkt.len > cap)) {
        dev->st.rx_packets--;
        dev->st.rx_bytes -= pkt.len;
        rx_consume(dev, used);
        return -EMSGSIZE;
    }
    for (i = 0; i < pkt.nfrag; i++) {
        memcpy(dst, pkt.frag[i].src, pkt.frag[i].len);
        dst += pkt.frag[i].len;
    }
    if (off)
        *off = pkt.off;
    rx_consume(dev, used);
    return (int)pkt.len;
}

int xnf_recv_frags(struct xnf_dev *dev, struct xnf_frag *frags, unsigned *nfrag,
                   struct netif_offload *off)
{
    struct rx_pkt pkt;
    uint32_t used, i;

    *nfrag = 0;
    if (XNF_UNLIKELY(!dev->ready))
        return -EIO;
    xnf_recv_release(dev);
    used = rx_take(dev, &pkt);
    if (used == 0)
        return dev->ready ? 0 : -EIO;
    for (i = 0; i < pkt.nfrag; i++) {
        frags[i].base = (void *)pkt.frag[i].src;
        frags[i].len = pkt.frag[i].len;
    }
    *nfrag = pkt.nfrag;
    if (off)
        *off = pkt.off;
    dev->rx_held = used;
    return (int)pkt.len;
}

void xnf_recv_release(struct xnf_dev *dev)
{
    uint32_t used = dev->rx_held;

    if (used) {
        dev->rx_held = 0;
        rx_consume(dev, used);
    }
}

/*
 * RING_FINAL_CHECK_FOR_RESPONSES, except that the event is armed past
 * rx_need rather than rsp_cons: with a packet's tail still unpublished,
 * responses we have already seen are no work.
 */
bool xnf_rx_final_check(struct xnf_dev *dev)
{
    RING_IDX need = dev->rx_need;

    if (xnf_read_idx(&dev->rx.sring->rsp_prod) != need)
        return true;
    dev->rx.sring->rsp_event = need + 1;
    xen_mb(); /* event armed before the producer is read again */
    return xnf_read_idx(&dev->rx.sring->rsp_prod) != need;
}
