/* SPDX-License-Identifier: MIT */
/*
 * Packet capture (vsw/capture.h): the switch side.
 *
 * Control thread: compile the filter, make the ring, keep the switch's
 * list of captures, and publish to each endpoint the list of captures
 * that see it (capture_pvt.h).  Fast path: vsw_cap_run() filters a burst
 * and writes the matching frames into the rings.  Each ring has one
 * writer, the fast-path thread, so it needs no atomics beyond publishing
 * head and reading tail.  A capture on an etherstub sees VNICs that
 * different workers may own, and so does one on a VNIC whose port has
 * queues on different workers: such a capture is "shared", and its
 * writers take its spinlock (only with more than one worker).
 */
#define _GNU_SOURCE
/* rte_bpf_convert() is experimental in DPDK 22.11; only this file uses it. */
#define ALLOW_EXPERIMENTAL_API
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>
#include <rte_bpf.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_spinlock.h>

#include "capture_pvt.h"
#include "switch_pvt.h"

#define REC_HLEN ((uint32_t)sizeof(struct vsw_cap_rec))
#define VLAN_HLEN 4

typedef uint64_t cap_jit_fn(void *);

struct vsw_cap {
    /* read by the fast path; set before publishing */
    struct vsw_cap_shm *shm;
    uint8_t *data;
    uint32_t mask;             /* size - 1 */
    uint32_t snaplen;
    struct rte_bpf *bpf;       /* NULL: every frame */
    cap_jit_fn *jit;           /* NULL: interpret */
    uint64_t base_ns, base_tsc, ns_mult; /* TSC -> ns, 32.32 */
    int evfd;
    bool shared;               /* several workers write: take lock */
    /* fast path */
    rte_spinlock_t lock;
    uint64_t head, drops;
    /* control */
    struct vsw_switch *sw;
    struct vsw_link *link;     /* what it is attached to: one of these, */
    struct vsw_vnic *vnic;     /* or neither once detached */
    uint32_t dir;
    int memfd;
    size_t map_len;
    struct vsw_cap *next;      /* the switch's captures */
};

/* ---- fast path ---- */

static inline uint64_t cap_ns(const struct vsw_cap *c, uint64_t tsc)
{
    return c->base_ns +
           (uint64_t)(((unsigned __int128)(tsc - c->base_tsc) * c->ns_mult) >>
                      32);
}

static inline bool cap_match(const struct vsw_cap *c, struct rte_mbuf *m)
{
    if (!c->bpf)
        return true;
    if (c->jit)
        return c->jit(m) != 0;
    return rte_bpf_exec(c->bpf, m) != 0;
}

/* Copy @len bytes of @m from @off to @dst. */
static inline void cap_copy(const struct rte_mbuf *m, uint32_t off,
                            uint32_t len, uint8_t *dst)
{
    const void *p = rte_pktmbuf_read(m, off, len, dst);

    if (p && p != dst)
        rte_memcpy(dst, p, len);
}

/*
 * The frame as it is on the wire: a tag the driver stripped into the
 * mbuf's metadata goes back after the source MAC.
 */
static inline void cap_fill(uint8_t *dst, const struct rte_mbuf *m,
                            uint32_t caplen, bool meta_tag)
{
    uint8_t tag[VLAN_HLEN];
    uint32_t first;

    if (!meta_tag) {
        cap_copy(m, 0, caplen, dst);
        return;
    }
    first = caplen < 12 ? caplen : 12;
    cap_copy(m, 0, first, dst);
    tag[0] = 0x81;
    tag[1] = 0x00;
    tag[2] = (uint8_t)(m->vlan_tci >> 8);
    tag[3] = (uint8_t)m->vlan_tci;
    if (caplen > 12)
        memcpy(dst + 12, tag,
               caplen - 12 < VLAN_HLEN ? caplen - 12 : VLAN_HLEN);
    if (caplen > 12 + VLAN_HLEN)
        cap_copy(m, 12, caplen - 12 - VLAN_HLEN, dst + 12 + VLAN_HLEN);
}

