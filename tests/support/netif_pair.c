/* SPDX-License-Identifier: MIT */
/* Connect a libxnf frontend and a libnetback backend across two processes. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netif_pair.h"
#include "xvm/fdpass.h"
#include "xvm/gnttab.h"

/* Frontend domain layout: frame 0 unused, the grant table in frames 1-2
 * (1024 entries), the device's pages from frame 4 on. */
#define NP_GT_GFN 1u
#define NP_GT_FRAMES 2u
#define NP_PAGES_GFN 4u
#define NP_FRAMES (NP_PAGES_GFN + XNF_PAGES_NEEDED)
#define NP_GREF_BASE XVM_GNTTAB_FIRST_FREE_REF
#define NP_BACKEND_DOMID 0

/* What xenstore would carry from the frontend to the backend. */
struct np_hello {
    uint32_t magic;
    uint16_t domid;
    uint16_t gt_frames;
    uint64_t gt_gfn;
    uint32_t tx_ring_ref, rx_ring_ref;
    uint32_t port;
    uint32_t fe_features;
};

/* And back. */
struct np_reply {
    uint32_t magic;
    uint32_t port;
    uint32_t be_features;
    int32_t status;
};

#define NP_MAGIC 0x786e6670u /* "xnfp" */

static void np_notify(void *arg)
{
    struct np_front *f = arg;

    xvm_evtchn_send(f->ec, f->port);
}

static int front_build(struct np_front *f, domid_t domid, uint32_t want)
{
    struct xnf_page pages[XNF_PAGES_NEEDED];
    struct xnf_config cfg;
    uint32_t i;
    int p;

    f->mem = xvm_mem_create("np-guest", NP_FRAMES);
    if (!f->mem)
        return -errno;
    f->ec = xvm_evtchn_open(domid);
    if (!f->ec)
        return -ENOMEM;
    p = xvm_evtchn_alloc_unbound(f->ec, NP_BACKEND_DOMID);
    if (p < 0)
        return p;
    f->port = (evtchn_port_t)p;
    for (i = 0; i < XNF_PAGES_NEEDED; i++) {
        pages[i].gfn = NP_PAGES_GFN + i;
        pages[i].va = xvm_mem_frame(f->mem, NP_PAGES_GFN + i);
    }
    memset(&cfg, 0, sizeof(cfg));
    cfg.gnttab = xvm_mem_frame(f->mem, NP_GT_GFN);
    cfg.gnttab_entries = NP_GT_FRAMES * XVM_GNTTAB_ENTRIES_PER_FRAME;
    cfg.gref_base = NP_GREF_BASE;
    cfg.pages = pages;
    cfg.nr_pages = XNF_PAGES_NEEDED;
    cfg.backend_domid = NP_BACKEND_DOMID;
    cfg.notify = np_notify;
    cfg.notify_arg = f;
    cfg.want = want;
    f->xnf_mem = aligned_alloc(64, (xnf_dev_size() + 63) & ~(size_t)63);
    if (!f->xnf_mem)
        return -ENOMEM;
    f->xnf = xnf_init(f->xnf_mem, &cfg);
    return f->xnf ? 0 : -EINVAL;
}

