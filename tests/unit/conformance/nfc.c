/* SPDX-License-Identifier: MIT */
/* The stage of the conformance tests: see nfc.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nfc.h"
#include "xsd.h"

static struct xsd *xsd;

bool nfc_init(void)
{
    xsd = xsd_start();
    return xsd != NULL;
}

void nfc_fini(void)
{
    xsd_stop(xsd);
}

/* ------------------------------------------------------------------------ */
/* xenstore helpers                                                         */

char *nfc_rd(struct xvm_xs *xs, const char *dir, const char *key)
{
    char p[256], *v = NULL;

    snprintf(p, sizeof(p), "%s/%s", dir, key);
    return xvm_xs_read(xs, XVM_XS_NO_TX, p, &v, NULL) == 0 ? v : NULL;
}

int nfc_wr(struct xvm_xs *xs, uint32_t tx, const char *dir, const char *key,
           const char *val)
{
    char p[256];

    snprintf(p, sizeof(p), "%s/%s", dir, key);
    return xvm_xs_write_str(xs, tx, p, val);
}

unsigned nfc_rd_uint(struct xvm_xs *xs, const char *dir, const char *key,
                     unsigned dflt)
{
    char *v = nfc_rd(xs, dir, key), *end;
    unsigned long n;

    if (!v)
        return dflt;
    n = strtoul(v, &end, 10);
    if (end == v)
        n = dflt;
    free(v);
    return (unsigned)n;
}

bool nfc_exists(struct xvm_xs *xs, const char *dir, const char *key)
{
    char *v = nfc_rd(xs, dir, key);

    free(v);
    return v != NULL;
}

enum xenbus_state nfc_state(struct xvm_xs *xs, const char *dir)
{
    return (enum xenbus_state)nfc_rd_uint(xs, dir, "state", XenbusStateUnknown);
}

bool nfc_is(struct xvm_xs *xs, const char *dir, const char *key,
            const char *want)
{
    char *v = nfc_rd(xs, dir, key);
    bool ok = v ? want && strcmp(v, want) == 0 : !want;

    if (!ok)
        fprintf(stderr, "  %s/%s = %s, want %s\n", dir, key, v ? v : "(none)",
                want ? want : "(none)");
    free(v);
    return ok;
}

/* ------------------------------------------------------------------------ */
/* The backend's owner: what nbd_vifmgr and the switch do on connect.      */

static unsigned own_get(void *arg, uint32_t len, struct nb_seg *segs,
                        unsigned max, void **cookie)
{
    uint8_t *b = malloc(len);

    (void)arg;
    if (!b || max < 1) {
        free(b);
        return 0;
    }
    segs[0].base = b;
    segs[0].len = len;
    *cookie = b;
    return 1;
}

static void own_put(void *arg, void *cookie)
{
    (void)arg;
    free(cookie);
}

/* The owner of one queue's vif: it counts what each queue carried. */
struct nfc_qarg {
    struct nfc_owner *o;
    unsigned q;
};
static struct nfc_qarg qargs[NETIF_QUEUES_MAX];

static void own_deliver(void *arg, struct nb_tx_pkt *pkts, unsigned n)
{
    struct nfc_qarg *qa = arg;
    struct nfc_owner *o = qa->o;
    unsigned i;

    o->tx_by_queue[qa->q] += n;
    for (i = 0; i < n; i++) {
        if (o->nrec == NFC_PKTS_MAX) {
            free(pkts[i].cookie);
            continue;
        }
        o->rec[o->nrec].data = pkts[i].cookie;
        o->rec[o->nrec].len = pkts[i].len;
        o->rec[o->nrec].off = pkts[i].off;
        o->nrec++;
    }
}

static const struct nb_io_ops own_ops = {own_get, own_put, own_deliver};