/* Store one frame, or count it dropped when the ring has no room. */
static void cap_put(struct vsw_cap *c, const struct rte_mbuf *m,
                    uint8_t dir, uint64_t tsc)
{
    bool meta_tag = (m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED) != 0;
    uint32_t origlen = m->pkt_len + (meta_tag ? VLAN_HLEN : 0);
    uint32_t caplen = origlen < c->snaplen ? origlen : c->snaplen;
    uint32_t need = RTE_ALIGN_CEIL(REC_HLEN + caplen, 8);
    uint32_t size = c->mask + 1, off = (uint32_t)c->head & c->mask;
    uint32_t contig = size - off, total = need <= contig ? need : contig + need;
    uint64_t tail = __atomic_load_n(&c->shm->tail, __ATOMIC_ACQUIRE);
    uint64_t used = c->head - tail;
    struct vsw_cap_rec *r;

    /* A tail ahead of head or too far behind is the reader's bug: full. */
    if (used > size || size - used < total) {
        c->drops++;
        __atomic_store_n(&c->shm->drops, c->drops, __ATOMIC_RELAXED);
        return;
    }
    if (need > contig) {
        r = (struct vsw_cap_rec *)(c->data + off);
        r->len = contig;
        r->type = VSW_CAP_REC_PAD;
        c->head += contig;
        off = 0;
    }
    r = (struct vsw_cap_rec *)(c->data + off);
    r->len = need;
    r->type = VSW_CAP_REC_FRAME;
    r->dir = dir;
    r->caplen = caplen;
    r->origlen = origlen;
    r->ts_ns = cap_ns(c, tsc);
    cap_fill(r->data, m, caplen, meta_tag);
    c->head += need;
}

/* Make the new records visible and wake a reader that sleeps. */
static void cap_publish(struct vsw_cap *c)
{
    uint64_t one = 1;

    __atomic_store_n(&c->shm->head, c->head, __ATOMIC_RELEASE);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (__atomic_load_n(&c->shm->waiting, __ATOMIC_RELAXED) &&
        __atomic_exchange_n(&c->shm->waiting, 0, __ATOMIC_RELAXED)) {
        if (write(c->evfd, &one, sizeof(one)) < 0) {
            /* EAGAIN: the counter is saturated, a wake-up is pending. */
        }
    }
}

void vsw_cap_run(const struct vsw_cap_list *cl, struct rte_mbuf *const *pkts,
                 uint16_t n, enum vsw_cap_point point)
{
    uint32_t i;
    uint16_t k;

    for (i = 0; i < cl->n; i++) {
        struct vsw_cap *c = cl->e[i].c;
        uint8_t dir = cl->e[i].dir[point];
        uint64_t head0;

        if (!dir)
            continue;
        if (unlikely(c->shared))
            rte_spinlock_lock(&c->lock);
        head0 = c->head;
        for (k = 0; k < n; k++)
            if (cap_match(c, pkts[k]))
                cap_put(c, pkts[k], dir, rte_rdtsc());
        if (c->head != head0)
            cap_publish(c);
        if (unlikely(c->shared))
            rte_spinlock_unlock(&c->lock);
    }
}

/* ---- control side: endpoint lists ---- */

static uint8_t bit(uint32_t dir, uint32_t want, uint8_t rec)
{
    return (dir & want) ? rec : 0;
}

/*
 * The list @ep should have: captures on the endpoint itself, and for a
 * VNIC on an etherstub, the stub's.  NULL when none (or ENOMEM: *@err).
 */
static struct vsw_cap_list *list_make(struct vsw_switch *sw,
                                      struct vsw_link *l, struct vsw_vnic *v,
                                      int *err)
{
    struct vsw_link *stub = NULL;
    struct vsw_cap_list *cl;
    struct vsw_cap *c;
    uint32_t n = 0;

    if (v && v->link->cls == VSW_CLASS_ETHERSTUB)
        stub = v->link;
    for (c = sw->caps; c; c = c->next)
        if ((v && (c->vnic == v || (stub && c->link == stub))) ||
            (l && c->link == l))
            n++;
    if (!n)
        return NULL;
    cl = malloc(sizeof(*cl) + n * sizeof(cl->e[0]));
    if (!cl) {
        *err = -ENOMEM;
        return NULL;
    }
    cl->n = 0;
    for (c = sw->caps; c; c = c->next) {
        struct vsw_cap_ent ent = {.c = c}, *e = &ent;

        if (l && c->link == l) {
            /* The wire: what comes in is IN. */
            e->dir[VSW_CAP_ENTER] = bit(c->dir, VSW_CAP_IN, VSW_CAP_IN);
            e->dir[VSW_CAP_LEAVE] = bit(c->dir, VSW_CAP_OUT, VSW_CAP_OUT);
        } else if (v && c->vnic == v) {
            /* The guest's view: what it sends is OUT. */
            e->dir[VSW_CAP_ENTER] = bit(c->dir, VSW_CAP_OUT, VSW_CAP_OUT);
            e->dir[VSW_CAP_LEAVE] = bit(c->dir, VSW_CAP_IN, VSW_CAP_IN);
        } else if (v && stub && c->link == stub) {
            /* The stub's view: what a VNIC sends comes IN. */
            e->dir[VSW_CAP_ENTER] = bit(c->dir, VSW_CAP_IN, VSW_CAP_IN);
            e->dir[VSW_CAP_LEAVE] = bit(c->dir, VSW_CAP_OUT, VSW_CAP_OUT);
        } else {
            continue;
        }
        cl->e[cl->n++] = ent;
    }
    return cl;
}

