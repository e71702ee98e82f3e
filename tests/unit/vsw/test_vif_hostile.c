/* SPDX-License-Identifier: MIT */
/*
 * Guest vifs attached in process through the switch's vif port (the path
 * vswitchd takes once the xenbus handshake is done), against a hostile
 * frontend: a guest that pushes its TX producer far beyond the ring gets
 * its vif disabled, its frames (both ways) counted as vif-error drops, and
 * another guest on the same link keeps switching to the wire.
 */
#include <errno.h>

#include <rte_cycles.h>

#include "check.h"
#include "netif_pair.h"
#include "vsw/switch.h"
#include "vsw_test.h"

static const uint8_t MAC_G[6] = {0x02, 0x08, 0x20, 0x0c, 0x00, 0x01};
static const uint8_t MAC_B[6] = {0x02, 0x08, 0x20, 0x0c, 0x00, 0x02};
static const uint8_t MAC_OUT[6] = {0x02, 0x08, 0x20, 0x0c, 0x00, 0xee};

struct guest {
    struct np_front f;
    struct vsw_vnic *v;
    uint8_t mac[6];
};

/* A frontend in this process, its vif port on VNIC @name of @l. */
static int guest_up(struct guest *g, struct vsw_link *l, const char *name,
                    const uint8_t mac[6], domid_t domid)
{
    struct vsw_vnic_params vp = {.name = name};

    memcpy(vp.mac, mac, 6);
    memcpy(g->mac, mac, 6);
    g->v = vsw_vnic_create(l, &vp);
    if (!g->v)
        return -errno;
    return np_front_vif_attach(&g->f, domid, 0, NETIF_F_RX_COPY, g->v, name,
                               test_pool);
}

static void guest_send(struct guest *g, unsigned n)
{
    uint8_t buf[60] = {0};
    unsigned i;

    memcpy(buf, MAC_OUT, 6);
    memcpy(buf + 6, g->mac, 6);
    buf[12] = 0x08;
    for (i = 0; i < n; i++)
        CHECK_EQ(xnf_send(g->f.xnf, buf, sizeof(buf), NULL), 0);
    xnf_flush(g->f.xnf);
}

/* Poll 20 times and for 1 ms at least: a busy worker looks at its fd
 * ports (the vifs) every few microseconds, not at every iteration. */
static void switch_run(struct vsw_switch *sw)
{
    uint64_t end = rte_rdtsc() + rte_get_tsc_hz() / 1000;
    int i = 0;

    while (i++ < 20 || rte_rdtsc() < end)
        vsw_switch_poll(sw, 0);
}

static void test_hostile_vif(void)
{
    struct vsw_switch_params sp;
    struct vsw_switch *sw;
    struct cap_port *wire;
    struct vsw_link *l;
    struct guest good, bad;
    struct vsw_stats st;
    struct netif_tx_sring *s;
    struct rte_mbuf *m;
    uint8_t *p;

    memset(&sp, 0, sizeof(sp));
    sp.pool = test_pool;
    sw = vsw_switch_create(&sp);
    CHECK(sw != NULL);
    CHECK_EQ(vsw_switch_thread_start(sw, 0), 0);
    wire = cap_new("wire0");
    l = vsw_link_create(sw, "phys0", VSW_CLASS_PHYS, &wire->port);
    CHECK(l != NULL);
    memset(&good, 0, sizeof(good));
    memset(&bad, 0, sizeof(bad));
    CHECK_EQ(guest_up(&good, l, "good0", MAC_G, 5), 0);
    CHECK_EQ(guest_up(&bad, l, "bad0", MAC_B, 6), 0);

    /* Both guests reach the wire. */
    guest_send(&good, 10);
    guest_send(&bad, 3);
    switch_run(sw);
    CHECK_EQ(wire->ngot, 13);
    cap_clear(wire);

    /* The bad guest pushes req_prod far beyond its ring and notifies. */
    s = np_front_tx_sring(&bad.f);
    __atomic_store_n(&s->req_prod, s->req_prod + 100000u, __ATOMIC_RELEASE);
    xvm_evtchn_send(bad.f.ec, bad.f.port);
    switch_run(sw);
    vsw_vnic_stats_get(bad.v, &st);
    CHECK(st.drops[VSW_DROP_VIF_ERROR] >= 1);
    CHECK_EQ(wire->ngot, 0);

    /* Frames for it from the wire are vif-error drops too. */
    m = rte_pktmbuf_alloc(test_pool);
    CHECK(m != NULL);
    p = m ? (uint8_t *)rte_pktmbuf_append(m, 60) : NULL;
    CHECK(p != NULL);
    if (!p)
        return;
    memset(p, 0x5a, 60);
    memcpy(p, MAC_B, 6);
    memcpy(p + 6, MAC_OUT, 6);
    vsw_link_input(l, &m, 1, rte_rdtsc());
    vsw_switch_flush(sw, rte_rdtsc());
    vsw_vnic_stats_get(bad.v, &st);
    CHECK(st.drops[VSW_DROP_VIF_ERROR] >= 2);

    /* The good guest carries on. */
    guest_send(&good, 10);
    switch_run(sw);
    CHECK_EQ(wire->ngot, 10);
    vsw_vnic_stats_get(good.v, &st);
    CHECK_EQ(st.opackets, 20);
    CHECK_EQ(st.drops[VSW_DROP_VIF_ERROR], 0);

    vsw_switch_thread_stop(sw, 0);
    vsw_switch_destroy(sw);
    np_front_teardown(&good.f);
    np_front_teardown(&bad.f);
}

int main(void)
{
    if (test_eal_init() < 0) {
        fprintf(stderr, "SKIP: cannot start DPDK's EAL\n");
        return 77;
    }
    RUN(test_hostile_vif);
    test_eal_done();
    return check_summary();
}