/* Bind the frontend's @port in dom0's table, as xvmd's EVTCHN_BIND. */
static int bind_port(struct nfc *w, evtchn_port_t port)
{
    int fd = xvm_evtchn_fd(w->fe_ec, port), p;

    if (fd < 0)
        return -EINVAL;
    p = xvm_evtchn_bind_interdomain(w->be_ec, NFC_DOM, port, fd);
    if (p > 0 &&
        xvm_evtchn_connect(w->fe_ec, port, 0,
                           xvm_evtchn_fd(w->be_ec, (evtchn_port_t)p))) {
        xvm_evtchn_close(w->be_ec, (evtchn_port_t)p);
        return -EINVAL;
    }
    return p;
}

static void unbind_ports(struct nfc *w)
{
    struct nfc_owner *o = &w->own;
    unsigned q;

    for (q = 0; q < NETIF_QUEUES_MAX; q++) {
        if (o->be_tx_port[q])
            xvm_evtchn_close(w->be_ec, o->be_tx_port[q]);
        if (o->be_rx_port[q] && o->be_rx_port[q] != o->be_tx_port[q])
            xvm_evtchn_close(w->be_ec, o->be_rx_port[q]);
        o->be_tx_port[q] = o->be_rx_port[q] = 0;
    }
}

/* Every queue's vif, the last first (the others share queue 0's credit). */
static void vifs_destroy(struct nfc_owner *o)
{
    unsigned q;

    for (q = NETIF_QUEUES_MAX; q-- > 0;) {
        nb_vif_destroy(o->vif[q]);
        o->vif[q] = NULL;
    }
    o->nq = 0;
}

static void be_disconnect(void *owner)
{
    struct nfc *w = owner;

    w->own.disconnects++;
    vifs_destroy(&w->own);
    unbind_ports(w);
}

/* Bind queue @q's channels and map its rings, as the switch does. */
static int queue_connect(struct nfc *w, const struct nb_xenbus_frontend *fi,
                         unsigned q)
{
    struct nfc_owner *o = &w->own;
    const struct nb_xenbus_queue *fq = &fi->queue[q];
    struct nb_vif_params p;
    char name[32];
    int tx, rx;

    tx = bind_port(w, fq->tx_port);
    if (tx < 0)
        return tx;
    o->be_tx_port[q] = o->be_rx_port[q] = (evtchn_port_t)tx;
    rx = fq->split_evtchn ? bind_port(w, fq->rx_port) : tx;
    if (rx < 0)
        return rx;
    o->be_rx_port[q] = (evtchn_port_t)rx;
    snprintf(name, sizeof(name), "vif7.0-q%u", q);
    qargs[q] = (struct nfc_qarg){o, q};
    p = (struct nb_vif_params){
        .name = name,
        .frontend_domid = NFC_DOM,
        .backend_domid = 0,
        .mem = w->mem,
        .gnttab_gfn = XVM_GNTTAB_GFN,
        .gnttab_frames = XVM_GNTTAB_FRAMES,
        .tx_ring_ref = fq->tx_ring_ref,
        .rx_ring_ref = fq->rx_ring_ref,
        .evtchn = w->be_ec,
        .tx_port = o->be_tx_port[q],
        .rx_port = o->be_rx_port[q],
        .features = fi->features,
        .ops = &own_ops,
        .ops_arg = &qargs[q],
        .credit_of = q ? o->vif[0] : NULL,
    };
    o->vif[q] = nb_vif_create(&p);
    return o->vif[q] ? 0 : -errno;
}

static int be_connect(void *owner, const struct nb_xenbus_frontend *fi)
{
    struct nfc *w = owner;
    struct nfc_owner *o = &w->own;
    unsigned q;
    int r = 0;

    for (q = 0; r == 0 && q < fi->num_queues; q++)
        r = queue_connect(w, fi, q);
    if (r < 0) {
        vifs_destroy(o);
        unbind_ports(w);
        return r;
    }
    o->nq = fi->num_queues;
    o->info = *fi;
    o->info.backend_path = o->info.frontend_path = NULL;
    o->connects++;
    /* The switch writes the carrier before Connected (vifs.c). */
    return w->be ? nb_xenbus_set_carrier(w->be, true) : 0;
}

