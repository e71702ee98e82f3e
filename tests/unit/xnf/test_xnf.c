/* SPDX-License-Identifier: MIT */
/*
 * libxnf against a hostile backend scripted here (xnf_fixture.h): config
 * validation, granting, connect, guest transmit (request layout, offloads,
 * ring wrap, notification suppression, every way a backend can lie in a
 * TX response), final checks, and grant revocation at shutdown.
 */
#include "xnf_fixture.h"

/* --- init and config ------------------------------------------------------ */

static void test_init_grants_and_rings(void)
{
    struct fx f;
    unsigned i;

    fx_setup(&f, 0);
    if (!f.dev)
        goto out;
    CHECK_EQ(xnf_tx_ring_ref(f.dev), GREF_BASE + XNF_PAGE_TX_RING);
    CHECK_EQ(xnf_rx_ring_ref(f.dev), GREF_BASE + XNF_PAGE_RX_RING);
    CHECK_EQ(f.txs->req_prod, 0);
    CHECK_EQ(f.txs->rsp_prod, 0);
    CHECK_EQ(f.txs->req_event, 1);
    CHECK_EQ(f.txs->rsp_event, 1);
    CHECK_EQ(f.rxs->req_event, 1);
    CHECK_EQ(f.rxs->rsp_event, 1);
    /* Stale page contents were wiped before anything was granted; the
     * ring pages hold only their initial event indices. */
    CHECK(
        all_bytes((uint8_t *)f.mem + 2 * 4096, (size_t)(NPAGES - 2) * 4096, 0));
    CHECK(all_bytes((uint8_t *)f.txs + 16, 4096 - 16, 0));
    CHECK(all_bytes((uint8_t *)f.rxs + 16, 4096 - 16, 0));
    for (i = 0; i < NPAGES; i++) {
        const grant_entry_v1_t *e = &f.gt[GREF_BASE + i];
        bool ro = i >= XNF_PAGE_TX_BUF(0) && i < XNF_PAGE_RX_BUF(0);

        CHECK_EQ(e->flags, GTF_permit_access | (ro ? GTF_readonly : 0));
        CHECK_EQ(e->domid, BACK_DOM);
        CHECK_EQ(e->frame, f.pages[i].gfn);
    }
    CHECK_EQ(granted_count(&f), NPAGES);
    CHECK_EQ(xnf_fe_features(f.dev),
             NETIF_F_RX_COPY | NETIF_F_SG | NETIF_F_GSO_TCPV4 |
                 NETIF_F_GSO_TCPV6 | NETIF_F_RX_NOTIFY);
    /* Nothing works before connect. */
    CHECK_EQ(xnf_send(f.dev, f.mem, 60, NULL), -EIO);
    CHECK_EQ(xnf_recv(f.dev, f.mem, 60, NULL), -EIO);
    CHECK_EQ(xnf_poll(f.dev), 0);
    CHECK(!xnf_final_check(f.dev));
out:
    fx_teardown(&f);
}

static void test_fe_features(void)
{
    struct fx f;

    fx_prepare(&f);
    f.cfg.want = NETIF_F_GSO_TCPV4; /* GSO without SG is not offered */
    f.dev = xnf_init(f.devmem, &f.cfg);
    CHECK(f.dev && xnf_fe_features(f.dev) == (NETIF_F_RX_COPY | NETIF_F_RX_NOTIFY));
    fx_teardown(&f);
}

/* Try @cfg; it must fail and leave the table untouched. */
static void expect_init_fails(struct fx *f, const struct xnf_config *cfg,
                              int line)
{
    unsigned before = granted_count(f);

    if (xnf_init(f->devmem, cfg) != NULL) {
        fprintf(stderr, "line %d: bad config accepted\n", line);
        CHECK(0);
    }
    CHECK_EQ(granted_count(f), before);
}

