/* SPDX-License-Identifier: MIT */
/*
 * xenbus_pvt.h - the backend's reading of what a frontend wrote, apart
 * from xenstore: xenbus.c reads every key raw into struct nb_fe_values,
 * then nb_xenbus_parse_frontend() checks them all.  The split lets a fuzz
 * harness (tests/fuzz/fuzz_nb_xenbus.c) hand the parser hostile values
 * directly.
 */
#ifndef NETBACK_XENBUS_PVT_H
#define NETBACK_XENBUS_PVT_H

#include <stdbool.h>
#include <stddef.h>

#include "netback/netback.h"

/* The device-wide frontend keys read, in struct nb_fe_values order: the
 * queue count, then the frontend key of each entry of
 * netif_feature_table(). */
enum nb_fe_key {
    NB_FE_NUM_QUEUES,
    NB_FE_FEATURE,
    NB_FE__MAX = NB_FE_FEATURE + NETIF_FEATURE_COUNT
};

/* One queue's keys: flat for one queue, under queue-N/ otherwise. */
enum nb_feq_key {
    NB_FEQ_TX_RING_REF,
    NB_FEQ_RX_RING_REF,
    NB_FEQ_EVTCHN,
    NB_FEQ_EVTCHN_TX,
    NB_FEQ_EVTCHN_RX,
    NB_FEQ__MAX
};

/* A key as the parser names the one at fault: a device-wide key k is k;
 * key k of queue q is NB_FE_QKEY(q, k). */
#define NB_FE_QKEY(q, k) (NB_FE__MAX + (q) * NB_FEQ__MAX + (k))
#define NB_FE_KEYS NB_FE_QKEY(NETIF_QUEUES_MAX, 0)

/* Raw values as read; val[k] == NULL when key k is missing.  A value may
 * hold NULs: len[k] counts every byte.  val[NB_FE_QKEY(q, k)] is queue q's
 * key k, read from wherever num-queues puts it. */
struct nb_fe_values {
    const char *val[NB_FE_KEYS];
    size_t len[NB_FE_KEYS];
};

/*
 * The path of key @k (as NB_FE_QKEY names it) relative to the frontend's
 * directory, for a device of @nq queues: "tx-ring-ref" with one queue,
 * "queue-1/tx-ring-ref" otherwise.  @return false for a feature the
 * frontend writes no key for, or @k out of range.
 */
bool nb_fe_key_name(char *buf, size_t len, unsigned nq, unsigned k);

/*
 * The queue count the values ask for: 1 when missing, else 1..@max_queues.
 * @return 0 or -EINVAL / -ERANGE.
 */
int nb_fe_num_queues(const struct nb_fe_values *v, unsigned max_queues,
                     unsigned *nq);

/*
 * Check every value and fill the queues, event channels and features of
 * @fi, for a backend offering @max_queues.  @return 0; -EOPNOTSUPP when
 * the frontend did not ask for rx-copy; or -EINVAL, -ERANGE or -ENOENT
 * (a required key missing) with *@bad set to the offending key.
 */
int nb_xenbus_parse_frontend(const struct nb_fe_values *v,
                             unsigned max_queues,
                             struct nb_xenbus_frontend *fi, unsigned *bad);

#endif /* NETBACK_XENBUS_PVT_H */
