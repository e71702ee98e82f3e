/* SPDX-License-Identifier: MIT */
/*
 * Internals of the switch core shared by switch.c (control side) and
 * forward.c, poll.c, handoff.c (data side).  Fields are grouped by who
 * writes them: "fast path" fields are written only by the worker that owns
 * the object (an endpoint's owner, vsw_ep.w; a worker's own fields);
 * "published" fields are written by the control thread with release stores
 * and read by the fast path with acquire loads; "control" fields are never
 * read by the fast path.
 */
#ifndef VSW_SWITCH_PVT_H
#define VSW_SWITCH_PVT_H

#include <pthread.h>
#include <stdint.h>
#include <sys/queue.h>

#include <rte_hash.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "mbufq_pvt.h"
#include "vsw/switch.h"

struct vsw_cap;
struct vsw_cap_list;

#define VSW_VID_COUNT 4096

/* Key of the (MAC, VID) tables: 8 bytes, no padding holes. */
struct vsw_fdb_key {
    uint8_t mac[6];
    uint16_t vid;
};
/* One word, no padding: the table compares keys as one (switch.c). */
_Static_assert(sizeof(struct vsw_fdb_key) == 8, "fdb key is one word");

/* maxbw as the fast path needs it; immutable once published. */
struct vsw_tb_cfg {
    uint64_t rate_fp;  /* bytes per TSC cycle, 32.32 fixed point */
    int64_t depth_fp;  /* bucket depth, bytes in 32.32 */
    uint64_t max_dt;   /* cycles that fill an empty bucket */
    int64_t owed_fp;   /* depth while frames wait (see shaper_pvt.h) */
    uint64_t max_dt_owed;
    uint32_t qlimit;   /* bytes the receive queue may hold */
};

/* Frames a VNIC's receive queue may hold waiting for credit. */
#define VSW_RXQ_MAX 512

/* One direction of a token bucket; fast path. */
struct vsw_tb {
    const struct vsw_tb_cfg *cfg; /* the cfg the state below belongs to */
    int64_t tokens_fp;            /* may go below zero by one frame/burst */
    uint64_t last;                /* TSC of the last refill */
    bool waiting;                 /* frames wait for this bucket's credit */
};

/* Offload work done for an output (gso.c); fast path. */
struct vsw_ofl_stats {
    uint64_t gso_frames; /* large segments cut in software */
    uint64_t gso_segs;   /* segments they became */
    uint64_t tso_hw;     /* large segments the port cut */
    uint64_t csum_sw;    /* frames whose checksums the switch filled in */
    uint64_t csum_hw;    /* frames whose checksums the port filled in */
    uint64_t bad;        /* offload metadata that did not parse: dropped */
    uint64_t gro_frames; /* large segments made of received ones (gro.c) */
    uint64_t gro_segs;   /* segments they took in behind their first */
};

/* Egress priority classes (enum lp_priority) at a wire; prio.c. */
#define VSW_PRIO_N 3
struct vsw_egq_stats {
    uint64_t queued[VSW_PRIO_N];  /* frames sent after waiting, by class */
    uint64_t dropped[VSW_PRIO_N]; /* tail drops of a full class queue */
};
struct vsw_egq;
struct vsw_worker;

/*
 * An endpoint: the wire of a link, a VNIC's attachment, or one queue of
 * an attachment with several (vsw_port.nqueues; queue 0 is the VNIC's own
 * endpoint).  Its owner reads its port and sends to it; frames headed
 * there are buffered during a poll iteration and sent by ep_flush().
 */
struct vsw_vnic;
struct vsw_ep {
    struct vsw_worker *w;      /* its owner (changed only while no worker
                                * runs), the only worker
                                * that reads its port or touches the
                                * fast-path state below and its object's */
    struct vsw_port *port;     /* published (NULL: nowhere to send) */
    struct vsw_stats *stats;   /* owner's counters */
    bool is_vnic;              /* count sent frames as i* (VNIC) or o* */
    struct vsw_vnic *qv;       /* a queue 1.. of this VNIC's port, else
                                * NULL */
    bool dying;                /* published: being destroyed or moved;
                                * frames for it are freed, its owner
                                * lets go of it (poll.c) */
    bool prio_egress;          /* a wire: strict priority when congested */
    const struct vsw_cap_list *cap; /* published: captures (capture_pvt.h) */
    /* fast path */
    struct vsw_egq *egq;       /* frames waiting for the port; made on
                                * first congestion, freed by the control
                                * thread once the ep is gone */
    struct vsw_egq_stats egst;
    struct vsw_ofl_stats ofl;
    bool dirty;                /* on the switch's dirty list */
    bool active;               /* on its owner's active list (poll.c) */
    bool stalled;              /* fd taken out of epoll (poll.c) */
    uint16_t ntx;
    struct vsw_ep *next_dirty;
    struct rte_mbuf *tx[VSW_BURST];
    uint64_t stall_until;
    struct vsw_ep *next_stalled;
};