/*
 * Publish fresh lists on every endpoint @c concerns (a link's wire, a
 * VNIC, or every VNIC of a stub), wait for the fast path, free the old
 * ones.  On ENOMEM an endpoint keeps its old list when that still
 * names nothing freed: the caller only frees @c after a clean pass.
 */
static int republish(struct vsw_switch *sw, struct vsw_link *l,
                     struct vsw_vnic *v)
{
    struct vsw_cap_list *old_one = NULL, **olds = NULL, *cl;
    struct vsw_vnic *x;
    uint32_t i = 0;
    int rc = 0;

    if (v || (l && l->cls != VSW_CLASS_ETHERSTUB)) {
        struct vsw_ep *ep = v ? &v->ep : &l->ep;

        cl = list_make(sw, v ? NULL : l, v, &rc);
        if (rc < 0)
            return rc;
        old_one = (struct vsw_cap_list *)ep->cap;
        vsw_publish(&ep->cap, cl);
    } else if (l) {
        olds = calloc(l->nvnics + 1, sizeof(*olds));
        if (!olds)
            return -ENOMEM;
        TAILQ_FOREACH(x, &l->vnics, entry) {
            cl = list_make(sw, NULL, x, &rc);
            if (rc < 0)
                break;
            olds[i++] = (struct vsw_cap_list *)x->ep.cap;
            vsw_publish(&x->ep.cap, cl);
        }
    }
    vsw_sync(sw);
    free(old_one);
    while (i)
        free(olds[--i]);
    free(olds);
    return rc;
}

/* ---- control side: open and close ---- */

#define errf(err, len, ...)                                                  \
    do {                                                                     \
        if ((err) && (len))                                                  \
            snprintf((err), (len), __VA_ARGS__);                             \
    } while (0)

/*
 * DPDK 22.11's rte_bpf_convert() turns a classic indirect load, [X + k],
 * into an eBPF load indexed by A's register (r0) instead of X's (r7), so
 * every filter that looks past the IP header ("udp port 53", "icmp[0] =
 * 8", "tcp[13] & 2 != 0") reads the wrong bytes.  Indirect loads only come
 * from classic ones, whose index is always X: point them at X.
 */
static void ind_fix(struct rte_bpf_prm *prm)
{
    struct ebpf_insn *ins = (struct ebpf_insn *)(uintptr_t)prm->ins;
    uint32_t i;

    for (i = 0; i < prm->nb_ins; i++)
        if (BPF_CLASS(ins[i].code) == BPF_LD &&
            BPF_MODE(ins[i].code) == BPF_IND)
            ins[i].src_reg = EBPF_REG_7;
}

static int filter_load(struct vsw_cap *c, const char *expr, char *err,
                       size_t errlen)
{
    struct bpf_program prog;
    struct rte_bpf_prm *prm;
    struct rte_bpf_jit jit;
    pcap_t *p;

    p = pcap_open_dead(DLT_EN10MB, VSW_CAP_SNAPLEN_MAX);
    if (!p)
        return -ENOMEM;
    if (pcap_compile(p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) < 0) {
        errf(err, errlen, "bad filter: %s", pcap_geterr(p));
        pcap_close(p);
        return -EINVAL;
    }
    pcap_close(p);
    prm = rte_bpf_convert(&prog);
    pcap_freecode(&prog);
    if (!prm) {
        errf(err, errlen, "cannot convert the filter to eBPF: %s",
             rte_strerror(rte_errno));
        return -EINVAL;
    }
    ind_fix(prm);
    c->bpf = rte_bpf_load(prm);
    rte_free(prm);
    if (!c->bpf) {
        errf(err, errlen, "cannot load the filter: %s",
             rte_strerror(rte_errno));
        return -EINVAL;
    }
    if (rte_bpf_get_jit(c->bpf, &jit) == 0 && jit.func)
        c->jit = jit.func;
    return 0;
}

