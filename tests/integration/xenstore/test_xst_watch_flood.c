/* SPDX-License-Identifier: MIT */
/*
 * A guest floods the watches of dom0 (the backends' connection): it
 * writes and removes its own device/vif/0/state as fast as it can while
 * dom0, busy elsewhere, reads nothing.  dom0's connection must stay up,
 * what is queued for it stays bounded, the flooding guest is the one made
 * to wait (logged), another guest keeps being answered all along, and once
 * dom0 reads, every event and every reply arrives.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "xst_test.h"

#define STATE "device/vif/0/state"
#define PAIRS 4000 /* a write and a remove each: far past dom0's queue */

/* The flood, pipelined: PAIRS times WRITE state "4", RM state. */
static char *flood_build(size_t *len)
{
    static const char wr[] = STATE "\0" "4", rm[] = STATE;
    size_t one = 2 * sizeof(struct xsd_sockmsg) + (sizeof(wr) - 1) + sizeof(rm);
    char *buf = malloc(PAIRS * one), *p = buf;
    struct xsd_sockmsg h = {0};
    unsigned i;

    if (!buf)
        abort();
    for (i = 0; i < PAIRS; i++) {
        h = (struct xsd_sockmsg){.type = XS_WRITE, .req_id = 2 * i + 1,
                                 .len = sizeof(wr) - 1};
        memcpy(p, &h, sizeof(h));
        memcpy(p + sizeof(h), wr, sizeof(wr) - 1);
        p += sizeof(h) + sizeof(wr) - 1;
        h = (struct xsd_sockmsg){.type = XS_RM, .req_id = 2 * i + 2,
                                 .len = sizeof(rm)};
        memcpy(p, &h, sizeof(h));
        memcpy(p + sizeof(h), rm, sizeof(rm));
        p += sizeof(h) + sizeof(rm);
    }
    *len = (size_t)(p - buf);
    return buf;
}

struct flood {
    struct tc g;
    char *reqs;
    size_t total, sent;
    unsigned got; /* replies read, in order */
};

/* Push and read what the server takes; 0 once nothing moves. */
static int flood_step(struct flood *f)
{
    struct tc_msg m;
    ssize_t n = 0;
    int moved = 0;

    if (f->sent < f->total)
        n = send(f->g.fd, f->reqs + f->sent, f->total - f->sent, MSG_DONTWAIT);
    if (n > 0) {
        f->sent += (size_t)n;
        moved = 1;
    }
    while (tc_recv(&f->g, &m) == 0) {
        CHECK(m.hdr.type != XS_ERROR);
        CHECK_EQ(m.hdr.req_id, f->got + 1);
        f->got++;
        moved = 1;
    }
    return moved;
}

/* Guest 6 is answered at once. */
static bool pings(struct tc *p)
{
    char buf[BUF];

    return tc_read(p, 0, "/local/domain/6/alive", buf, sizeof(buf)) == 3;
}

static void test_guest_watch_flood(void)
{
    /* Small enough that dom0 would be cut off by far fewer events. */
    struct xst_config cfg = {.max_out_bytes = 64 * 1024};
    struct xst_server *s = xst_server_create(NULL, &cfg);
    struct xst_stats st;
    struct flood f = {0};
    struct tc d, p;
    char buf[BUF];
    int i, ping_fail = 0, events = 0, held_rounds = 0;

    if (!s)
        abort();
    make_home(s, 5);
    make_home(s, 6);
    CHECK_EQ(xst_write(s, "/local/domain/6/alive", "yes", 3), 0);
    CHECK_EQ(tc_open(&d, s, 0), 0);
    CHECK_EQ(tc_open(&p, s, 6), 0);
    CHECK_EQ(tc_open(&f.g, s, 5), 0);
    CHECK_EQ(tc_watch(&d, "/local/domain/5/device", "be"), 0);
    f.reqs = flood_build(&f.total);
    /* dom0 reads nothing: the guest gets stuck, guest 6 does not. */
    for (i = 0; i < 100000 && flood_step(&f); i++)
        if (i % 16 == 0 && !pings(&p))
            ping_fail++;
    CHECK(i < 100000);
    CHECK(f.got < 2 * PAIRS);
    CHECK(pings(&p));
    CHECK_EQ(ping_fail, 0);
    xst_server_stats(s, &st);
    CHECK_EQ(st.conns_dropped, 0);
    CHECK(st.guests_held >= 1);
    /* 256 events of ~55 bytes, dom0's own first event, guest 6's replies */
    CHECK(st.out_queued < 20 * 1024);
    /* dom0 catches up, and the guest goes on, until all is done. */
    while (f.got < 2 * PAIRS && held_rounds++ < 100000) {
        events += tc_drain_events(&d);
        while (flood_step(&f))
            ;
    }
    events += tc_drain_events(&d);
    CHECK_EQ(f.got, 2 * PAIRS);
    CHECK_EQ(events, 2 * PAIRS + 1); /* one per change, and the first */
    xst_server_stats(s, &st);
    CHECK_EQ(st.conns_dropped, 0);
    CHECK_EQ(tc_read(&d, 0, "/local/domain/6/alive", buf, sizeof(buf)), 3);
    tc_close(&f.g);
    tc_close(&p);
    tc_close(&d);
    free(f.reqs);
    xst_server_destroy(s);
}

int main(void)
{
    RUN(test_guest_watch_flood);
    return check_summary();
}
