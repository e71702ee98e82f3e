/* SPDX-License-Identifier: MIT */
/*
 * fuzz_nb_xenbus.c - libFuzzer harness for the backend's reading of what
 * a frontend wrote to xenstore (nb_xenbus_parse_frontend, netback's
 * xenbus_pvt.h): the queue count, every queue's ring refs and event
 * channels, and every feature key, as hostile bytes, against a backend
 * offering 1 to NETIF_QUEUES_MAX queues.
 *
 * Every value is handed over in a buffer of exactly its length, with no
 * NUL after it, so a parser that reads past a value is caught by ASan.
 * The harness checks, and aborts on a breach:
 *  - the result is 0, -EOPNOTSUPP, -EINVAL, -ERANGE or -ENOENT, and a
 *    failure names a key that exists;
 *  - on success the queue count is the num-queues value (1 if missing),
 *    within the offer; for each of those queues every value used is a
 *    plain decimal (digits only, no leading zero), the refs and ports are
 *    those numbers and no two rings share a ref; split event channels iff
 *    event-channel-tx was given; every feature key present is "0" or
 *    "1", and the feature bits are exactly the "1"s (rx-copy among them).
 *
 * Input: one byte, the offer (1 + byte % NETIF_QUEUES_MAX); then for each
 * device-wide key of enum nb_fe_key that has a name, and then each key
 * of enum nb_feq_key of queue 0, 1, ... NETIF_QUEUES_MAX-1, a u8 length
 * (255: the key is missing) and that many bytes; reading past the end
 * yields missing keys.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netback/netback.h"
#include "xenbus_pvt.h"

#define FUZZ_NAME "fuzz_nb_xenbus"
#include "fuzz_harness.h"

/* The harness's own reading of a plain decimal; -1 if it is not one. */
static int64_t plain_decimal(const char *s, size_t len)
{
    int64_t v = 0;
    size_t i;

    if (len == 0 || len > 10 || (s[0] == '0' && len > 1))
        return -1;
    for (i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* Queue @q's keys as the parser must have taken them. */
static void check_queue(const struct nb_fe_values *v, unsigned q,
                        const struct nb_xenbus_queue *fq)
{
#define VAL(k) v->val[NB_FE_QKEY(q, k)], v->len[NB_FE_QKEY(q, k)]
    INV(plain_decimal(VAL(NB_FEQ_TX_RING_REF)) == fq->tx_ring_ref);
    INV(plain_decimal(VAL(NB_FEQ_RX_RING_REF)) == fq->rx_ring_ref);
    INV(fq->split_evtchn ==
        (v->val[NB_FE_QKEY(q, NB_FEQ_EVTCHN_TX)] != NULL));
    if (fq->split_evtchn) {
        INV(plain_decimal(VAL(NB_FEQ_EVTCHN_TX)) == fq->tx_port);
        INV(plain_decimal(VAL(NB_FEQ_EVTCHN_RX)) == fq->rx_port);
    } else {
        INV(plain_decimal(VAL(NB_FEQ_EVTCHN)) == fq->tx_port);
        INV(fq->rx_port == fq->tx_port);
    }
#undef VAL
}

static void check_success(const struct nb_fe_values *v, unsigned max_queues,
                          const struct nb_xenbus_frontend *fi)
{
    const struct netif_feature_key *t = netif_feature_table();
    grant_ref_t refs[2 * NETIF_QUEUES_MAX];
    uint32_t want = 0;
    unsigned i, j;

    if (v->val[NB_FE_NUM_QUEUES])
        INV(plain_decimal(v->val[NB_FE_NUM_QUEUES],
                          v->len[NB_FE_NUM_QUEUES]) == fi->num_queues);
    else
        INV(fi->num_queues == 1);
    INV(fi->num_queues >= 1 && fi->num_queues <= max_queues);
    for (i = 0; i < fi->num_queues; i++) {
        check_queue(v, i, &fi->queue[i]);
        refs[2 * i] = fi->queue[i].tx_ring_ref;
        refs[2 * i + 1] = fi->queue[i].rx_ring_ref;
    }
    for (i = 0; i < 2 * fi->num_queues; i++)
        for (j = 0; j < i; j++)
            INV(refs[i] != refs[j]);
    for (i = 0; i < NETIF_FEATURE_COUNT; i++) {
        unsigned k = NB_FE_FEATURE + i;

        if (!v->val[k])
            continue;
        INV(v->len[k] == 1 && (v->val[k][0] == '0' || v->val[k][0] == '1'));
        if (v->val[k][0] == '1')
            want |= t[i].bit;
    }
    INV(fi->features == want);
    INV(fi->features & NETIF_F_RX_COPY);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct nb_fe_values v;
    struct nb_xenbus_frontend fi;
    char *bufs[NB_FE_KEYS], name[64];
    unsigned k, max_queues, bad = NB_FE_KEYS;
    size_t at = 1;
    int r;

    if (size < 1)
        return 0;
    max_queues = 1 + data[0] % NETIF_QUEUES_MAX;
    memset(&v, 0, sizeof(v));
    memset(bufs, 0, sizeof(bufs));
    for (k = 0; k < NB_FE_KEYS; k++) {
        size_t len;

        if (!nb_fe_key_name(name, sizeof(name), 1, k))
            continue; /* a feature the frontend writes no key for */
        if (at >= size || data[at] == 255) {
            at += at < size;
            continue;
        }
        len = data[at++];
        if (len > size - at)
            len = size - at;
        bufs[k] = malloc(len ? len : 1);
        if (!bufs[k])
            abort();
        memcpy(bufs[k], data + at, len);
        at += len;
        v.val[k] = bufs[k];
        v.len[k] = len;
    }
    memset(&fi, 0xEE, sizeof(fi));
    r = nb_xenbus_parse_frontend(&v, max_queues, &fi, &bad);
    INV(r == 0 || r == -EOPNOTSUPP || r == -EINVAL || r == -ERANGE ||
        r == -ENOENT);
    if (r < 0)
        INV(bad < NB_FE_KEYS && nb_fe_key_name(name, sizeof(name), 2, bad));
    else
        check_success(&v, max_queues, &fi);
    for (k = 0; k < NB_FE_KEYS; k++)
        free(bufs[k]);
    return 0;
}
