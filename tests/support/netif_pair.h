/* SPDX-License-Identifier: MIT */
/*
 * tests/support/netif_pair.h - connect a libxnf frontend and a libnetback
 * backend living in two processes that share nothing but a Unix socket.
 *
 * The frontend process creates its domain memory (a memfd), its grant table
 * and its netif device; it sends the backend the memfd and its event-channel
 * doorbell over the socket (SCM_RIGHTS) with the ring refs, the port and its
 * features -- what xenstore and xvmd carry in the full system.  The backend
 * maps the memory, binds the event channel, answers with its own doorbell
 * and features, and creates the vif.  Used by the cross-process test, the
 * benchmark and the demo.
 */
#ifndef XVNET_TESTS_NETIF_PAIR_H
#define XVNET_TESTS_NETIF_PAIR_H

#include "netback/netback.h"
#include "xnf/xnf.h"
#include "xvm/evtchn.h"
#include "xvm/mem.h"

struct rte_mempool;
struct vsw_vnic;

/** The frontend domain's side. */
struct np_front {
    domid_t domid;
    struct xvm_mem *mem;
    struct xvm_evtchn *ec;
    evtchn_port_t port;
    struct xnf_dev *xnf;
    void *xnf_mem;
};

/** The backend (dom0) side. */
struct np_back {
    struct xvm_mem *mem; /* the frontend's memory, mapped here */
    struct xvm_evtchn *ec;
    evtchn_port_t port;
    struct nb_vif *vif;
};

/**
 * Frontend half of the handshake over @sock: build the domain (memory, grant
 * table, device), send the backend what it needs, wait for its answer,
 * connect the device.  @want is NETIF_F_* features to offer.
 * @return 0 or -errno; on failure nothing is left allocated.
 */
int np_front_setup(struct np_front *f, int sock, domid_t domid, uint32_t want);

/**
 * Backend half: receive the frontend's fds and parameters, map and bind,
 * answer, create the vif with @ops/@arg.  @name names the vif in logs.
 * @return 0 or -errno.
 */
int np_back_setup(struct np_back *b, int sock, const char *name,
                  const struct nb_io_ops *ops, void *arg);

/**
 * The same in two steps, for a backend attached in process (a switch's
 * vif port, np_front_vif_attach()): build the domain, then, with the
 * backend's port, doorbell fd (duplicated) and NETIF_F_* features, connect.
 * np_front_hello() gives the grant-table frames to announce and
 * np_front_tx_sring() the TX shared ring (to break the protocol on
 * purpose in tests).  @return 0 or -errno.
 */
int np_front_build(struct np_front *f, domid_t domid, uint32_t want);
int np_front_finish(struct np_front *f, evtchn_port_t be_port, int be_fd,
                    uint32_t be_features);
void np_front_hello(const struct np_front *f, uint64_t *gt_gfn,
                    uint16_t *gt_frames);
void *np_front_tx_sring(const struct np_front *f);

/**
 * np_front_build() with @want, a switch vif port on its rings (@name, mbufs
 * from @pool), np_front_finish() with @be_features, the port attached to
 * @v: vswitchd's attach after the xenbus handshake.  In vsw_support_dep.
 * @return 0 or -errno; on failure the port is gone, tear @f down.
 */
int np_front_vif_attach(struct np_front *f, domid_t domid, uint32_t want,
                        uint32_t be_features, struct vsw_vnic *v,
                        const char *name, struct rte_mempool *pool);

/** Tear down (accept partially set up structs). */
void np_front_teardown(struct np_front *f);
void np_back_teardown(struct np_back *b);

/** Wait up to @ms for the event channel port to fire; consume it. */
int np_wait(struct xvm_evtchn *ec, evtchn_port_t port, int ms);

/** Pin the calling process to CPU @cpu (ignored if it doesn't exist). */
void np_pin_cpu(int cpu);

/**
 * Deterministic frame content: fill @buf (@len bytes, >= 24) with a header
 * (sequence number, length) and a payload derived from @seq, ending with a
 * 64-bit checksum over everything before it.
 */
void np_frame_fill(void *buf, uint32_t len, uint64_t seq);

/**
 * Check a frame made by np_frame_fill: returns 0 and sets *@seq when the
 * length matches the header and the checksum holds, else -1.
 */
int np_frame_check(const void *buf, uint32_t len, uint64_t *seq);

/** Length of frame @seq for a run seeded with @seed, in [@lo, @hi]. */
uint32_t np_frame_len(uint64_t seed, uint64_t seq, uint32_t lo, uint32_t hi);

#endif
