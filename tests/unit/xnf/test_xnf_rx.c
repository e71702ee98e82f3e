/* SPDX-License-Identifier: MIT */
/*
 * libxnf guest receive against a hostile backend scripted here
 * (xnf_fixture.h): packet assembly, offloads, every malformed packet that
 * must be dropped alone, producers that must mark the device broken,
 * batched reposting with notification suppression, partial packets, and
 * random garbage.
 */
#include "xnf_fixture.h"

/* --- RX ------------------------------------------------------------------- */

static void test_rx_single(void)
{
    struct fx f;
    uint8_t buf[4096];
    struct netif_offload off;

    fx_setup(&f, BE_ALL);
    if (!f.dev)
        goto out;
    CHECK_EQ(xnf_recv(f.dev, buf, sizeof(buf), &off), 0);
    be_rx_data(&f, 0, NETRXF_data_validated, 100, 0x11);
    be_rx_data(&f, 32, NETRXF_csum_blank, 4096 - 32, 0x22);
    be_rx_data(&f, 0, 0, 14, 0x33);
    be_rx_publish(&f);
    CHECK_EQ(xnf_recv(f.dev, buf, sizeof(buf), &off), 100);
    CHECK(all_bytes(buf, 100, 0x11));
    CHECK_EQ(off.flags, NETIF_OFF_DATA_VALIDATED);
    CHECK_EQ(xnf_recv(f.dev, buf, sizeof(buf), &off), 4096 - 32);
    CHECK(all_bytes(buf, 4096 - 32, 0x22));
    CHECK_EQ(off.flags, NETIF_OFF_CSUM_BLANK);
    CHECK_EQ(xnf_recv(f.dev, buf, sizeof(buf), NULL), 14);
    CHECK(all_bytes(buf, 14, 0x33));
    CHECK_EQ(xnf_recv(f.dev, buf, sizeof(buf), &off), 0);
    CHECK_EQ(stats(&f).rx_packets, 3);
    CHECK_EQ(stats(&f).rx_bytes, 100 + 4064 + 14);
    CHECK_EQ(stats(&f).rx_errors, 0);
    /* Too small a buffer: dropped, reported, not a protocol error. */
    be_rx_data(&f, 0, 0, 200, 0x44);
    be_rx_data(&f, 0, 0, 20, 0x55);
    be_rx_publish(&f);
    CHECK_EQ(xnf_recv(f.dev, buf, 100, &off), -EMSGSIZE);
    CHECK_EQ(xnf_recv(f.dev, buf, 100, &off), 20);
    CHECK(all_bytes(buf, 20, 0x55));
    CHECK_EQ(stats(&f).rx_errors, 0);
out:
    fx_teardown(&f);
}

static void test_rx_multislot_gso(void)
{
    struct fx f;
    static uint8_t buf[NETIF_MAX_FRAME];
    struct netif_offload off;

    fx_setup(&f, BE_ALL);
    if (!f.dev)
        goto out;
    be_rx_data(&f, 0,
               NETRXF_more_data | NETRXF_extra_info | NETRXF_csum_blank |
                   NETRXF_data_validated,
               4096, 0x61);
    be_rx_extra(&f, XEN_NETIF_EXTRA_TYPE_GSO, XEN_NETIF_EXTRA_FLAG_MORE, 1400,
                XEN_NETIF_GSO_TYPE_TCPV6);
    be_rx_extra(&f, XEN_NETIF_EXTRA_TYPE_HASH, 0, 0, 0);
    be_rx_data(&f, 0, NETRXF_more_data, 4096, 0x62);
    be_rx_data(&f, 100, 0, 500, 0x63);
    be_rx_publish(&f);
    CHECK_EQ(xnf_recv(f.dev, buf, sizeof(buf), &off), 8692);
    CHECK(all_bytes(buf, 4096, 0x61));
    CHECK(all_bytes(buf + 4096, 4096, 0x62));
    CHECK(all_bytes(buf + 8192, 500, 0x63));
    CHECK_EQ(off.flags,
             NETIF_OFF_GSO | NETIF_OFF_CSUM_BLANK | NETIF_OFF_DATA_VALIDATED);
    CHECK_EQ(off.gso_size, 1400);
    CHECK_EQ(off.gso_type, XEN_NETIF_GSO_TYPE_TCPV6);
    CHECK_EQ(stats(&f).rx_errors, 0);

    /* Exactly 18 data slots is fine. */
    for (int i = 0; i < 17; i++)
        be_rx_data(&f, 0, NETRXF_more_data, 3000, 0x70);
    be_rx_data(&f, 0, 0, 10, 0x70);
    be_rx_publish(&f);
    CHECK_EQ(xnf_recv(f.dev, buf, sizeof(buf), &off), 17 * 3000 + 10);
    CHECK(all_bytes(buf, 17 * 3000 + 10, 0x70));
    CHECK_EQ(off.flags, 0);
    CHECK_EQ(stats(&f).rx_errors, 0);
out:
    fx_teardown(&f);
}