static void test_config_validation(void)
{
    struct fx f;
    struct xnf_config c;
    void *orig;

    fx_prepare(&f);
    c = f.cfg;
    CHECK(xnf_init(NULL, &c) == NULL);
    CHECK(xnf_init((char *)f.devmem + 4, &c) == NULL);
    expect_init_fails(&f, NULL, __LINE__);
    c = f.cfg, c.gnttab = NULL;
    expect_init_fails(&f, &c, __LINE__);
    c = f.cfg, c.pages = NULL;
    expect_init_fails(&f, &c, __LINE__);
    c = f.cfg, c.notify = NULL;
    expect_init_fails(&f, &c, __LINE__);
    c = f.cfg, c.nr_pages = NPAGES - 1;
    expect_init_fails(&f, &c, __LINE__);
    c = f.cfg, c.gref_base = 7; /* reserved refs */
    expect_init_fails(&f, &c, __LINE__);
    c = f.cfg, c.gref_base = GT_ENTRIES - NPAGES + 1; /* runs off the end */
    expect_init_fails(&f, &c, __LINE__);
    c = f.cfg, c.gref_base = 0xFFFFFFF0u; /* would wrap */
    expect_init_fails(&f, &c, __LINE__);
    c = f.cfg, c.gnttab_entries = NPAGES; /* too small for base 16 */
    expect_init_fails(&f, &c, __LINE__);
    c = f.cfg, c.backend_domid = DOMID_SELF;
    expect_init_fails(&f, &c, __LINE__);

    orig = f.pages[300].va;
    f.pages[300].va = NULL;
    expect_init_fails(&f, &f.cfg, __LINE__);
    f.pages[300].va = (char *)orig + 8; /* not a page */
    expect_init_fails(&f, &f.cfg, __LINE__);
    f.pages[300].va = orig;

    /* A ref in the range already in use: refused, nothing granted, and
     * the foreign entry left alone. */
    f.gt[GREF_BASE + 300].flags = GTF_permit_access;
    f.gt[GREF_BASE + 300].frame = 4242;
    expect_init_fails(&f, &f.cfg, __LINE__);
    CHECK_EQ(f.gt[GREF_BASE + 300].frame, 4242);
    CHECK_EQ(granted_count(&f), 1);
    f.gt[GREF_BASE + 300].flags = 0;

    /* The exact fit is accepted. */
    c = f.cfg, c.gref_base = GT_ENTRIES - NPAGES;
    f.dev = xnf_init(f.devmem, &c);
    CHECK(f.dev != NULL);
    CHECK_EQ(granted_count(&f), NPAGES);
    if (f.dev)
        CHECK_EQ(xnf_shutdown(f.dev), 0);
    CHECK_EQ(granted_count(&f), 0);
    fx_free(&f);
}

static void test_connect_posts_rx(void)
{
    struct fx f;
    unsigned i;

    fx_setup(&f, 0);
    if (!f.dev)
        goto out;
    CHECK_EQ(xnf_connect(f.dev, NETIF_F_SG), -ENOTSUP);
    CHECK_EQ(f.rxs->req_prod, 0);
    CHECK_EQ(xnf_connect(f.dev, NETIF_F_RX_COPY), 0);
    CHECK_EQ(f.notifies, 1);
    CHECK_EQ(f.rxs->req_prod, 256);
    for (i = 0; i < 256; i++) {
        netif_rx_request_t r = f.rxs->ring[i].req;

        CHECK_EQ(r.id, i);
        CHECK_EQ(r.gref, GREF_BASE + XNF_PAGE_RX_BUF(i));
    }
    CHECK_EQ(xnf_connect(f.dev, NETIF_F_RX_COPY), -EINVAL);
    CHECK_EQ(xnf_tx_slots_free(f.dev), 256);
    CHECK(!xnf_broken(f.dev));
out:
    fx_teardown(&f);
}

/* --- TX ------------------------------------------------------------------- */

static unsigned rx_kicks;

static void count_rx_notify(void *arg)
{
    (void)arg;
    rx_kicks++;
}

/* Split channels: TX pushes ring the TX channel, RX buffers posted ring
 * the RX channel; connect rings both (the backend may wait on either). */
static void test_split_notify(void)
{
    struct fx f;
    uint8_t frame[60] = {0};

    rx_kicks = 0;
    fx_prepare(&f);
    f.cfg.notify_rx = count_rx_notify;
    f.dev = xnf_init(f.devmem, &f.cfg);
    CHECK(f.dev != NULL);
    if (!f.dev)
        goto out;
    CHECK_EQ(xnf_connect(f.dev, NETIF_F_RX_COPY), 0);
    CHECK_EQ(f.notifies, 1);
    CHECK_EQ(rx_kicks, 1);
    CHECK_EQ(xnf_send(f.dev, frame, 60, NULL), 0);
    xnf_flush(f.dev);
    CHECK_EQ(f.notifies, 2); /* req_event 1: the TX channel only */
    CHECK_EQ(rx_kicks, 1);
    /* The backend fills one buffer and asks to hear of the next post. */
    f.rxs->req_event = f.rxs->req_prod + 1;
    be_rx_data(&f, 0, 0, 60, 0x11);
    be_rx_publish(&f);
    CHECK_EQ(xnf_recv(f.dev, frame, sizeof(frame), NULL), 60);
    xnf_poll(f.dev);
    CHECK_EQ(rx_kicks, 2); /* the buffer re-posted: the RX channel */
    CHECK_EQ(f.notifies, 2);
    CHECK_EQ(stats(&f).notify, 4);
out:
    fx_teardown(&f);
}