static const struct nb_xenbus_ops be_ops = {be_connect, be_disconnect};

/* ------------------------------------------------------------------------ */
/* The world.                                                               */

/* The nodes libxl (and xvmd, app/xvmd/vif.c) write for one vif. */
static bool toolstack(struct nfc *w)
{
    struct xvm_xs_perm fe_perms[2] = {{NFC_DOM, XVM_XS_PERM_NONE},
                                      {0, XVM_XS_PERM_READ}};
    struct xvm_xs_perm be_perms[2] = {{0, XVM_XS_PERM_NONE},
                                      {NFC_DOM, XVM_XS_PERM_READ}};
    static const char *const fe[][2] = {
        {"backend", NFC_BE}, {"backend-id", "0"}, {"state", "1"},
        {"handle", "0"},     {"mac", NFC_MAC},    {"mtu", "1500"},
        {"trusted", "1"},
    };
    static const char *const be[][2] = {
        {"frontend", NFC_FE}, {"frontend-id", "7"}, {"online", "1"},
        {"state", "1"},       {"mac", NFC_MAC},     {"handle", "0"},
        {"type", "vif"},
    };
    unsigned i;
    int r = 0;

    xvm_xs_rm(w->ts, 0, "/local/domain/0/backend");
    xvm_xs_rm(w->ts, 0, "/local/domain/0/error");
    xvm_xs_rm(w->ts, 0, "/local/domain/7");
    r |= xsd_make_home(w->ts, NFC_DOM);
    r |= xvm_xs_mkdir(w->ts, 0, NFC_FE);
    r |= xvm_xs_set_perms(w->ts, 0, NFC_FE, fe_perms, 2);
    for (i = 0; i < sizeof(fe) / sizeof(fe[0]); i++)
        r |= nfc_wr(w->ts, 0, NFC_FE, fe[i][0], fe[i][1]);
    r |= xvm_xs_mkdir(w->ts, 0, NFC_BE);
    r |= xvm_xs_set_perms(w->ts, 0, NFC_BE, be_perms, 2);
    for (i = 0; i < sizeof(be) / sizeof(be[0]); i++)
        r |= nfc_wr(w->ts, 0, NFC_BE, be[i][0], be[i][1]);
    return r == 0;
}

bool nfc_open(struct nfc *w)
{
    memset(w, 0, sizeof(*w));
    snprintf(w->fe_token, sizeof(w->fe_token), "fe:vif0");
    w->ts = xvm_xs_open(xsd_path(xsd));
    w->bx = xvm_xs_open(xsd_path(xsd));
    w->fx = xsd_connect(xsd, NFC_DOM);
    w->mem = xvm_mem_create("nfc", NFC_FRAMES);
    w->fe_ec = xvm_evtchn_open(NFC_DOM);
    w->be_ec = xvm_evtchn_open(0);
    if (!w->ts || !w->bx || !w->fx || !w->mem || !w->fe_ec || !w->be_ec)
        return false;
    w->gt = xvm_mem_frame(w->mem, XVM_GNTTAB_GFN);
    w->gt_entries = XVM_GNTTAB_FRAMES * XVM_GNTTAB_ENTRIES_PER_FRAME;
    w->next_gfn = XVM_GNTTAB_GFN + XVM_GNTTAB_FRAMES;
    w->next_ref = XVM_GNTTAB_FIRST_FREE_REF;
    return toolstack(w);
}

void nfc_close(struct nfc *w)
{
    nfc_backend_stop(w);
    nfc_pkts_free(w->own.rec, w->own.nrec);
    xvm_xs_close(w->ts);
    xvm_xs_close(w->bx);
    xvm_xs_close(w->fx);
    xvm_evtchn_destroy(w->fe_ec);
    xvm_evtchn_destroy(w->be_ec);
    xvm_mem_destroy(w->mem);
}

bool nfc_backend_start(struct nfc *w)
{
    w->be = nb_xenbus_create(w->bx, NFC_BE, w->max_queues, &be_ops, w);
    return w->be != NULL;
}