/* After a malformed packet, a good one must come through intact. */
static void expect_drop_then_good(struct fx *f, const char *what)
{
    uint8_t buf[256];
    int n;

    be_rx_data(f, 0, 0, 64, 0x5A);
    be_rx_publish(f);
    n = xnf_recv(f->dev, buf, sizeof(buf), NULL);
    if (n != 64 || !all_bytes(buf, 64, 0x5A) || stats(f).rx_errors != 1 ||
        xnf_broken(f->dev)) {
        fprintf(stderr, "%s: recv %d, rx_errors %llu, broken %d\n", what, n,
                (unsigned long long)stats(f).rx_errors, xnf_broken(f->dev));
        CHECK(0);
    }
    CHECK_EQ(xnf_recv(f->dev, buf, sizeof(buf), NULL), 0);
}

/* Malformed RX packets, one per function; each must be dropped alone. */
static void bad_status_error(struct fx *f)
{
    be_rx_data(f, 0, 0, NETIF_RSP_ERROR, 0);
}

static void bad_status_negative(struct fx *f)
{
    be_rx_data(f, 0, 0, -300, 0);
}

static void bad_status_in_later_slot(struct fx *f)
{
    be_rx_data(f, 0, NETRXF_more_data, 100, 1);
    be_rx_data(f, 0, 0, -1, 0);
}

static void bad_offset_plus_status(struct fx *f)
{
    be_rx_data(f, 100, 0, 4000, 0); /* 4100 > 4096 */
}

static void bad_offset_alone(struct fx *f)
{
    be_rx_data(f, 0xFFFF, 0, 1, 0);
}

static void bad_empty_packet(struct fx *f)
{
    be_rx_data(f, 0, 0, 0, 0);
}

static void data_chain(struct fx *f, int slots)
{
    int i;

    for (i = 0; i < slots - 1; i++)
        be_rx_data(f, 0, NETRXF_more_data, 60, 1);
    be_rx_data(f, 0, 0, 60, 1);
}

static void bad_19_slots(struct fx *f)
{
    data_chain(f, 19);
}

/* The tail past the limit is skipped too, never taken for packets. */
static void bad_40_slots(struct fx *f)
{
    data_chain(f, 40);
}

static void bad_extra_type_none(struct fx *f)
{
    be_rx_data(f, 0, NETRXF_extra_info, 60, 1);
    be_rx_extra(f, XEN_NETIF_EXTRA_TYPE_NONE, 0, 0, 0);
}

static void bad_extra_type_max(struct fx *f)
{
    be_rx_data(f, 0, NETRXF_extra_info, 60, 1);
    be_rx_extra(f, XEN_NETIF_EXTRA_TYPE_MAX, 0, 0, 0);
}