static void test_tx_single_and_notify(void)
{
    struct fx f;
    uint8_t frame[60];
    netif_tx_request_t r;

    fx_setup(&f, NETIF_F_RX_COPY);
    if (!f.dev)
        goto out;
    memset(frame, 0x3C, sizeof(frame));
    CHECK_EQ(xnf_send(f.dev, frame, 60, NULL), 0);
    CHECK_EQ(f.txs->req_prod, 0); /* nothing published before flush */
    CHECK_EQ(xnf_tx_slots_free(f.dev), 255);
    xnf_flush(f.dev);
    CHECK_EQ(f.txs->req_prod, 1);
    CHECK_EQ(f.notifies, 2); /* connect + req_event 1 */
    r = be_tx_req(&f, 0);
    CHECK(r.id < 256);
    CHECK_EQ(r.gref, GREF_BASE + XNF_PAGE_TX_BUF(r.id));
    CHECK_EQ(r.offset, 0);
    CHECK_EQ(r.size, 60);
    CHECK_EQ(r.flags, 0);
    if (r.id < 256)
        CHECK(memcmp(f.pages[XNF_PAGE_TX_BUF(r.id)].va, frame, 60) == 0);

    /* The backend is busy polling: it moved req_event far ahead. */
    f.txs->req_event = 1000;
    CHECK_EQ(xnf_send(f.dev, frame, 60, NULL), 0);
    xnf_flush(f.dev);
    CHECK_EQ(f.txs->req_prod, 2);
    CHECK_EQ(f.notifies, 2);
    xnf_flush(f.dev); /* nothing new: never notifies */
    CHECK_EQ(f.notifies, 2);
    /* It went to sleep waiting for request 3. */
    f.txs->req_event = 3;
    CHECK_EQ(xnf_send(f.dev, frame, 60, NULL), 0);
    CHECK_EQ(xnf_send(f.dev, frame, 60, NULL), 0);
    xnf_flush(f.dev);
    CHECK_EQ(f.notifies, 3);
    CHECK_EQ(stats(&f).notify, 3);
    CHECK_EQ(stats(&f).tx_packets, 4);
    CHECK_EQ(stats(&f).tx_bytes, 240);
out:
    fx_teardown(&f);
}

static void test_tx_multislot(void)
{
    struct fx f;
    static uint8_t frame[9000];
    struct netif_offload off = {.flags =
                                  NETIF_OFF_CSUM_BLANK | NETIF_OFF_DATA_VALIDATED};
    netif_tx_request_t r[3];
    unsigned i;

    fx_setup(&f, NETIF_F_RX_COPY | NETIF_F_SG);
    if (!f.dev)
        goto out;
    for (i = 0; i < sizeof(frame); i++)
        frame[i] = (uint8_t)(i * 31 + 7);
    CHECK_EQ(xnf_send(f.dev, frame, sizeof(frame), &off), 0);
    xnf_flush(f.dev);
    CHECK_EQ(f.txs->req_prod, 3);
    for (i = 0; i < 3; i++)
        r[i] = be_tx_req(&f, i);
    CHECK_EQ(r[0].size, 9000); /* the total */
    CHECK_EQ(r[0].flags,
             NETTXF_csum_blank | NETTXF_data_validated | NETTXF_more_data);
    CHECK_EQ(r[1].size, 4096);
    CHECK_EQ(r[1].flags, NETTXF_more_data);
    CHECK_EQ(r[2].size, 9000 - 8192);
    CHECK_EQ(r[2].flags, 0);
    CHECK(r[0].id != r[1].id && r[1].id != r[2].id && r[0].id != r[2].id);
    for (i = 0; i < 3; i++) {
        CHECK_EQ(r[i].offset, 0);
        CHECK_EQ(r[i].gref, GREF_BASE + XNF_PAGE_TX_BUF(r[i].id));
        CHECK(memcmp(f.pages[XNF_PAGE_TX_BUF(r[i].id)].va, frame + i * 4096,
                     i < 2 ? 4096 : 808) == 0);
    }
    CHECK_EQ(xnf_tx_slots_free(f.dev), 253);
    /* Answered out of order, one failed. */
    be_tx_rsp(&f, r[2].id, NETIF_RSP_OKAY);
    be_tx_rsp(&f, r[0].id, NETIF_RSP_ERROR);
    be_tx_rsp(&f, r[1].id, NETIF_RSP_DROPPED);
    be_tx_publish(&f);
    CHECK_EQ(xnf_poll(f.dev), 3);
    CHECK(!xnf_broken(f.dev));
    CHECK_EQ(xnf_tx_slots_free(f.dev), 256);
    CHECK_EQ(stats(&f).tx_errors, 2);
    /* Largest frame: 16 slots. */
    CHECK_EQ(xnf_send(f.dev, frame, 8192, NULL), 0);
    CHECK_EQ(xnf_send(f.dev, frame, 4097, NULL), 0);
    CHECK_EQ(xnf_tx_slots_free(f.dev), 252);
out:
    fx_teardown(&f);
}