/* A VNIC's allowed-ips; immutable once published. */
struct vsw_ipset {
    uint32_t n;
    struct lp_ipnet p[];
};

/* VNICs of one (link, VID), for flooding; immutable once published. */
struct vsw_flood {
    uint32_t n;
    struct vsw_vnic *v[];
};

/* An object's entry in the switch's namespace (names.c). */
struct vsw_name {
    struct vsw_name *next;
    const char *name; /* the object's own name[] */
    bool is_vnic;
};

struct vsw_names {
    struct vsw_name **b;
    uint32_t nb, n; /* buckets (a power of two), names */
};

struct vsw_link {
    struct vsw_switch *sw;
    struct rte_hash *fdb;                 /* (MAC, VID) -> vsw_vnic * */
    struct vsw_flood *flood[VSW_VID_COUNT]; /* published */
    struct vsw_ep ep;                     /* the wire; port NULL: stub */
    struct vsw_stats stats;               /* fast path */
    /* control */
    char name[LP_NAMSIZ];
    struct vsw_name nm;
    enum vsw_class cls;
    uint32_t nvnics;
    TAILQ_HEAD(, vsw_vnic) vnics;
    TAILQ_ENTRY(vsw_link) entry;
};

/* The endpoints of a VNIC's port's queues 1..n; immutable once published
 * (the endpoints' fast-path fields are their owners'). */
struct vsw_vnic_q {
    struct vsw_ep ep;
    struct vsw_stats stats;           /* its owner's */
} __rte_cache_aligned;
struct vsw_vqs {
    uint32_t n;
    struct vsw_vnic_q q[] __rte_cache_aligned;
};

struct vsw_vnic {
    struct vsw_ep ep;
    struct vsw_link *link;
    struct vsw_fdb_key key;
    uint32_t protection;             /* published */
    /* read for every frame toward the VNIC, on one cache line: */
    const struct vsw_tb_cfg *tbcfg;  /* published; NULL: no maxbw */
    struct vsw_vqs *qs;              /* published; NULL: one queue */
    const struct vsw_ipset *ips;     /* published; NULL: empty */
    uint16_t mtu;                    /* published */
    /* fast path */
    struct vsw_tb rx_tb, tx_tb;
    struct vsw_stats stats;
    struct vsw_mbufq *rxq;             /* made on first use */
    bool backlogged;                 /* on the switch's backlog list */
    struct vsw_vnic *next_backlog;
    /* control */
    char name[LP_NAMSIZ];
    struct vsw_name nm;
    uint64_t maxbw;
    enum lp_priority priority;
    int pinned;                      /* -1, or the worker of every queue
                                      * (vsw_vnic_set_worker()) */
    struct vsw_stats qgone;          /* counted by queues since gone */
    struct vsw_ofl_stats qgone_ofl;
    struct vsw_vqs *qs_going;        /* queues being retired, still
                                      * counted (under the lock) */
    TAILQ_ENTRY(vsw_vnic) entry;
};

/* What vsw_switch_poll() reads on every iteration. */
struct vsw_pollset {
    uint32_t n;
    struct vsw_ep *ep[];
};

/* A frame one worker hands another for an endpoint the other owns. */
struct vsw_handoff {
    struct vsw_ep *ep;
    struct rte_mbuf *m;
    uint64_t vid; /* toward a wire: the tag to insert (LP_VID_NONE: none) */
};

/* Frames toward one other worker, gathered during a burst; fast path. */
struct vsw_hobuf {
    uint16_t n;
    struct vsw_handoff e[VSW_BURST];
};

/*
 * A worker's cache of (link, MAC, VID) -> verdict in front of the links'
 * tables (classify.c): direct-mapped, a verdict NULL (no such VNIC) as
 * well as a VNIC. An entry holds while the switch's table generation is
 * the one it was filled under.
 */
#define VSW_FDBC_BITS 11
#define VSW_FDBC_SIZE (1u << VSW_FDBC_BITS)
#define VSW_ACTIVE_MAX 64
struct vsw_fdbc_ent {
    uint64_t key;                 /* struct vsw_fdb_key as one word */
    const struct vsw_link *l;     /* NULL: empty */
    struct vsw_vnic *v;
    uint64_t gen;
};