void nfc_backend_stop(struct nfc *w)
{
    nb_xenbus_destroy(w->be);
    w->be = NULL;
}

bool nfc_backend_kill(struct nfc *w)
{
    struct nb_xenbus_frontend fi = w->own.info;
    unsigned q;

    /* Its connection dies first, so it writes nothing on the way out;
     * what the kernel would undo (mappings, doorbells) is undone, and the
     * frontend's ports go back to unbound, as Xen does. */
    shutdown(xvm_xs_fd(w->bx), SHUT_RDWR);
    nfc_backend_stop(w);
    for (q = 0; q < fi.num_queues; q++) {
        xvm_evtchn_unbind(w->fe_ec, fi.queue[q].tx_port);
        if (fi.queue[q].rx_port != fi.queue[q].tx_port)
            xvm_evtchn_unbind(w->fe_ec, fi.queue[q].rx_port);
    }
    xvm_xs_close(w->bx);
    w->bx = xvm_xs_open(xsd_path(xsd));
    return w->bx != NULL;
}

/* Guest transmit, driven by the event channel only: a frontend that
 * forgets to notify when asked is left waiting, as with any backend. */
static void be_tx(struct nfc *w)
{
    struct nfc_owner *o = &w->own;
    unsigned q;

    for (q = 0; q < o->nq; q++) {
        if (!o->vif[q] || xvm_evtchn_consume(w->be_ec, o->be_tx_port[q]) <= 0)
            continue;
        do {
            while (nb_vif_tx_poll(o->vif[q], NB_BURST_MAX) > 0)
                ;
            /* Out of credit: left on the ring until the next event. */
        } while (!nb_vif_tx_credit_wait_ns(o->vif[q]) &&
                 nb_vif_tx_final_check(o->vif[q]));
    }
}

bool nfc_pump(struct nfc *w, int ms)
{
    struct pollfd p[2] = {{.fd = xvm_xs_fd(w->bx), .events = POLLIN},
                          {.fd = xvm_xs_fd(w->fx), .events = POLLIN}};
    struct xvm_xs_event *ev;
    bool fe = false;

    if (!xvm_xs_event_pending(w->bx) && !xvm_xs_event_pending(w->fx))
        poll(p, 2, ms);
    while (xvm_xs_event_next(w->bx, &ev) == 1) {
        if (w->be && nb_xenbus_event(w->be, ev) < 0)
            fprintf(stderr, "  backend: xenstore failed\n");
        free(ev);
    }
    while (xvm_xs_event_next(w->fx, &ev) == 1) {
        fe |= strcmp(ev->token, w->fe_token) == 0;
        free(ev);
    }
    be_tx(w);
    return fe;
}

/* ------------------------------------------------------------------------ */
/* The guest's kit.                                                         */

uint32_t nfc_page_alloc(struct nfc *w)
{
    uint32_t gfn;

    if (w->nfree_gfn)
        gfn = w->free_gfn[--w->nfree_gfn];
    else if (w->next_gfn < NFC_FRAMES)
        gfn = w->next_gfn++;
    else
        return 0;
    memset(nfc_page(w, gfn), 0, XVM_PAGE_SIZE);
    return gfn;
}

void nfc_page_free(struct nfc *w, uint32_t gfn)
{
    if (gfn)
        w->free_gfn[w->nfree_gfn++] = gfn;
}

void *nfc_page(struct nfc *w, uint32_t gfn)
{
    return xvm_mem_frame(w->mem, gfn);
}

grant_ref_t nfc_grant(struct nfc *w, uint32_t gfn, bool readonly)
{
    uint32_t tries;

    /* The stock drivers claim refs from a free list; any free one does. */
    for (tries = 0; tries < w->gt_entries; tries++) {
        grant_ref_t ref = w->next_ref++;

        if (w->next_ref >= w->gt_entries)
            w->next_ref = XVM_GNTTAB_FIRST_FREE_REF;
        if (xvm_gnttab_grant(w->gt, w->gt_entries, ref, 0, gfn, readonly) == 0)
            return ref;
    }
    return 0;
}