int np_front_setup(struct np_front *f, int sock, domid_t domid, uint32_t want)
{
    struct np_hello h;
    struct np_reply r;
    int fds[2], rfd = -1, rc;
    unsigned nfds = 0;
    ssize_t n;

    memset(f, 0, sizeof(*f));
    f->domid = domid;
    rc = front_build(f, domid, want);
    if (rc < 0)
        goto fail;
    memset(&h, 0, sizeof(h));
    h.magic = NP_MAGIC;
    h.domid = domid;
    h.gt_gfn = NP_GT_GFN;
    h.gt_frames = NP_GT_FRAMES;
    h.tx_ring_ref = xnf_tx_ring_ref(f->xnf);
    h.rx_ring_ref = xnf_rx_ring_ref(f->xnf);
    h.port = f->port;
    h.fe_features = xnf_fe_features(f->xnf);
    fds[0] = xvm_mem_fd(f->mem);
    fds[1] = xvm_evtchn_fd(f->ec, f->port);
    n = xvm_fd_send(sock, &h, sizeof(h), fds, 2);
    if (n != (ssize_t)sizeof(h)) {
        rc = n < 0 ? (int)n : -EIO;
        goto fail;
    }
    n = xvm_fd_recv(sock, &r, sizeof(r), &rfd, 1, &nfds);
    if (n != (ssize_t)sizeof(r) || nfds != 1 || r.magic != NP_MAGIC ||
        r.status != 0) {
        rc = n < 0 ? (int)n : (r.status ? r.status : -EPROTO);
        goto fail;
    }
    rc = xvm_evtchn_connect(f->ec, f->port, NP_BACKEND_DOMID, rfd);
    if (rc < 0)
        goto fail;
    rc = xnf_connect(f->xnf, r.be_features);
    if (rc < 0)
        goto fail;
    close(rfd);
    return 0;

fail:
    if (rfd >= 0)
        close(rfd);
    np_front_teardown(f);
    return rc;
}

int np_front_build(struct np_front *f, domid_t domid, uint32_t want)
{
    int rc;

    memset(f, 0, sizeof(*f));
    f->domid = domid;
    rc = front_build(f, domid, want);
    if (rc < 0)
        np_front_teardown(f);
    return rc;
}

int np_front_finish(struct np_front *f, evtchn_port_t be_port, int be_fd,
                    uint32_t be_features)
{
    int rc = xvm_evtchn_connect(f->ec, f->port, NP_BACKEND_DOMID, be_fd);

    (void)be_port;
    return rc < 0 ? rc : xnf_connect(f->xnf, be_features);
}

void np_front_hello(const struct np_front *f, uint64_t *gt_gfn,
                    uint16_t *gt_frames)
{
    (void)f;
    *gt_gfn = NP_GT_GFN;
    *gt_frames = NP_GT_FRAMES;
}

void *np_front_tx_sring(const struct np_front *f)
{
    return xvm_mem_frame(f->mem, NP_PAGES_GFN + XNF_PAGE_TX_RING);
}

static int back_reply(int sock, const struct np_back *b, int status)
{
    struct np_reply r = {.magic = NP_MAGIC, .status = status};
    int fd = -1;

    if (status == 0) {
        r.port = b->port;
        r.be_features = NETIF_F_RX_COPY | NETIF_F_SG | NETIF_F_GSO_TCPV4 |
                        NETIF_F_GSO_TCPV6;
        fd = xvm_evtchn_fd(b->ec, b->port);
    }
    return xvm_fd_send(sock, &r, sizeof(r), &fd, fd >= 0 ? 1 : 0) ==
                   (ssize_t)sizeof(r)
               ? 0
               : -EIO;
}

int np_back_setup(struct np_back *b, int sock, const char *name,
                  const struct nb_io_ops *ops, void *arg)
{
    struct nb_vif_params p;
    struct np_hello h;
    int fds[2] = {-1, -1}, rc, port;
    unsigned nfds = 0;
    ssize_t n;

    memset(b, 0, sizeof(*b));
    n = xvm_fd_recv(sock, &h, sizeof(h), fds, 2, &nfds);
    if (n != (ssize_t)sizeof(h) || nfds != 2 || h.magic != NP_MAGIC) {
        rc = n < 0 ? (int)n : -EPROTO;
        goto fail;
    }
    b->mem = xvm_mem_open(fds[0]);
    b->ec = xvm_evtchn_open(NP_BACKEND_DOMID);
    if (!b->mem || !b->ec) {
        rc = -ENOMEM;
        goto fail;
    }
    port = xvm_evtchn_bind_interdomain(b->ec, h.domid, h.port, fds[1]);
    if (port < 0) {
        rc = port;
        goto fail;
    }
    b->port = (evtchn_port_t)port;
    memset(&p, 0, sizeof(p));
    p.name = name;
    p.frontend_domid = h.domid;
    p.backend_domid = NP_BACKEND_DOMID;
    p.mem = b->mem;
    p.gnttab_gfn = h.gt_gfn;
    p.gnttab_frames = h.gt_frames;
    p.tx_ring_ref = h.tx_ring_ref;
    p.rx_ring_ref = h.rx_ring_ref;
    p.evtchn = b->ec;
    p.tx_port = p.rx_port = b->port;
    p.features = h.fe_features;
    p.ops = ops;
    p.ops_arg = arg;
    /* The frontend connects its rings only after our reply, as netfront
     * does after the backend's InitWait; the vif attaches afterwards. */
    rc = back_reply(sock, b, 0);
    if (rc < 0)
        goto fail;
    b->vif = nb_vif_create(&p);
    if (!b->vif) {
        rc = -errno;
        goto fail;
    }
    close(fds[0]);
    close(fds[1]);
    return 0;

fail:
    if (fds[0] >= 0)
        close(fds[0]);
    if (fds[1] >= 0)
        close(fds[1]);
    np_back_teardown(b);
    return rc;
}