/*
 * A fast-path worker: one thread (or none yet), its RCU thread id (id),
 * its ports (an epoll set and a poll set) and its lists.  Frames for an
 * endpoint another worker owns go into that worker's ring from this one
 * (single producer, single consumer): in[s] of worker d carries frames
 * from worker s to d.
 */

struct vsw_worker {
    struct vsw_switch *sw;
    unsigned id;
    int epfd;     /* rx_fd ports (level) and wake fds (edge) */
    int wakefd;   /* eventfd: vsw_switch_wake(), a handoff to a sleeper */
    struct vsw_pollset *pollset;  /* published */
    uint32_t nfdports;            /* ports with rx_fd >= 0, published */
    uint32_t neps;                /* control: endpoints it owns */
    bool running;                 /* a thread is this worker */
    pthread_t tid;
    bool sleeping;                /* published by the worker: in a wait */
    /* fast path */
    struct vsw_ep *dirty;         /* eps with buffered frames */
    struct vsw_ep *stalled;       /* fd ports held off (credit, broken) */
    struct vsw_vnic *backlog;     /* VNICs with frames queued for rx */
    uint64_t fd_looked;           /* TSC of the last look at the fd ports */
    bool fd_more;                 /* and whether it left some unread */
    /* fd ports that gave frames at their last read, read every iteration
     * without asking epoll until one gives none (poll.c) */
    struct vsw_ep *active[VSW_ACTIVE_MAX];
    unsigned nactive;
    uint32_t outmask;             /* bit d: out[d] holds frames */
    uint64_t handed, ho_drops;    /* frames handed on; lost to full rings */
    uint64_t gone;                /* frames freed: their endpoint was going
                                   * (destroyed, or moved to another worker) */
    struct rte_ring *in[VSW_WORKERS_MAX];
    struct vsw_hobuf out[VSW_WORKERS_MAX];
    uint64_t fdbc_hits, fdbc_misses; /* unicast verdicts from the cache,
                                      * from a table */
    struct vsw_fdbc_ent fdbc[VSW_FDBC_SIZE];
};

struct vsw_switch {
    struct rte_mempool *pool;
    uint32_t vnics_per_link;
    struct rte_rcu_qsbr *qsbr;
    uint64_t tsc_hz;
    uint64_t fd_look_gap;         /* TSC cycles between looks (poll.c) */
    unsigned nw;                  /* workers */
    struct vsw_worker *w[VSW_WORKERS_MAX];
    /* Bumped (release) after every change of a link's table and every
     * link made; read (acquire) by a worker before a burst's lookups: an
     * entry of its cache filled under another generation is stale. */
    uint64_t fdb_gen;
    /* control */
    uint32_t hash_seq;
    struct vsw_cap *caps;         /* captures (capture.c) */
    /* Held by the control thread while it changes the object lists or
     * names, and by readers on other threads (telemetry). */
    pthread_mutex_t lock;
    TAILQ_HEAD(, vsw_link) links;
    struct vsw_names names; /* links' and VNICs' */
};

/*
 * The one way the control thread hands the fast path a new version of
 * something (a table, a flood list, a port, a capture list): a release
 * store, read with vsw_load_acq(); the old version is freed only after a
 * grace period (vsw_sync()).
 */
static inline void vsw_publish(void *slot, void *val)
{
    __atomic_store_n((void **)slot, val, __ATOMIC_RELEASE);
}
#define vsw_load_acq(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)

/*
 * Control thread, after changing a link's table (a key added or deleted)
 * or making a link, and before the grace period that lets go
 * of what the change removed: every worker's cached verdicts (classify.c)
 * become stale.
 */
static inline void vsw_fdb_changed(struct vsw_switch *sw)
{
    __atomic_fetch_add(&sw->fdb_gen, 1, __ATOMIC_RELEASE);
}

/* names.c: the namespace of links and VNICs; control thread. */
int vsw_names_init(struct vsw_names *t);
void vsw_names_fini(struct vsw_names *t);
struct vsw_name *vsw_names_find(const struct vsw_names *t, const char *name);
/* Never fails: without memory to grow, the chains grow longer. */
void vsw_names_add(struct vsw_names *t, struct vsw_name *e);
void vsw_names_del(struct vsw_names *t, struct vsw_name *e);