bool nfc_ungrant(struct nfc *w, grant_ref_t ref)
{
    return xvm_gnttab_end(w->gt, w->gt_entries, ref) == 0;
}

evtchn_port_t nfc_evtchn(struct nfc *w)
{
    int p = xvm_evtchn_alloc_unbound(w->fe_ec, 0);

    return p > 0 ? (evtchn_port_t)p : 0;
}

int64_t nfc_events(struct nfc *w, evtchn_port_t port)
{
    return xvm_evtchn_consume(w->fe_ec, port);
}

bool nfc_rings_setup(struct nfc *w, struct nfc_queue *q)
{
    netif_tx_sring_t *txs;
    netif_rx_sring_t *rxs;

    memset(q, 0, sizeof(*q));
    q->tx_ring_gfn = nfc_page_alloc(w);
    q->rx_ring_gfn = nfc_page_alloc(w);
    if (!q->tx_ring_gfn || !q->rx_ring_gfn)
        return false;
    txs = nfc_page(w, q->tx_ring_gfn);
    rxs = nfc_page(w, q->rx_ring_gfn);
    SHARED_RING_INIT(txs);
    FRONT_RING_INIT(&q->tx, txs, XVM_PAGE_SIZE);
    SHARED_RING_INIT(rxs);
    FRONT_RING_INIT(&q->rx, rxs, XVM_PAGE_SIZE);
    q->tx_ring_ref = nfc_grant(w, q->tx_ring_gfn, false);
    q->rx_ring_ref = nfc_grant(w, q->rx_ring_gfn, false);
    return q->tx_ring_ref && q->rx_ring_ref;
}

bool nfc_rings_teardown(struct nfc *w, struct nfc_queue *q)
{
    bool ok = true;
    unsigned i;

    if (q->tx_port)
        xvm_evtchn_close(w->fe_ec, q->tx_port);
    if (q->rx_port && q->rx_port != q->tx_port)
        xvm_evtchn_close(w->fe_ec, q->rx_port);
    q->tx_port = q->rx_port = 0;
    for (i = 0; i < NFC_RING; i++) {
        if (q->tx_pending[i]) {
            ok &= nfc_ungrant(w, q->tx_ref[i]);
            nfc_page_free(w, q->tx_gfn[i]);
            q->tx_pending[i] = false;
        }
        if (q->rx_ref[i]) {
            ok &= nfc_ungrant(w, q->rx_ref[i]);
            nfc_page_free(w, q->rx_gfn[i]);
            q->rx_ref[i] = 0;
        }
    }
    if (q->tx_ring_ref)
        ok &= nfc_ungrant(w, q->tx_ring_ref);
    if (q->rx_ring_ref)
        ok &= nfc_ungrant(w, q->rx_ring_ref);
    nfc_page_free(w, q->tx_ring_gfn);
    nfc_page_free(w, q->rx_ring_gfn);
    q->tx_ring_ref = q->rx_ring_ref = 0;
    q->tx_ring_gfn = q->rx_ring_gfn = 0;
    return ok;
}

unsigned nfc_rx_post(struct nfc *w, struct nfc_queue *q)
{
    unsigned n = 0;

    while (q->rx.req_prod_pvt - q->rx.rsp_cons < NFC_RING) {
        RING_IDX idx = q->rx.req_prod_pvt;
        unsigned slot = idx & (NFC_RING - 1);
        netif_rx_request_t *req = RING_GET_REQUEST(&q->rx, idx);
        uint32_t gfn = nfc_page_alloc(w);
        grant_ref_t ref = gfn ? nfc_grant(w, gfn, false) : 0;

        if (!ref) {
            nfc_page_free(w, gfn);
            break;
        }
        q->rx_id[slot] = (uint16_t)slot;
        q->rx_ref[slot] = ref;
        q->rx_gfn[slot] = gfn;
        req->id = (uint16_t)slot;
        req->gref = ref;
        q->rx.req_prod_pvt++;
        n++;
    }
    return n;
}