static void bad_extra_repeated(struct fx *f)
{
    be_rx_data(f, 0, NETRXF_extra_info | NETRXF_more_data, 60, 1);
    be_rx_extra(f, XEN_NETIF_EXTRA_TYPE_GSO, XEN_NETIF_EXTRA_FLAG_MORE, 1000,
                XEN_NETIF_GSO_TYPE_TCPV4);
    be_rx_extra(f, XEN_NETIF_EXTRA_TYPE_GSO, 0, 1000, XEN_NETIF_GSO_TYPE_TCPV4);
    be_rx_data(f, 0, 0, 60, 1);
}

static void bad_gso_size_zero(struct fx *f)
{
    be_rx_data(f, 0, NETRXF_extra_info, 60, 1);
    be_rx_extra(f, XEN_NETIF_EXTRA_TYPE_GSO, 0, 0, XEN_NETIF_GSO_TYPE_TCPV4);
}

static void bad_gso_type(struct fx *f)
{
    be_rx_data(f, 0, NETRXF_extra_info, 60, 1);
    be_rx_extra(f, XEN_NETIF_EXTRA_TYPE_GSO, 0, 1000, 9);
}

/* Ten extras chained by MORE: more than there are types. */
static void extras_10(struct fx *f)
{
    int i;

    for (i = 0; i < 9; i++)
        be_rx_extra(f, XEN_NETIF_EXTRA_TYPE_HASH, XEN_NETIF_EXTRA_FLAG_MORE, 0,
                    0);
    be_rx_extra(f, XEN_NETIF_EXTRA_TYPE_HASH, 0, 0, 0);
}

static void bad_endless_extras(struct fx *f)
{
    be_rx_data(f, 0, NETRXF_extra_info, 60, 1);
    extras_10(f);
}

static void bad_endless_extras_then_data(struct fx *f)
{
    be_rx_data(f, 0, NETRXF_extra_info | NETRXF_more_data, 60, 1);
    extras_10(f);
    be_rx_data(f, 0, NETRXF_more_data, 60, 1);
    be_rx_data(f, 0, 0, 60, 1);
}

/* A response whose id is not its slot's. */
static void bad_id(struct fx *f)
{
    be_rx_data(f, 0, 0, 60, 1);
    f->rxs->ring[0].rsp.id = 7;
}

static void test_rx_drops(void)
{
    static const struct {
        const char *name;
        void (*setup)(struct fx *f);
    } cases[] = {
#define BAD(fn) {#fn, fn}
        BAD(bad_status_error),
        BAD(bad_status_negative),
        BAD(bad_status_in_later_slot),
        BAD(bad_offset_plus_status),
        BAD(bad_offset_alone),
        BAD(bad_empty_packet),
        BAD(bad_19_slots),
        BAD(bad_40_slots),
        BAD(bad_extra_type_none),
        BAD(bad_extra_type_max),
        BAD(bad_extra_repeated),
        BAD(bad_gso_size_zero),
        BAD(bad_gso_type),
        BAD(bad_endless_extras),
        BAD(bad_endless_extras_then_data),
        BAD(bad_id),
#undef BAD
    };
    struct fx f;
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fx_setup(&f, BE_ALL);
        if (f.dev) {
            cases[i].setup(&f);
            expect_drop_then_good(&f, cases[i].name);
        }
        fx_teardown(&f);
    }
}

static void test_rx_gso_not_offered(void)
{
    struct fx f;

    fx_prepare(&f);
    f.cfg.want = NETIF_F_SG; /* no GSO */
    f.dev = xnf_init(f.devmem, &f.cfg);
    CHECK(f.dev != NULL);
    if (!f.dev)
        goto out;
    CHECK_EQ(xnf_connect(f.dev, BE_ALL), 0);
    be_rx_data(&f, 0, NETRXF_extra_info, 60, 1);
    be_rx_extra(&f, XEN_NETIF_EXTRA_TYPE_GSO, 0, 1000,
                XEN_NETIF_GSO_TYPE_TCPV4);
    expect_drop_then_good(&f, "gso not offered");
out:
    fx_teardown(&f);
}

