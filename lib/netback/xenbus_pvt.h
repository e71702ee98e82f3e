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

#include <stddef.h>

#include "netback/netback.h"

/* The frontend keys read, in struct nb_fe_values order: the fixed ones,
 * then the frontend key of each entry of netif_feature_table(). */
enum nb_fe_key {
    NB_FE_TX_RING_REF,
    NB_FE_RX_RING_REF,
    NB_FE_EVTCHN,
    NB_FE_EVTCHN_TX,
    NB_FE_EVTCHN_RX,
    NB_FE_NUM_QUEUES,
    NB_FE_FEATURE,
    NB_FE__MAX = NB_FE_FEATURE + NETIF_FEATURE_COUNT
};

/* Raw values as read; val[k] == NULL when key k is missing.  A value may
 * hold NULs: len[k] counts every byte. */
struct nb_fe_values {
    const char *val[NB_FE__MAX];
    size_t len[NB_FE__MAX];
};

/* The name of key @k, or NULL for a feature the frontend writes no key
 * for. */
const char *nb_fe_key(unsigned k);

/*
 * Check every value and fill the ring refs, event channels and features
 * of @fi.  @return 0; -EOPNOTSUPP when the frontend did not ask for
 * rx-copy; or -EINVAL, -ERANGE or -ENOENT (a required key missing) with
 * *@bad set to the offending key.
 */
int nb_xenbus_parse_frontend(const struct nb_fe_values *v,
                             struct nb_xenbus_frontend *fi, unsigned *bad);

#endif /* NETBACK_XENBUS_PVT_H */