static int tx_id_get(struct nfc_queue *q)
{
    unsigned i;

    for (i = 0; i < NFC_RING; i++)
        if (!q->tx_pending[i])
            return (int)i;
    return -1;
}

unsigned nfc_tx_queue(struct nfc *w, struct nfc_queue *q, const uint8_t *data,
                      uint32_t len, uint16_t first_off, uint32_t slot_max,
                      uint16_t flags, const netif_extra_info_t *ex)
{
    netif_tx_request_t *first = NULL, *prev = NULL;
    uint32_t done = 0;
    unsigned slots = 0;

    while (done < len) {
        uint16_t off = slots ? 0 : first_off;
        uint32_t n = len - done, room = XVM_PAGE_SIZE - off;
        int id = tx_id_get(q);
        uint32_t gfn = id >= 0 ? nfc_page_alloc(w) : 0;
        netif_tx_request_t *r;

        if (!gfn)
            return 0;
        n = n < room ? n : room;
        n = n < slot_max ? n : slot_max;
        memcpy((uint8_t *)nfc_page(w, gfn) + off, data + done, n);
        q->tx_ref[id] = nfc_grant(w, gfn, true);
        q->tx_gfn[id] = gfn;
        q->tx_pending[id] = true;
        r = RING_GET_REQUEST(&q->tx, q->tx.req_prod_pvt++);
        r->gref = q->tx_ref[id];
        r->offset = off;
        r->flags = 0;
        r->id = (uint16_t)id;
        r->size = (uint16_t)n;
        if (prev)
            prev->flags |= NETTXF_more_data;
        if (!first) {
            first = r;
            first->flags = flags;
            if (ex) {
                memcpy(RING_GET_REQUEST(&q->tx, q->tx.req_prod_pvt++), ex,
                       sizeof(*ex));
                first->flags |= NETTXF_extra_info;
            }
        }
        prev = r;
        done += n;
        slots++;
    }
    if (first)
        first->size = (uint16_t)len;
    return slots;
}

bool nfc_tx_push(struct nfc *w, struct nfc_queue *q)
{
    int notify;

    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&q->tx, notify);
    if (notify)
        xvm_evtchn_send(w->fe_ec, q->tx_port);
    return notify;
}

bool nfc_rx_push(struct nfc *w, struct nfc_queue *q)
{
    int notify;

    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&q->rx, notify);
    if (notify)
        xvm_evtchn_send(w->fe_ec, q->rx_port);
    return notify;
}

static void broken(struct nfc_queue *q, const char *why, unsigned a, unsigned b)
{
    if (!q->broken)
        snprintf(q->why, sizeof(q->why), "%s (%u, %u)", why, a, b);
    q->broken = true;
}

unsigned nfc_tx_gc(struct nfc *w, struct nfc_queue *q, unsigned *ok)
{
    unsigned n = 0;
    int more;

    do {
        RING_IDX prod = q->tx.sring->rsp_prod, cons;

        if (prod - q->tx.rsp_cons > NFC_RING) {
            broken(q, "illegal number of TX responses", prod, q->tx.rsp_cons);
            return n;
        }
        xen_rmb();
        for (cons = q->tx.rsp_cons; cons != prod; cons++) {
            netif_tx_response_t rsp;

            RING_COPY_RESPONSE(&q->tx, cons, &rsp);
            n++;
            if (rsp.status == NETIF_RSP_NULL)
                continue;
            if (rsp.id >= NFC_RING || !q->tx_pending[rsp.id]) {
                broken(q, "TX response for no request", rsp.id, cons);
                return n;
            }
            if (rsp.status == NETIF_RSP_OKAY)
                (*ok)++;
            if (!nfc_ungrant(w, q->tx_ref[rsp.id]))
                broken(q, "TX grant still in use", q->tx_ref[rsp.id], cons);
            nfc_page_free(w, q->tx_gfn[rsp.id]);
            q->tx_pending[rsp.id] = false;
        }
        q->tx.rsp_cons = prod;
        RING_FINAL_CHECK_FOR_RESPONSES(&q->tx, more);
    } while (more);
    return n;
}

