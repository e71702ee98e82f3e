/* SPDX-License-Identifier: MIT */
/*
 * fuzz_nb_xenbus.c - libFuzzer harness for the backend's reading of what
 * a frontend wrote to xenstore (nb_xenbus_parse_frontend, netback's
 * xenbus_pvt.h): the ring refs, event channels, queue count and every
 * feature key, as hostile bytes.
 *
 * Every value is handed over in a buffer of exactly its length, with no
 * NUL after it, so a parser that reads past a value is caught by ASan.
 * The harness checks, and aborts on a breach:
 *  - the result is 0, -EOPNOTSUPP, -EINVAL, -ERANGE or -ENOENT, and a
 *    failure names a key that exists;
 *  - on success every value used is a plain decimal (digits only, no
 *    leading zero) and the refs and ports are those numbers; every
 *    feature key present is "0" or "1", and the feature bits are exactly
 *    the "1"s (rx-copy among them); split event channels iff
 *    event-channel-tx was given.
 *
 * Input: for each key of enum nb_fe_key in order that has a name
 * (nb_fe_key() != NULL), a u8 length (255: the key is missing) and that
 * many bytes; reading past the end yields missing keys.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netback/netback.h"
#include "xenbus_pvt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define INV(c)                                                                 \
    do {                                                                       \
        if (!(c)) {                                                            \
            fprintf(stderr, "fuzz_nb_xenbus: invariant broken: %s (line %d)\n", \
                    #c, __LINE__);                                             \
            abort();                                                           \
        }                                                                      \
    } while (0)

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

static void check_success(const struct nb_fe_values *v,
                          const struct nb_xenbus_frontend *fi)
{
    const struct netif_feature_key *t = netif_feature_table();
    uint32_t want = 0;
    unsigned i;

    INV(plain_decimal(v->val[NB_FE_TX_RING_REF], v->len[NB_FE_TX_RING_REF]) ==
        fi->tx_ring_ref);
    INV(plain_decimal(v->val[NB_FE_RX_RING_REF], v->len[NB_FE_RX_RING_REF]) ==
        fi->rx_ring_ref);
    INV(fi->split_evtchn == (v->val[NB_FE_EVTCHN_TX] != NULL));
    if (fi->split_evtchn) {
        INV(plain_decimal(v->val[NB_FE_EVTCHN_TX], v->len[NB_FE_EVTCHN_TX]) ==
            fi->tx_port);
        INV(plain_decimal(v->val[NB_FE_EVTCHN_RX], v->len[NB_FE_EVTCHN_RX]) ==
            fi->rx_port);
    } else {
        INV(plain_decimal(v->val[NB_FE_EVTCHN], v->len[NB_FE_EVTCHN]) ==
            fi->tx_port);
        INV(fi->rx_port == fi->tx_port);
    }
    if (v->val[NB_FE_NUM_QUEUES])
        INV(plain_decimal(v->val[NB_FE_NUM_QUEUES],
                          v->len[NB_FE_NUM_QUEUES]) == 1 ||
            plain_decimal(v->val[NB_FE_NUM_QUEUES],
                          v->len[NB_FE_NUM_QUEUES]) == 0);
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
    char *bufs[NB_FE__MAX];
    unsigned k, bad = NB_FE__MAX;
    size_t at = 0;
    int r;

    memset(&v, 0, sizeof(v));
    memset(bufs, 0, sizeof(bufs));
    for (k = 0; k < NB_FE__MAX; k++) {
        size_t len;

        if (!nb_fe_key(k))
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
    r = nb_xenbus_parse_frontend(&v, &fi, &bad);
    INV(r == 0 || r == -EOPNOTSUPP || r == -EINVAL || r == -ERANGE ||
        r == -ENOENT);
    if (r < 0)
        INV(bad < NB_FE__MAX && nb_fe_key(bad) != NULL);
    else
        check_success(&v, &fi);
    for (k = 0; k < NB_FE__MAX; k++)
        free(bufs[k]);
    return 0;
}