/* A frame written straight into lent TX pages goes out as xnf_send()
 * would send it: same slots, ids in the pages' order, no copy. */
static void test_tx_inplace(void)
{
    struct fx f;
    struct netif_offload off = {.flags = NETIF_OFF_CSUM_BLANK |
                                         NETIF_OFF_GSO,
                                .gso_size = 1448,
                                .gso_type = XEN_NETIF_GSO_TYPE_TCPV4};
    void *pg[NETIF_MAX_SLOTS_PER_PKT];
    uint8_t frame[64] = {0};
    netif_tx_request_t r[4];
    unsigned i;

    fx_setup(&f, BE_ALL);
    if (!f.dev)
        goto out;
    CHECK_EQ(xnf_send_inplace(f.dev, 100, NULL), -EINVAL); /* none lent */
    CHECK_EQ(xnf_tx_pages(f.dev, pg, NETIF_MAX_SLOTS_PER_PKT), 0);
    CHECK_EQ(xnf_tx_pages(f.dev, pg, 0), 0);
    CHECK_EQ(xnf_tx_pages(f.dev, pg, 17), 17);
    for (i = 0; i < 3; i++)
        memset(pg[i], 0xa0 + (int)i, 4096);
    CHECK_EQ(xnf_send_inplace(f.dev, 9000, &off), 0);
    CHECK_EQ(xnf_send_inplace(f.dev, 9000, &off), -EINVAL); /* used up */
    xnf_flush(f.dev);
    CHECK_EQ(f.txs->req_prod, 4); /* 3 pages + the GSO extra */
    for (i = 0; i < 4; i++)
        r[i] = be_tx_req(&f, i);
    CHECK_EQ(r[0].size, 9000);
    CHECK_EQ(r[0].flags, NETTXF_csum_blank | NETTXF_extra_info |
                             NETTXF_more_data);
    CHECK_EQ(r[2].size, 4096);
    CHECK_EQ(r[3].size, 9000 - 8192);
    CHECK_EQ(r[3].flags, 0);
    CHECK(f.pages[XNF_PAGE_TX_BUF(r[0].id)].va == pg[0]);
    CHECK(f.pages[XNF_PAGE_TX_BUF(r[2].id)].va == pg[1]);
    CHECK(f.pages[XNF_PAGE_TX_BUF(r[3].id)].va == pg[2]);
    CHECK(all_bytes(f.pages[XNF_PAGE_TX_BUF(r[3].id)].va, 808, 0xa2));
    CHECK_EQ(stats(&f).tx_bytes, 9000);
    /* More than was lent, or after a reap moved the free ids: refused. */
    CHECK_EQ(xnf_tx_pages(f.dev, pg, 1), 1);
    CHECK_EQ(xnf_send_inplace(f.dev, 4097, NULL), -EINVAL);
    CHECK_EQ(xnf_tx_pages(f.dev, pg, 2), 2);
    be_tx_rsp(&f, r[0].id, NETIF_RSP_OKAY);
    be_tx_publish(&f);
    CHECK_EQ(xnf_poll(f.dev), 1);
    CHECK_EQ(xnf_send_inplace(f.dev, 100, NULL), -EINVAL);
    /* A full ring lends nothing until answers come. */
    while (xnf_tx_slots_free(f.dev) > 17)
        CHECK_EQ(xnf_send(f.dev, frame, 64, NULL), 0);
    CHECK_EQ(xnf_tx_pages(f.dev, pg, 17), 0);
    CHECK_EQ(xnf_tx_pages(f.dev, pg, 1), 1);
    CHECK(!xnf_broken(f.dev));
out:
    fx_teardown(&f);
    /* Without feature-sg a frame is one page. */
    fx_setup(&f, NETIF_F_RX_COPY);
    if (!f.dev)
        return;
    CHECK_EQ(xnf_tx_pages(f.dev, pg, 2), 0);
    CHECK_EQ(xnf_tx_pages(f.dev, pg, 1), 1);
    CHECK_EQ(xnf_send_inplace(f.dev, 60, NULL), 0);
    fx_teardown(&f);
}

