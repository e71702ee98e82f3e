/* SPDX-License-Identifier: MIT */
/*
 * The rig of the switch-core tests (test_switch.c, test_workers.c): a
 * switch with a phys link whose wire is a cap port and VNICs with cap
 * ports of their own; a wire port that makes frames as fast as it is
 * read (gen_port.h); a thread that runs one worker's fast path.  Needs
 * _GNU_SOURCE.
 */
#ifndef VSW_RIG_H
#define VSW_RIG_H

#include <pthread.h>
#include <sched.h>

#include "check.h"
#include "gen_port.h"
#include "vsw/switch.h"
#include "vsw_test.h"

static const uint8_t MAC_A[6] = {0x02, 0, 0, 0, 0, 0x0a};
static const uint8_t MAC_A2[6] = {0x02, 0, 0, 0, 0, 0xa2};
static const uint8_t MAC_B[6] = {0x02, 0, 0, 0, 0, 0x0b};
static const uint8_t MAC_C[6] = {0x02, 0, 0, 0, 0, 0x0c};
static const uint8_t MAC_X[6] = {0x02, 0, 0, 0, 0, 0x99}; /* outside */
static const uint8_t BCAST[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

/* A VNIC on @l; with @port, attached to a new cap port put in *@port. */
static inline struct vsw_vnic *vnic_add(struct vsw_link *l, const char *name,
                                        const uint8_t mac[6], uint16_t vid,
                                        struct cap_port **port)
{
    struct vsw_vnic_params p = {.name = name, .vid = vid};
    struct vsw_vnic *v;

    memcpy(p.mac, mac, 6);
    v = vsw_vnic_create(l, &p);
    if (port) {
        *port = cap_new(name);
        if (v)
            CHECK_EQ(vsw_vnic_attach(v, &(*port)->port), 0);
    }
    return v;
}

/* A switch with phys link "phys0" (wire = cap port) and the VNICs
 * a0 (MAC_A, VID 10), a2 (MAC_A2, VID 10) and b0 (MAC_B), each attached
 * to its own cap port; a test may add c (its own pc). */
struct rig {
    struct vsw_switch *sw;
    struct vsw_link *l;
    struct cap_port *wire, *pa, *pa2, *pb, *pc;
    struct vsw_vnic *a, *a2, *b, *c;
};

/* The rig, on a switch of @workers fast-path workers (0: one), b0 on
 * VID @vid_b. */
static inline void rig_init(struct rig *r, unsigned workers, uint16_t vid_b)
{
    struct vsw_switch_params sp = {.pool = test_pool, .workers = workers};

    memset(r, 0, sizeof(*r));
    r->sw = vsw_switch_create(&sp);
    CHECK(r->sw != NULL);
    r->wire = cap_new("wire0");
    r->l = vsw_link_create(r->sw, "phys0", VSW_CLASS_PHYS, &r->wire->port);
    r->a = vnic_add(r->l, "a0", MAC_A, 10, &r->pa);
    r->a2 = vnic_add(r->l, "a2", MAC_A2, 10, &r->pa2);
    r->b = vnic_add(r->l, "b0", MAC_B, vid_b, &r->pb);
    CHECK(r->l && r->a && r->a2 && r->b);
}

static inline void rig_down(struct rig *r)
{
    vsw_switch_destroy(r->sw);
}

/* A thread running worker @id of @sw until *@stop; started once it has
 * taken the worker. */
struct runner {
    struct vsw_switch *sw;
    unsigned id;
    volatile bool *stop;
    volatile bool started;
};

/*
 * EAL pinned the main thread to one CPU and threads inherit it: run
 * anywhere, as a real fast path runs beside its control thread, or
 * threads spinning in the mempool's ring wait for one preempted on the
 * same CPU.
 */
static inline void unpin(void)
{
    long i, n = sysconf(_SC_NPROCESSORS_ONLN);
    cpu_set_t cpus;

    CPU_ZERO(&cpus);
    for (i = 0; i < n && i < CPU_SETSIZE; i++)
        CPU_SET(i, &cpus);
    pthread_setaffinity_np(pthread_self(), sizeof(cpus), &cpus);
}

static inline void *run_worker(void *arg)
{
    struct runner *r = arg;

    unpin();
    vsw_switch_thread_start(r->sw, r->id);
    r->started = true;
    while (!*r->stop)
        vsw_switch_poll(r->sw, r->id);
    vsw_switch_thread_stop(r->sw, r->id);
    return NULL;
}

#endif