void np_front_teardown(struct np_front *f)
{
    if (f->xnf)
        xnf_shutdown(f->xnf);
    free(f->xnf_mem);
    xvm_evtchn_destroy(f->ec);
    xvm_mem_destroy(f->mem);
    memset(f, 0, sizeof(*f));
}

void np_back_teardown(struct np_back *b)
{
    nb_vif_destroy(b->vif);
    xvm_evtchn_destroy(b->ec);
    xvm_mem_destroy(b->mem);
    memset(b, 0, sizeof(*b));
}

int np_wait(struct xvm_evtchn *ec, evtchn_port_t port, int ms)
{
    struct pollfd pfd = {.fd = xvm_evtchn_fd(ec, port), .events = POLLIN};
    int rc;

    do
        rc = poll(&pfd, 1, ms);
    while (rc < 0 && errno == EINTR);
    if (rc > 0)
        xvm_evtchn_consume(ec, port);
    return rc;
}

void np_pin_cpu(int cpu)
{
    cpu_set_t set;

    if (cpu < 0 || cpu >= CPU_SETSIZE)
        return;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    sched_setaffinity(0, sizeof(set), &set);
}

/* splitmix64: a fast, well-mixed generator for frame contents. */
static inline uint64_t mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static uint64_t frame_sum(const unsigned char *p, uint32_t len)
{
    uint64_t h = 0x6a09e667f3bcc909ull, w;
    uint32_t i;

    for (i = 0; i + 8 <= len; i += 8) {
        memcpy(&w, p + i, 8);
        h = (h ^ w) * 0x100000001b3ull;
        h ^= h >> 29;
    }
    for (; i < len; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

#define NP_HDR 12u /* seq (8) + len (4) */

void np_frame_fill(void *buf, uint32_t len, uint64_t seq)
{
    unsigned char *p = buf;
    uint64_t x = mix64(seq), sum;
    uint32_t i, body = len - 8;

    memcpy(p, &seq, 8);
    memcpy(p + 8, &len, 4);
    for (i = NP_HDR; i + 8 <= body; i += 8) {
        x = mix64(x);
        memcpy(p + i, &x, 8);
    }
    for (; i < body; i++)
        p[i] = (unsigned char)(seq + i);
    sum = frame_sum(p, body);
    memcpy(p + body, &sum, 8);
}

int np_frame_check(const void *buf, uint32_t len, uint64_t *seq)
{
    const unsigned char *p = buf;
    uint64_t sum;
    uint32_t hlen;

    if (len < NP_HDR + 8)
        return -1;
    memcpy(&hlen, p + 8, 4);
    memcpy(&sum, p + len - 8, 8);
    if (hlen != len || frame_sum(p, len - 8) != sum)
        return -1;
    memcpy(seq, p, 8);
    return 0;
}

uint32_t np_frame_len(uint64_t seed, uint64_t seq, uint32_t lo, uint32_t hi)
{
    return lo + (uint32_t)(mix64(seed ^ (seq * 0x9e3779b97f4a7c15ull)) %
                           (uint64_t)(hi - lo + 1));
}