static void test_tx_gso(void)
{
    struct fx f;
    static uint8_t frame[5000];
    struct netif_offload off = {.flags = NETIF_OFF_GSO | NETIF_OFF_CSUM_BLANK,
                              .gso_size = 1448,
                              .gso_type = XEN_NETIF_GSO_TYPE_TCPV4};
    struct netif_extra_info ex;
    netif_tx_request_t r0, r2;

    fx_setup(&f, BE_ALL);
    if (!f.dev)
        goto out;
    CHECK_EQ(xnf_send(f.dev, frame, sizeof(frame), &off), 0);
    xnf_flush(f.dev);
    CHECK_EQ(f.txs->req_prod, 3);
    r0 = be_tx_req(&f, 0);
    memcpy(&ex, &f.txs->ring[1], sizeof(ex));
    r2 = be_tx_req(&f, 2);
    CHECK_EQ(r0.size, 5000);
    CHECK_EQ(r0.flags,
             NETTXF_csum_blank | NETTXF_more_data | NETTXF_extra_info);
    CHECK_EQ(ex.type, XEN_NETIF_EXTRA_TYPE_GSO);
    CHECK_EQ(ex.flags, 0);
    CHECK_EQ(ex.u.gso.size, 1448);
    CHECK_EQ(ex.u.gso.type, XEN_NETIF_GSO_TYPE_TCPV4);
    CHECK_EQ(r2.size, 5000 - 4096);
    CHECK_EQ(r2.flags, 0);
    /* The extra slot is answered NULL, as Linux netback does. */
    be_tx_rsp(&f, r0.id, NETIF_RSP_OKAY);
    be_tx_rsp(&f, 0xBEEF, NETIF_RSP_NULL);
    be_tx_rsp(&f, r2.id, NETIF_RSP_OKAY);
    be_tx_publish(&f);
    CHECK_EQ(xnf_poll(f.dev), 3);
    CHECK(!xnf_broken(f.dev));
    CHECK_EQ(stats(&f).tx_errors, 0);
    CHECK_EQ(xnf_tx_slots_free(f.dev), 256);

    /* TCPv6 was not offered by the backend; size 0; unknown bits. */
    off.gso_type = XEN_NETIF_GSO_TYPE_TCPV6;
    CHECK_EQ(xnf_send(f.dev, frame, sizeof(frame), &off), -EINVAL);
    off.gso_type = XEN_NETIF_GSO_TYPE_NONE;
    CHECK_EQ(xnf_send(f.dev, frame, sizeof(frame), &off), -EINVAL);
    off.gso_type = 200;
    CHECK_EQ(xnf_send(f.dev, frame, sizeof(frame), &off), -EINVAL);
    off.gso_type = XEN_NETIF_GSO_TYPE_TCPV4;
    off.gso_size = 0;
    CHECK_EQ(xnf_send(f.dev, frame, sizeof(frame), &off), -EINVAL);
    off.gso_size = 1448;
    off.flags |= 0x80;
    CHECK_EQ(xnf_send(f.dev, frame, sizeof(frame), &off), -EINVAL);
    CHECK_EQ(stats(&f).tx_packets, 1);
    fx_teardown(&f);

    /* Without feature-gso-tcpv4 the backend gets no GSO at all. */
    fx_setup(&f, NETIF_F_RX_COPY | NETIF_F_SG);
    off.flags = NETIF_OFF_GSO;
    if (f.dev)
        CHECK_EQ(xnf_send(f.dev, frame, sizeof(frame), &off), -EINVAL);
out:
    fx_teardown(&f);
}

static void test_tx_sizes(void)
{
    struct fx f;
    static uint8_t frame[NETIF_MAX_FRAME + 1];

    fx_setup(&f, NETIF_F_RX_COPY); /* no feature-sg */
    if (!f.dev)
        goto out;
    CHECK_EQ(xnf_send(f.dev, frame, 13, NULL), -EMSGSIZE);
    CHECK_EQ(xnf_send(f.dev, frame, 14, NULL), 0);
    CHECK_EQ(xnf_send(f.dev, frame, 4096, NULL), 0);
    CHECK_EQ(xnf_send(f.dev, frame, 4097, NULL), -EMSGSIZE);
    fx_teardown(&f);

    fx_setup(&f, NETIF_F_RX_COPY | NETIF_F_SG);
    if (!f.dev)
        goto out;
    CHECK_EQ(xnf_send(f.dev, frame, NETIF_MAX_FRAME, NULL), 0);
    CHECK_EQ(xnf_tx_slots_free(f.dev), 256 - 16);
    CHECK_EQ(xnf_send(f.dev, frame, NETIF_MAX_FRAME + 1, NULL), -EMSGSIZE);
    CHECK_EQ(xnf_send(f.dev, frame, 0, NULL), -EMSGSIZE);
out:
    fx_teardown(&f);
}