static void test_rx_broken_producer(void)
{
    struct fx f;
    uint8_t buf[256];
    int i;

    fx_setup(&f, BE_ALL);
    if (!f.dev)
        goto out;
    for (i = 0; i < 3; i++)
        be_rx_data(&f, 0, 0, 60, 1);
    be_rx_publish(&f);
    for (i = 0; i < 3; i++)
        CHECK_EQ(xnf_recv(f.dev, buf, sizeof(buf), NULL), 60);
    f.rxs->rsp_prod = 2; /* backwards */
    CHECK_EQ(xnf_recv(f.dev, buf, sizeof(buf), NULL), -EIO);
    CHECK(xnf_broken(f.dev));
    fx_teardown(&f);

    /* Backwards by a little, while a packet is still cached. */
    fx_setup(&f, BE_ALL);
    if (!f.dev)
        goto out;
    for (i = 0; i < 3; i++)
        be_rx_data(&f, 0, 0, 60, 1);
    be_rx_publish(&f);
    CHECK_EQ(xnf_recv(f.dev, buf, sizeof(buf), NULL), 60);
    f.rxs->rsp_prod = 1;
    CHECK_EQ(xnf_recv(f.dev, buf, sizeof(buf), NULL), 60);
    CHECK_EQ(xnf_recv(f.dev, buf, sizeof(buf), NULL), 60);
    CHECK_EQ(xnf_recv(f.dev, buf, sizeof(buf), NULL), -EIO);
    fx_teardown(&f);

    /* More than a ring ahead. */
    fx_setup(&f, BE_ALL);
    if (!f.dev)
        goto out;
    f.rxs->rsp_prod = 257;
    CHECK_EQ(xnf_recv(f.dev, buf, sizeof(buf), NULL), -EIO);
    CHECK(xnf_broken(f.dev));
    fx_teardown(&f);

    /* Less than a ring ahead, but into buffers consumed and not posted
     * again yet. */
    fx_setup(&f, BE_ALL);
    if (!f.dev)
        goto out;
    for (i = 0; i < 10; i++)
        be_rx_data(&f, 0, 0, 60, 1);
    be_rx_publish(&f);
    for (i = 0; i < 10; i++)
        CHECK_EQ(xnf_recv(f.dev, buf, sizeof(buf), NULL), 60);
    CHECK_EQ(f.rxs->req_prod, 256);
    f.rxs->rsp_prod = 257;
    CHECK_EQ(xnf_recv(f.dev, buf, sizeof(buf), NULL), -EIO);
    CHECK(xnf_broken(f.dev));
out:
    fx_teardown(&f);
}

/* Frames lent in place: pieces in the RX pages, reposted only once given
 * back (a second take gives back the first). */