static uint32_t pow2_at_least(uint32_t v)
{
    uint32_t p = VSW_CAP_RING_MIN;

    while (p < v && p < VSW_CAP_RING_MAX)
        p <<= 1;
    return p;
}

/* The memfd, sealed so that no reader can shrink it under us. */
static int ring_make(struct vsw_cap *c, uint32_t size)
{
    void *map;

    c->map_len = VSW_CAP_DATA_OFF + (size_t)size;
    c->memfd = memfd_create("vsw-capture", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (c->memfd < 0)
        return -errno;
    if (ftruncate(c->memfd, (off_t)c->map_len) < 0 ||
        fcntl(c->memfd, F_ADD_SEALS,
              F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0)
        return -errno;
    /* Populated now: the fast path must not take page faults. */
    map = mmap(NULL, c->map_len, PROT_READ | PROT_WRITE,
               MAP_SHARED | MAP_POPULATE, c->memfd, 0);
    if (map == MAP_FAILED)
        return -errno;
    c->shm = map;
    c->data = (uint8_t *)map + VSW_CAP_DATA_OFF;
    c->mask = size - 1;
    c->evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (c->evfd < 0)
        return -errno;
    return 0;
}

static void clock_base(struct vsw_cap *c)
{
    struct timespec ts;
    uint64_t hz = rte_get_tsc_hz();

    clock_gettime(CLOCK_REALTIME, &ts);
    c->base_tsc = rte_rdtsc();
    c->base_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
    c->ns_mult = (uint64_t)((1000000000ull << 32) / hz);
}

static void cap_free(struct vsw_cap *c)
{
    if (c->shm)
        munmap(c->shm, c->map_len);
    if (c->memfd >= 0)
        close(c->memfd);
    if (c->evfd >= 0)
        close(c->evfd);
    rte_bpf_destroy(c->bpf);
    free(c);
}

static unsigned caps_count(const struct vsw_switch *sw)
{
    const struct vsw_cap *c;
    unsigned n = 0;

    for (c = sw->caps; c; c = c->next)
        n++;
    return n;
}

/* Check @p and find its object.  @return 0 or -errno with @err set. */
static int params_check(struct vsw_switch *sw, const struct vsw_cap_params *p,
                        struct vsw_cap *c, char *err, size_t errlen)
{
    if (!p->name || !p->dir || (p->dir & ~(uint32_t)VSW_CAP_BOTH) ||
        p->snaplen > VSW_CAP_SNAPLEN_MAX || p->ring_bytes > VSW_CAP_RING_MAX ||
        (p->filter && strlen(p->filter) >= VSW_CAP_FILTER_MAX)) {
        errf(err, errlen, "%s", "bad capture parameters");
        return -EINVAL;
    }
    c->vnic = vsw_vnic_find(sw, p->name);
    c->link = c->vnic ? NULL : vsw_link_find(sw, p->name);
    if (!c->vnic && !c->link) {
        errf(err, errlen, "no link, VNIC or etherstub named %s", p->name);
        return -ENOENT;
    }
    if (caps_count(sw) >= VSW_CAP_MAX) {
        errf(err, errlen, "%s", "too many captures running");
        return -ENOSPC;
    }
    return 0;
}

struct vsw_cap *vsw_cap_open(struct vsw_switch *sw,
                             const struct vsw_cap_params *p, char *err,
                             size_t errlen)
{
    struct vsw_cap *c = calloc(1, sizeof(*c));
    uint32_t size, snaplen;
    int rc;

    if (!c) {
        errf(err, errlen, "%s", strerror(ENOMEM));
        return NULL;
    }
    c->memfd = c->evfd = -1;
    c->sw = sw;
    rc = params_check(sw, p, c, err, errlen);
    if (rc < 0)
        goto fail;
    snaplen = p->snaplen ? p->snaplen : VSW_CAP_SNAPLEN_MAX;
    size = pow2_at_least(p->ring_bytes ? p->ring_bytes : VSW_CAP_RING_DEFAULT);
    /* A ring holds at least two records of the snap length. */
    if (2 * (RTE_ALIGN_CEIL(snaplen + VLAN_HLEN, 8) + REC_HLEN) > size)
        snaplen = size / 2 - REC_HLEN - 2 * 8;
    c->snaplen = snaplen;
    c->dir = p->dir;
    rc = ring_make(c, size);
    if (rc < 0) {
        errf(err, errlen, "cannot make the capture ring: %s", strerror(-rc));
        goto fail;
    }
    if (p->filter && p->filter[0]) {
        rc = filter_load(c, p->filter, err, errlen);
        if (rc < 0)
            goto fail;
    }
    *c->shm = (struct vsw_cap_shm){.magic = VSW_CAP_MAGIC,
                                   .version = VSW_CAP_VERSION,
                                   .size = size, .snaplen = snaplen,
                                   .dir = p->dir};
    c->shm->cls = c->vnic ? VSW_CLASS_VNIC : c->link->cls;
    rte_spinlock_init(&c->lock);
    /* An etherstub's VNICs, and a VNIC's queues, may have different
     * owners. */
    c->shared = (c->vnic || c->link->cls == VSW_CLASS_ETHERSTUB) &&
                vsw_switch_workers(sw) > 1;
    snprintf(c->shm->name, sizeof(c->shm->name), "%s", p->name);
    clock_base(c);
    c->next = sw->caps;
    sw->caps = c;
    rc = republish(sw, c->link, c->vnic);
    if (rc < 0) {
        sw->caps = c->next;
        while (republish(sw, c->link, c->vnic) < 0)
            vsw_sync(sw);
        errf(err, errlen, "%s", strerror(-rc));
        goto fail;
    }
    return c;

fail:
    cap_free(c);
    errno = -rc;
    return NULL;
}

int vsw_cap_memfd(const struct vsw_cap *c)
{
    return c->memfd;
}

int vsw_cap_eventfd(const struct vsw_cap *c)
{
    return c->evfd;
}

uint32_t vsw_cap_ring_bytes(const struct vsw_cap *c)
{
    return c->mask + 1;
}

int vsw_cap_jitted(const struct vsw_cap *c)
{
    return c->jit != NULL;
}

void vsw_cap_end(struct vsw_cap *c, int why)
{
    uint64_t one = 1;

    if (__atomic_load_n(&c->shm->ended, __ATOMIC_RELAXED))
        return;
    __atomic_store_n(&c->shm->ended, (uint32_t)why, __ATOMIC_RELEASE);
    if (write(c->evfd, &one, sizeof(one)) < 0) {
        /* saturated: a wake-up is pending anyway */
    }
}

/* Take @c off the switch's list and its endpoints'. */
static void cap_detach(struct vsw_cap *c)
{
    struct vsw_switch *sw = c->sw;
    struct vsw_cap **pp;

    if (!c->link && !c->vnic)
        return;
    for (pp = &sw->caps; *pp; pp = &(*pp)->next) {
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    }
    /* ENOMEM here would leave @c published: keep trying (it is small). */
    while (republish(sw, c->link, c->vnic) < 0)
        vsw_sync(sw);
    c->link = NULL;
    c->vnic = NULL;
}

void vsw_cap_close(struct vsw_cap *c)
{
    if (!c)
        return;
    cap_detach(c);
    vsw_cap_end(c, VSW_CAP_END_STOP);
    cap_free(c);
}

/* ---- hooks: objects coming and going ---- */

void vsw_cap_vnic_added(struct vsw_vnic *v)
{
    if (v->link->sw->caps && v->link->cls == VSW_CLASS_ETHERSTUB)
        republish(v->link->sw, NULL, v);
}

/* End and detach every capture on @v or @l (the object is going). */
static void end_all_on(struct vsw_switch *sw, struct vsw_link *l,
                       struct vsw_vnic *v)
{
    struct vsw_cap *c, *next;

    for (c = sw->caps; c; c = next) {
        next = c->next;
        if ((v && c->vnic == v) || (l && c->link == l)) {
            cap_detach(c);
            vsw_cap_end(c, VSW_CAP_END_GONE);
        }
    }
}

void vsw_cap_vnic_gone(struct vsw_vnic *v)
{
    struct vsw_switch *sw = v->link->sw;
    struct vsw_cap_list *old = (struct vsw_cap_list *)v->ep.cap;

    if (!old)
        return;
    end_all_on(sw, NULL, v);
    /* Stub captures stay; this VNIC just stops being seen. */
    old = (struct vsw_cap_list *)v->ep.cap;
    vsw_publish(&v->ep.cap, NULL);
    vsw_sync(sw);
    free(old);
}

void vsw_cap_link_gone(struct vsw_link *l)
{
    if (l->sw->caps)
        end_all_on(l->sw, l, NULL);
}