/* switch.c */
void vsw_sync(struct vsw_switch *sw);
/* The worker that should own a new endpoint: the one owning fewest. */
struct vsw_worker *vsw_worker_pick(struct vsw_switch *sw);
/* Is @name a link's or a VNIC's? */
bool vsw_name_taken(const struct vsw_switch *sw, const char *name);
/* @nm (a link's or VNIC's entry) now goes by @name: @buf is its name[]. */
void vsw_name_set(struct vsw_switch *sw, struct vsw_name *nm, char *buf,
                  const char *name);
/* Tell @l's wire, if it sorts by destination (vsw_port_ops.ucast_add),
 * that VNIC @v came (@add) or goes.  Control thread.  @return 0 or
 * -errno (adding only). */
int vsw_link_ucast(struct vsw_link *l, const struct vsw_vnic *v, bool add);
/* True when the caller may touch @w's fast-path state: it is @w's
 * thread, or none is running. */
bool vsw_worker_mine(const struct vsw_worker *w);
/* Add @port (@ep's) to the epoll or poll set of @ep's owner; take it
 * out (the caller syncs before freeing it). */
int vsw_ep_plug(struct vsw_ep *ep, struct vsw_port *port);
void vsw_ep_unplug(struct vsw_ep *ep, struct vsw_port *port);
/* Give @ep to worker @to.  @return 0, -EINVAL or a plug's -errno. */
int vsw_ep_move(struct vsw_switch *sw, struct vsw_ep *ep, unsigned to);
/* Give the @n endpoints @eps to worker @to together (one blackout). */
#define VSW_EPS_MOVE_MAX (NETIF_QUEUES_MAX + 1)
int vsw_eps_move(struct vsw_switch *sw, struct vsw_ep **eps, unsigned n,
                 unsigned to);
/* handoff.c */
int vsw_handoff_init(struct vsw_switch *sw);
void vsw_handoff_fini(struct vsw_switch *sw);
/*
 * Gather @m for @ep toward @to, the owner @w read once and found not to be
 * itself (fast path of @w).  Read once: the endpoint may move meanwhile,
 * even to @w, and there is no ring from a worker to itself; a frame that
 * reaches a worker no longer the owner is handed on (vsw_ep_take()).
 */
void vsw_handoff_put(struct vsw_worker *w, struct vsw_worker *to,
                     struct vsw_ep *ep, struct rte_mbuf *m, uint16_t vid);
/* Push @w's gathered frames into the rings, waking sleeping owners. */
void vsw_handoff_flush(struct vsw_worker *w);
/* Switch what the other workers handed @w.  @return frames taken. */
unsigned vsw_handoff_run(struct vsw_worker *w, uint64_t now);
bool vsw_handoff_pending(const struct vsw_worker *w);
/* Control thread, after a grace period: wait until every frame handed on
 * before it has been taken by its owner (or take it, for a worker with
 * no thread). */
void vsw_handoff_settle(struct vsw_switch *sw);
/* filter.c */
void vsw_prefix_normalize(const struct lp_ipnet *in,
                          struct lp_ipnet *out);
bool vsw_ipset_has(const struct vsw_ipset *s, uint8_t family,
                   const uint8_t *addr);
/* Checks beyond the MAC on a frame @v's client sent (untagged, headers
 * in the first segment): mtu, restricted, ip-nospoof. */
enum { VSW_L3_OK = 0, VSW_L3_OVERSIZE, VSW_L3_SPOOF };
int vsw_l3_check(const struct vsw_vnic *v, const struct rte_mbuf *m,
                 uint32_t prot);
/* forward.c */
void vsw_ep_flush(struct vsw_ep *ep);
/* Buffer @m for @ep (ep_put): sent at the end of the burst. */
void vsw_ep_put(struct vsw_worker *w, struct vsw_ep *ep, struct rte_mbuf *m);
/* Give @m, handed over by another worker, to @ep, which @w owns: a
 * VNIC's within its receive maxbw, a wire's tagged with @vid. */
void vsw_ep_take(struct vsw_worker *w, struct vsw_ep *ep, struct rte_mbuf *m,
                 uint16_t vid, uint64_t now);
/* End of @w's burst: handed-on frames out, backlogs, eps flushed. */
void vsw_worker_flush(struct vsw_worker *w, uint64_t now);
/* Insert a tag for @vid into an mbuf nobody else holds; 0 or -errno. */
int vsw_tag_insert(struct rte_mbuf *m, uint16_t vid);
/* gso.c: where a frame's headers are, once parsed. */
struct vsw_hdrs {
    uint16_t l2, l3, l4; /* lengths */
    uint8_t ipv;         /* 4 or 6 */
    uint8_t proto;       /* IPPROTO_TCP or IPPROTO_UDP */
};
/*
 * Parse Ethernet (an 802.1Q tag allowed), IPv4 without fragments or IPv6
 * without extension headers, then TCP or UDP; all headers must lie in the
 * first segment.  @return 0 or -EINVAL.  Any thread.
 */