static void test_tx_ring_full_and_wrap(void)
{
    struct fx f;
    uint8_t frame[64] = {0};
    uint8_t seen[256];
    unsigned i, round;

    fx_setup(&f, BE_ALL);
    if (!f.dev)
        goto out;
    for (round = 0; round < 3; round++) {
        for (i = 0; i < 256; i++) {
            frame[0] = (uint8_t)i;
            CHECK_EQ(xnf_send(f.dev, frame, 64, NULL), 0);
        }
        CHECK_EQ(xnf_send(f.dev, frame, 64, NULL), -EAGAIN);
        CHECK_EQ(xnf_tx_slots_free(f.dev), 0);
        /* EAGAIN flushed what was queued. */
        CHECK_EQ(f.txs->req_prod, 256 * (round + 1));
        memset(seen, 0, sizeof(seen));
        for (i = 0; i < 256; i++) {
            netif_tx_request_t r = be_tx_req(&f, 256 * round + i);

            CHECK(r.id < 256 && !seen[r.id]);
            if (r.id < 256) {
                seen[r.id] = 1;
                CHECK_EQ(*(uint8_t *)f.pages[XNF_PAGE_TX_BUF(r.id)].va, i);
            }
        }
        /* Half answered, in reverse order. */
        for (i = 0; i < 128; i++)
            be_tx_rsp(&f, be_tx_req(&f, 256 * round + 255 - i).id,
                      NETIF_RSP_OKAY);
        be_tx_publish(&f);
        CHECK_EQ(xnf_poll(f.dev), 128);
        CHECK_EQ(xnf_tx_slots_free(f.dev), 128);
        for (i = 128; i < 256; i++)
            be_tx_rsp(&f, be_tx_req(&f, 256 * round + 255 - i).id,
                      NETIF_RSP_OKAY);
        be_tx_publish(&f);
        CHECK_EQ(xnf_poll(f.dev), 128);
        CHECK_EQ(xnf_tx_slots_free(f.dev), 256);
    }
    CHECK(!xnf_broken(f.dev));
    /* EAGAIN reaps by itself: a full ring of answered requests. */
    for (i = 0; i < 256; i++)
        CHECK_EQ(xnf_send(f.dev, frame, 64, NULL), 0);
    xnf_flush(f.dev);
    for (i = 0; i < 256; i++)
        be_tx_rsp(&f, be_tx_req(&f, 768 + i).id, NETIF_RSP_OKAY);
    be_tx_publish(&f);
    CHECK_EQ(xnf_send(f.dev, frame, 64, NULL), 0);
    CHECK_EQ(xnf_tx_slots_free(f.dev), 255);
out:
    fx_teardown(&f);
}

static void test_tx_broken_prod_ahead(void)
{
    struct fx f;

    fx_setup(&f, BE_ALL);
    if (!f.dev)
        goto out;
    send_one(&f);
    f.txs->rsp_prod = 257; /* more than a ring of responses */
    CHECK_EQ(xnf_poll(f.dev), 0);
    CHECK(xnf_broken(f.dev));
    CHECK_EQ(xnf_send(f.dev, f.mem, 60, NULL), -EIO);
    CHECK_EQ(xnf_recv(f.dev, f.mem, 60, NULL), -EIO);
    CHECK(!xnf_final_check(f.dev));
    fx_teardown(&f);

    /* Two responses for the one request published. */
    fx_setup(&f, BE_ALL);
    if (!f.dev)
        goto out;
    be_tx_rsp(&f, send_one(&f), NETIF_RSP_OKAY);
    be_tx_rsp(&f, 1, NETIF_RSP_OKAY);
    be_tx_publish(&f);
    CHECK_EQ(xnf_poll(f.dev), 0);
    CHECK(xnf_broken(f.dev));
    fx_teardown(&f);

    /* Answers to a request queued but never published: the backend
     * cannot have seen it. */
    fx_setup(&f, BE_ALL);
    if (!f.dev)
        goto out;
    be_tx_rsp(&f, send_one(&f), NETIF_RSP_OKAY);
    CHECK_EQ(xnf_send(f.dev, f.mem, 60, NULL), 0);
    be_tx_rsp(&f, be_tx_req(&f, 1).id, NETIF_RSP_OKAY);
    be_tx_publish(&f);
    CHECK_EQ(xnf_poll(f.dev), 0);
    CHECK(xnf_broken(f.dev));
out:
    fx_teardown(&f);
}