/* Take the buffer of RX slot @idx back; false on a bad response. */
static bool rx_take(struct nfc *w, struct nfc_queue *q, RING_IDX idx,
                    const netif_rx_response_t *rsp, struct nfc_pkt *p)
{
    unsigned slot = idx & (NFC_RING - 1);
    bool ok = true;

    if (!q->rx_ref[slot]) {
        broken(q, "RX response in an empty slot", slot, idx);
        return false;
    }
    if (rsp) {
        if (rsp->id != q->rx_id[slot]) {
            broken(q, "RX response id is not the request's", rsp->id, idx);
            ok = false;
        } else if (rsp->status <= 0 ||
                   (uint32_t)rsp->offset + (uint32_t)rsp->status >
                       XVM_PAGE_SIZE) {
            broken(q, "RX response offset/status", rsp->offset,
                   (unsigned)rsp->status);
            ok = false;
        } else if (p->len + (uint32_t)rsp->status <= NETIF_MAX_FRAME) {
            memcpy(p->data + p->len,
                   (uint8_t *)nfc_page(w, q->rx_gfn[slot]) + rsp->offset,
                   (size_t)rsp->status);
            p->len += (uint32_t)rsp->status;
        }
    }
    if (!nfc_ungrant(w, q->rx_ref[slot]))
        broken(q, "RX grant still in use", q->rx_ref[slot], idx);
    nfc_page_free(w, q->rx_gfn[slot]);
    q->rx_ref[slot] = 0;
    return ok;
}

/* The extras after the first slot of a packet. */
static RING_IDX rx_extras(struct nfc *w, struct nfc_queue *q, RING_IDX idx,
                          RING_IDX prod, struct nfc_pkt *p)
{
    netif_extra_info_t ex;

    do {
        if (idx == prod) {
            broken(q, "missing extra info", idx, prod);
            return idx;
        }
        memcpy(&ex, RING_GET_RESPONSE(&q->rx, idx), sizeof(ex));
        if (ex.type == XEN_NETIF_EXTRA_TYPE_NONE ||
            ex.type >= XEN_NETIF_EXTRA_TYPE_MAX)
            broken(q, "invalid extra type", ex.type, idx);
        if (ex.type == XEN_NETIF_EXTRA_TYPE_GSO) {
            if (ex.u.gso.size == 0 ||
                (ex.u.gso.type != XEN_NETIF_GSO_TYPE_TCPV4 &&
                 ex.u.gso.type != XEN_NETIF_GSO_TYPE_TCPV6))
                broken(q, "bad GSO record", ex.u.gso.size, ex.u.gso.type);
            p->gso_extra = true;
            p->off.flags |= NETIF_OFF_GSO;
            p->off.gso_size = ex.u.gso.size;
            p->off.gso_type = ex.u.gso.type;
        }
        rx_take(w, q, idx++, NULL, p);
    } while (ex.flags & XEN_NETIF_EXTRA_FLAG_MORE);
    return idx;
}