int vsw_hdrs_parse(const struct rte_mbuf *m, struct vsw_hdrs *h);
/* gro.c: coalesce the TCP segments of each flow in @pkts[0..@n) into
 * large segments, in place; @cnt[i] and @len[i] start as 1 and each
 * frame's length and end as the frames and bytes each output stands for.
 * @return the frames left.  Fast-path thread. */
uint16_t vsw_gro_burst(struct vsw_ep *ep, struct rte_mbuf **pkts, uint16_t n,
                       uint16_t *cnt, uint32_t *len);
/* gso.c: put @m on @ep, first made complete for its port (segmented,
 * checksummed) when it carries offload metadata the port cannot take,
 * then tagged with @vid (LP_VID_NONE: no tag).  Consumes @m. */
void vsw_ofl_put(struct vsw_worker *w, struct vsw_ep *ep, struct rte_mbuf *m,
                 uint16_t vid);
/* Whether @m carries metadata a port without VSW_PORT_F_OFFLOAD_META
 * cannot take: a large segment or a blank (partial) L4 checksum. */
static inline bool vsw_ofl_pending(const struct rte_mbuf *m)
{
    return (m->ol_flags & RTE_MBUF_F_RX_LRO) ||
           (m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) ==
               RTE_MBUF_F_RX_L4_CKSUM_NONE;
}
/* prio.c: the wire's output when ep->prio_egress.  Sends @n frames of
 * ep->tx, and queues by class (m->hash.sched.traffic_class) what the
 * port refuses; frames queued earlier go first, highest class first. */
void vsw_egress_tx(struct vsw_ep *ep, struct vsw_port *port, uint16_t n);
/* Retry the queued frames; @return true while some still wait.  A
 * port gone (NULL) frees them. */
bool vsw_egress_backlog(struct vsw_ep *ep);
/* Drop @ep's queued frames and take it off the dirty list (the caller
 * is the fast path, or none runs); free the queue.  Control thread,
 * after the ep is unplugged. */
void vsw_egq_free(struct vsw_ep *ep);
/* Take @ep off @w's active and stalled fd ports (poll.c); the caller is
 * @w or none runs it. */
void vsw_fp_ep_let_go(struct vsw_worker *w, struct vsw_ep *ep);
void vsw_fp_unstall_all(struct vsw_worker *w);

/* TSC cycles a busy worker leaves its fd ports unlooked-at (poll.c). */
uint64_t vsw_fd_look_gap(uint64_t tsc_hz);
void vsw_fp_flush_eps(struct vsw_worker *w);
/* Take @v off @w's lists and drop what it queued (the caller is @w or
 * no thread is). */
void vsw_fp_let_go(struct vsw_worker *w, struct vsw_vnic *v);
/* The VNIC of @ep, an endpoint of a VNIC's (its own or a queue's). */
static inline struct vsw_vnic *vsw_ep_vnic(struct vsw_ep *ep)
{
    return ep->qv ? ep->qv : container_of(ep, struct vsw_vnic, ep);
}
/* Frames @v's client sent on @from (@v's endpoint or a queue's), read by
 * @w, its owner: checked, counted on @from, switched. */
void vsw_vnic_input_from(struct vsw_worker *w, struct vsw_vnic *v,
                         struct vsw_ep *from, struct rte_mbuf **pkts,
                         uint16_t n, uint64_t now);
/* The offload work done toward @v, over its queues, gone ones too
 * (vnic.c).  Control thread, or under the switch's lock. */
void vsw_vnic_ofl_get(const struct vsw_vnic *v, struct vsw_ofl_stats *o);
/* @m, past @v's receive maxbw, to its queue's endpoint (forward.c). */
void vsw_vnic_put(struct vsw_worker *w, struct vsw_vnic *v,
                  struct rte_mbuf *m);
void vsw_fp_backlog_run(struct vsw_worker *w, uint64_t now, bool all);
uint64_t vsw_tb_wait(const struct vsw_tb *tb, const struct vsw_tb_cfg *c);
struct vsw_tb_cfg *vsw_tb_cfg_new(uint64_t bps, uint64_t tsc_hz);

/* Counter bump for the fast path's own counters (single writer). */
static inline void vsw_drop(struct vsw_stats *st, enum vsw_drop why)
{
    st->drops[why]++;
}

#endif /* VSW_SWITCH_PVT_H */