static void test_rx_frags(void)
{
    struct xnf_frag fr[NETIF_MAX_SLOTS_PER_PKT];
    struct netif_offload off;
    unsigned nf = 99;
    struct fx f;

    fx_setup(&f, BE_ALL);
    if (!f.dev)
        goto out;
    CHECK_EQ(xnf_recv_frags(f.dev, fr, &nf, &off), 0);
    CHECK_EQ(nf, 0);
    be_rx_data(&f, 0, NETRXF_more_data | NETRXF_extra_info, 4096, 0x61);
    be_rx_extra(&f, XEN_NETIF_EXTRA_TYPE_GSO, 0, 1400,
                XEN_NETIF_GSO_TYPE_TCPV4);
    be_rx_data(&f, 100, 0, 500, 0x63);
    be_rx_data(&f, 0, 0, 60, 0x64);
    be_rx_publish(&f);
    CHECK_EQ(xnf_recv_frags(f.dev, fr, &nf, &off), 4596);
    CHECK_EQ(nf, 2);
    CHECK_EQ(fr[0].len, 4096);
    CHECK(all_bytes(fr[0].base, 4096, 0x61));
    CHECK_EQ(fr[1].len, 500);
    CHECK(all_bytes(fr[1].base, 500, 0x63));
    CHECK_EQ(off.flags, NETIF_OFF_GSO);
    CHECK_EQ(off.gso_size, 1400);
    /* Held: nothing reposted past what was there, even by a poll... */
    xnf_poll(f.dev);
    CHECK_EQ(f.rxs->req_prod, 256);
    /* ...and the next take gives the first back. */
    CHECK_EQ(xnf_recv_frags(f.dev, fr, &nf, NULL), 60);
    CHECK_EQ(nf, 1);
    CHECK(all_bytes(fr[0].base, 60, 0x64));
    xnf_recv_release(f.dev);
    xnf_recv_release(f.dev); /* twice: no harm */
    xnf_poll(f.dev);
    CHECK_EQ(f.rxs->req_prod, 256 + 4);
    CHECK_EQ(stats(&f).rx_packets, 2);
    CHECK_EQ(stats(&f).rx_errors, 0);
out:
    fx_teardown(&f);
}

static void test_rx_refill_and_notify(void)
{
    struct fx f;
    uint8_t buf[256];
    unsigned i;

    fx_setup(&f, BE_ALL);
    if (!f.dev)
        goto out;
    CHECK_EQ(f.notifies, 1);
    for (i = 0; i < 200; i++)
        be_rx_data(&f, 0, 0, 60, (int)i);
    be_rx_publish(&f);
    /* The backend polls and wants no event. */
    f.rxs->req_event = 100000;
    for (i = 0; i < 63; i++)
        CHECK_EQ(xnf_recv(f.dev, buf, sizeof(buf), NULL), 60);
    CHECK_EQ(f.rxs->req_prod, 256); /* batched: not yet */
    CHECK_EQ(xnf_recv(f.dev, buf, sizeof(buf), NULL), 60);
    CHECK_EQ(f.rxs->req_prod, 256 + 64);
    CHECK_EQ(f.notifies, 1);
    for (i = 0; i < 64; i++) {
        netif_rx_request_t r = f.rxs->ring[(256 + i) & 255].req;

        CHECK_EQ(r.id, i);
        CHECK_EQ(r.gref, GREF_BASE + XNF_PAGE_RX_BUF(i));
    }
    /* Now it sleeps until one more buffer comes. */
    f.rxs->req_event = 256 + 64 + 1;
    for (i = 0; i < 64; i++)
        CHECK_EQ(xnf_recv(f.dev, buf, sizeof(buf), NULL), 60);
    CHECK_EQ(f.rxs->req_prod, 256 + 128);
    CHECK_EQ(f.notifies, 2);
    /* xnf_poll reposts everything consumed, whatever the batch. */
    CHECK_EQ(xnf_recv(f.dev, buf, sizeof(buf), NULL), 60);
    CHECK(all_bytes(buf, 60, 128));
    xnf_poll(f.dev);
    CHECK_EQ(f.rxs->req_prod, 256 + 129);
    CHECK_EQ(f.notifies, 2);
out:
    fx_teardown(&f);
}