static void test_tx_broken_bad_id(void)
{
    struct fx f;

    fx_setup(&f, BE_ALL);
    if (!f.dev)
        goto out;
    send_one(&f);
    be_tx_rsp(&f, 256, NETIF_RSP_OKAY);
    be_tx_publish(&f);
    xnf_poll(f.dev);
    CHECK(xnf_broken(f.dev));
    fx_teardown(&f);

    /* An id in range but never sent. */
    fx_setup(&f, BE_ALL);
    if (!f.dev)
        goto out;
    be_tx_rsp(&f, (uint16_t)(send_one(&f) + 1), NETIF_RSP_OKAY);
    be_tx_publish(&f);
    xnf_poll(f.dev);
    CHECK(xnf_broken(f.dev));
out:
    fx_teardown(&f);
}

static void test_tx_broken_duplicate_id(void)
{
    struct fx f;
    uint16_t id;

    fx_setup(&f, BE_ALL);
    if (!f.dev)
        goto out;
    id = send_one(&f);
    send_one(&f);
    be_tx_rsp(&f, id, NETIF_RSP_OKAY);
    be_tx_publish(&f);
    CHECK_EQ(xnf_poll(f.dev), 1);
    CHECK(!xnf_broken(f.dev));
    be_tx_rsp(&f, id, NETIF_RSP_OKAY); /* again */
    be_tx_publish(&f);
    xnf_poll(f.dev);
    CHECK(xnf_broken(f.dev));
out:
    fx_teardown(&f);
}

static void test_tx_broken_null_without_extra(void)
{
    struct fx f;

    fx_setup(&f, BE_ALL);
    if (!f.dev)
        goto out;
    send_one(&f);
    /* NULL answers extra slots only; none was sent. */
    be_tx_rsp(&f, 0, NETIF_RSP_NULL);
    be_tx_publish(&f);
    xnf_poll(f.dev);
    CHECK(xnf_broken(f.dev));
    fx_teardown(&f);

    /* One extra slot sent, two NULL answers. */
    fx_setup(&f, BE_ALL);
    if (!f.dev)
        goto out;
    {
        struct netif_offload gso = {.flags = NETIF_OFF_GSO,
                                  .gso_size = 1000,
                                  .gso_type = XEN_NETIF_GSO_TYPE_TCPV4};

        CHECK_EQ(xnf_send(f.dev, f.mem, 3000, &gso), 0);
        CHECK_EQ(xnf_send(f.dev, f.mem, 60, NULL), 0);
        xnf_flush(f.dev);
    }
    be_tx_rsp(&f, be_tx_req(&f, 0).id, NETIF_RSP_OKAY);
    be_tx_rsp(&f, 0, NETIF_RSP_NULL);
    be_tx_publish(&f);
    CHECK_EQ(xnf_poll(f.dev), 2);
    CHECK(!xnf_broken(f.dev));
    be_tx_rsp(&f, 0, NETIF_RSP_NULL);
    be_tx_publish(&f);
    xnf_poll(f.dev);
    CHECK(xnf_broken(f.dev));
out:
    fx_teardown(&f);
}

static void test_final_check(void)
{
    struct fx f;
    uint8_t frame[60] = {0};
    uint16_t id;

    fx_setup(&f, BE_ALL);
    if (!f.dev)
        goto out;
    CHECK(!xnf_final_check(f.dev));
    CHECK_EQ(f.txs->rsp_event, 1);
    CHECK_EQ(f.rxs->rsp_event, 1);
    /* Queued requests are published before sleeping. */
    CHECK_EQ(xnf_send(f.dev, frame, 60, NULL), 0);
    CHECK(!xnf_final_check(f.dev));
    CHECK_EQ(f.txs->req_prod, 1);
    id = be_tx_req(&f, 0).id;
    be_tx_rsp(&f, id, NETIF_RSP_OKAY);
    be_tx_publish(&f);
    CHECK(xnf_final_check(f.dev));
    CHECK_EQ(xnf_poll(f.dev), 1);
    CHECK(!xnf_final_check(f.dev));
    CHECK_EQ(f.txs->rsp_event, 2);
    be_rx_data(&f, 0, 0, 60, 1);
    be_rx_publish(&f);
    CHECK(xnf_final_check(f.dev));
    CHECK_EQ(xnf_recv(f.dev, frame, 60, NULL), 60);
    CHECK(!xnf_final_check(f.dev));
    CHECK_EQ(f.rxs->rsp_event, 2);
out:
    fx_teardown(&f);
}

/* --- random garbage ------------------------------------------------------- */