unsigned nfc_rx_collect(struct nfc *w, struct nfc_queue *q, struct nfc_pkt *out,
                        unsigned max)
{
    RING_IDX prod = q->rx.sring->rsp_prod;
    unsigned n = 0;
    int more;

    if (prod - q->rx.rsp_cons > NFC_RING) {
        broken(q, "illegal number of RX responses", prod, q->rx.rsp_cons);
        return 0;
    }
    xen_rmb();
    while (q->rx.rsp_cons != prod && n < max && !q->broken) {
        RING_IDX idx = q->rx.rsp_cons;
        struct nfc_pkt *p = &out[n];
        netif_rx_response_t rsp;

        memset(p, 0, sizeof(*p));
        p->data = malloc(NETIF_MAX_FRAME);
        RING_COPY_RESPONSE(&q->rx, idx, &rsp);
        p->rx_flags = rsp.flags;
        if (rsp.flags & NETRXF_csum_blank)
            p->off.flags |= NETIF_OFF_CSUM_BLANK;
        if (rsp.flags & NETRXF_data_validated)
            p->off.flags |= NETIF_OFF_DATA_VALIDATED;
        rx_take(w, q, idx++, &rsp, p);
        p->slots = 1;
        if (rsp.flags & NETRXF_extra_info)
            idx = rx_extras(w, q, idx, prod, p);
        while ((rsp.flags & NETRXF_more_data) && !q->broken) {
            if (idx == prod) {
                broken(q, "need more slots", idx, prod);
                break;
            }
            RING_COPY_RESPONSE(&q->rx, idx, &rsp);
            if (rsp.flags &
                (NETRXF_extra_info | NETRXF_csum_blank | NETRXF_data_validated))
                broken(q, "first-slot flags on a later slot", rsp.flags, idx);
            rx_take(w, q, idx++, &rsp, p);
            p->slots++;
        }
        if (p->slots > XEN_NETIF_NR_SLOTS_MIN)
            broken(q, "too many slots", p->slots, idx);
        q->rx.rsp_cons = idx;
        n++;
    }
    RING_FINAL_CHECK_FOR_RESPONSES(&q->rx, more);
    (void)more;
    return n;
}

unsigned nfc_be_rx(struct nfc *w, unsigned q, const struct nfc_pkt *pkts,
                   unsigned n)
{
    struct nb_rx_pkt rp[NFC_PKTS_MAX];
    struct nb_seg seg[NFC_PKTS_MAX];
    unsigned i;

    if (q >= NETIF_QUEUES_MAX || !w->own.vif[q] || n > NFC_PKTS_MAX)
        return 0;
    for (i = 0; i < n; i++) {
        seg[i].base = pkts[i].data;
        seg[i].len = pkts[i].len;
        rp[i] = (struct nb_rx_pkt){&seg[i], 1, pkts[i].len, pkts[i].off};
    }
    return nb_vif_rx_burst(w->own.vif[q], rp, n);
}

uint8_t *nfc_frame(uint32_t len, bool ipv6, uint32_t seed)
{
    static const uint8_t dst[6] = {0x00, 0x16, 0x3e, 0x5a, 0x6b, 0x7c};
    static const uint8_t src[6] = {0x00, 0x16, 0x3e, 0x01, 0x02, 0x03};
    uint8_t *f = malloc(len);
    uint32_t i, l3 = ipv6 ? 40u : 20u;

    if (!f)
        return NULL;
    for (i = 0; i < len; i++)
        f[i] = (uint8_t)(seed * 131u + i * 7u + (i >> 8) * 13u);
    if (len < 14u + l3 + 20u)
        return f;
    memcpy(f, dst, 6);
    memcpy(f + 6, src, 6);
    f[12] = ipv6 ? 0x86 : 0x08;
    f[13] = ipv6 ? 0xdd : 0x00;
    memset(f + 14, 0, l3);
    if (ipv6) {
        f[14] = 0x60;
        f[18] = (uint8_t)((len - 54u) >> 8);
        f[19] = (uint8_t)(len - 54u);
        f[20] = 6; /* TCP */
        f[21] = 64;
    } else {
        f[14] = 0x45;
        f[16] = (uint8_t)((len - 14u) >> 8);
        f[17] = (uint8_t)(len - 14u);
        f[22] = 64;
        f[23] = 6; /* TCP */
    }
    memset(f + 14 + l3, 0, 20);
    f[14 + l3 + 12] = 0x50; /* data offset: 5 words */
    return f;
}

void nfc_pkts_free(struct nfc_pkt *p, unsigned n)
{
    unsigned i;

    for (i = 0; i < n; i++) {
        free(p[i].data);
        p[i].data = NULL;
    }
}