static void test_rx_partial_packet_waits(void)
{
    struct fx f;
    uint8_t buf[8192];

    fx_setup(&f, BE_ALL);
    if (!f.dev)
        goto out;
    be_rx_data(&f, 0, NETRXF_more_data | NETRXF_extra_info, 4096, 0x21);
    be_rx_publish(&f);
    CHECK_EQ(xnf_recv(f.dev, buf, sizeof(buf), NULL), 0);
    /* Its tail is not out: no work, and the event waits for more. */
    CHECK(!xnf_final_check(f.dev));
    CHECK_EQ(f.rxs->rsp_event, 2);
    be_rx_extra(&f, XEN_NETIF_EXTRA_TYPE_GSO, 0, 1000,
                XEN_NETIF_GSO_TYPE_TCPV4);
    be_rx_publish(&f);
    CHECK(xnf_final_check(f.dev));
    CHECK_EQ(xnf_recv(f.dev, buf, sizeof(buf), NULL), 0);
    be_rx_data(&f, 0, 0, 10, 0x22);
    be_rx_publish(&f);
    CHECK_EQ(xnf_recv(f.dev, buf, sizeof(buf), NULL), 4106);
    CHECK(all_bytes(buf, 4096, 0x21) && all_bytes(buf + 4096, 10, 0x22));
    CHECK_EQ(stats(&f).rx_errors, 0);
out:
    fx_teardown(&f);
}

/* --- random garbage ------------------------------------------------------- */

/* A plausible-looking but random RX slot: mostly right ids, random flags,
 * statuses and offsets around the limits, sometimes raw noise. */
static void rx_garbage_slot(struct fx *f, unsigned *seed)
{
    unsigned r = (unsigned)rand_r(seed);
    RING_IDX idx = f->rx_rsp++;
    netif_rx_response_t rsp;

    if (r % 8 == 0) {
        uint64_t raw = ((uint64_t)rand_r(seed) << 32) ^ (uint64_t)rand_r(seed);

        memcpy(&f->rxs->ring[idx & 255], &raw, sizeof(raw));
        return;
    }
    rsp.id = (r % 16) ? (uint16_t)(idx & 255) : (uint16_t)(r >> 8);
    rsp.flags = (uint16_t)((r >> 4) & 0x1F);
    rsp.offset = (uint16_t)((r % 5 == 0) ? (r >> 12) % 5000 : 0);
    rsp.status = (int16_t)((int)((unsigned)rand_r(seed) % 4300) - 3);
    f->rxs->ring[idx & 255].rsp = rsp;
}

static void test_rx_random_garbage(void)
{
    unsigned seed = 4242, round, iter, j, drops = 0, pkts = 0;

    for (round = 0; round < 40; round++) {
        struct fx f;

        fx_setup(&f, BE_ALL);
        for (iter = 0; f.dev && iter < 300 && !xnf_broken(f.dev); iter++) {
            unsigned k = (unsigned)rand_r(&seed) % 24;
            uint32_t cap = 1 + (uint32_t)rand_r(&seed) % 70000;
            uint8_t *buf = malloc(cap); /* exact size: ASan sees overruns */
            int n;

            /* Never more responses than buffers posted, except on
             * purpose now and then. */
            for (j = 0; j < k && f.rx_rsp != f.rxs->req_prod; j++)
                rx_garbage_slot(&f, &seed);
            be_rx_publish(&f);
            if ((unsigned)rand_r(&seed) % 500 == 0)
                f.rxs->rsp_prod += 300;
            while ((n = xnf_recv(f.dev, buf, cap, NULL)) != 0) {
                CHECK(n <= (int)cap);
                if (n < 0 && n != -EMSGSIZE)
                    break;
                pkts += n > 0;
            }
            free(buf);
            xnf_poll(f.dev);
            CHECK(f.rxs->req_prod - f.rx_rsp <= 256 || xnf_broken(f.dev));
        }
        if (f.dev)
            drops += (unsigned)stats(&f).rx_errors;
        fx_teardown(&f);
    }
    /* The mix must have exercised both outcomes. */
    CHECK(drops > 100);
    CHECK(pkts > 100);
}

int main(void)
{
    RUN(test_rx_single);
    RUN(test_rx_multislot_gso);
    RUN(test_rx_drops);
    RUN(test_rx_gso_not_offered);
    RUN(test_rx_broken_producer);
    RUN(test_rx_frags);
    RUN(test_rx_refill_and_notify);
    RUN(test_rx_partial_packet_waits);
    RUN(test_rx_random_garbage);
    return check_summary();
}