static void test_tx_random_garbage(void)
{
    unsigned seed = 99, round, iter, j, broke = 0;
    static uint8_t frame[20000];

    for (round = 0; round < 40; round++) {
        struct fx f;

        fx_setup(&f, BE_ALL);
        for (iter = 0; f.dev && iter < 300 && !xnf_broken(f.dev); iter++) {
            unsigned k = (unsigned)rand_r(&seed) % 8;
            struct netif_offload gso = {.flags = NETIF_OFF_GSO,
                                      .gso_size = 1000,
                                      .gso_type = XEN_NETIF_GSO_TYPE_TCPV4};

            for (j = 0; j < k; j++)
                xnf_send(f.dev, frame, 14 + (uint32_t)rand_r(&seed) % 19000,
                         (j & 1) ? &gso : NULL);
            xnf_flush(f.dev);
            /* Answer some requests in order, with a rare lie. */
            k = (unsigned)rand_r(&seed) % 8;
            for (j = 0; j < k && f.tx_rsp != f.txs->req_prod; j++) {
                netif_tx_request_t r = be_tx_req(&f, f.tx_rsp);
                unsigned lie = (unsigned)rand_r(&seed) % 200;
                bool extra =
                    f.tx_rsp > 0 &&
                    (be_tx_req(&f, f.tx_rsp - 1).flags & NETTXF_extra_info);

                if (lie == 0)
                    r.id = (uint16_t)rand_r(&seed);
                be_tx_rsp(&f, r.id,
                          extra ? NETIF_RSP_NULL
                                : (int16_t)(lie == 1 ? NETIF_RSP_ERROR
                                                     : NETIF_RSP_OKAY));
            }
            be_tx_publish(&f);
            xnf_poll(f.dev);
            CHECK(xnf_tx_slots_free(f.dev) <= 256);
        }
        if (f.dev)
            broke += xnf_broken(f.dev);
        fx_teardown(&f);
    }
    CHECK(broke > 0);
}

/* --- shutdown ------------------------------------------------------------- */

static void test_shutdown_held_grants(void)
{
    struct fx f;
    unsigned i;

    fx_setup(&f, BE_ALL);
    if (!f.dev)
        goto out;
    send_one(&f);
    /* The "backend" still maps two TX pages and writes one RX page. */
    f.gt[GREF_BASE + XNF_PAGE_TX_BUF(3)].flags |= GTF_reading;
    f.gt[GREF_BASE + XNF_PAGE_TX_BUF(7)].flags |= GTF_reading;
    f.gt[GREF_BASE + XNF_PAGE_RX_BUF(9)].flags |= GTF_reading | GTF_writing;
    CHECK_EQ(xnf_shutdown(f.dev), 3);
    CHECK_EQ(granted_count(&f), 3);
    CHECK(f.gt[GREF_BASE + XNF_PAGE_TX_BUF(3)].flags & GTF_permit_access);
    CHECK(f.gt[GREF_BASE + XNF_PAGE_RX_BUF(9)].flags & GTF_permit_access);
    CHECK_EQ(xnf_send(f.dev, f.mem, 60, NULL), -EIO);
    CHECK_EQ(xnf_connect(f.dev, BE_ALL), -EINVAL);
    /* One let go: a retry revokes it, leaves the others. */
    f.gt[GREF_BASE + XNF_PAGE_TX_BUF(3)].flags &= ~GTF_reading;
    CHECK_EQ(xnf_shutdown(f.dev), 2);
    CHECK_EQ(granted_count(&f), 2);
    /* A retry never touches refs it already gave back (someone else's
     * now). */
    f.gt[GREF_BASE + XNF_PAGE_TX_BUF(3)].flags = GTF_permit_access;
    for (i = 0; i < NPAGES; i++)
        f.gt[GREF_BASE + i].flags &= ~(GTF_reading | GTF_writing);
    CHECK_EQ(xnf_shutdown(f.dev), 0);
    CHECK_EQ(granted_count(&f), 1);
    CHECK_EQ(f.gt[GREF_BASE + XNF_PAGE_TX_BUF(3)].flags, GTF_permit_access);
    f.dev = NULL;
out:
    fx_teardown(&f);
}

int main(void)
{
    RUN(test_init_grants_and_rings);
    RUN(test_fe_features);
    RUN(test_config_validation);
    RUN(test_connect_posts_rx);
    RUN(test_tx_single_and_notify);
    RUN(test_split_notify);
    RUN(test_tx_multislot);
    RUN(test_tx_inplace);
    RUN(test_tx_gso);
    RUN(test_tx_sizes);
    RUN(test_tx_ring_full_and_wrap);
    RUN(test_tx_broken_prod_ahead);
    RUN(test_tx_broken_bad_id);
    RUN(test_tx_broken_duplicate_id);
    RUN(test_tx_broken_null_without_extra);
    RUN(test_final_check);
    RUN(test_tx_random_garbage);
    RUN(test_shutdown_held_grants);
    return check_summary();
}
