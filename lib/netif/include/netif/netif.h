/* SPDX-License-Identifier: MIT */
/*
 * netif/netif.h - the netif vocabulary both ends share: the features a
 * frontend and a backend negotiate through xenstore, with the key each
 * end writes for them; the offload metadata a packet carries in either
 * direction; the names of the other xenstore keys of the handshake; and
 * the protocol's limits.
 *
 * One bit set (NETIF_F_*) names the features on both sides: what the
 * backend offers (keys under the backend's path), what the frontend asks
 * for or accepts (keys under the frontend's path), and what libnetback and
 * libxnf are told was negotiated.  A program that joins the two ends (the
 * switch, a test) passes the bits through untranslated.
 *
 * Header only, with no libc: libxnf's freestanding core includes it.
 * Threads: constants and pure functions only; any thread.
 */
#ifndef NETIF_NETIF_H
#define NETIF_NETIF_H

#include <stdbool.h>
#include <stdint.h>

#include "xvm/xen.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- limits ------------------------------------------------------------ */

/** Slots in the TX ring and in the RX ring, each on one 4 KiB page. */
#define NETIF_RING_SIZE 256u
_Static_assert(__CONST_RING_SIZE(netif_tx, XVM_PAGE_SIZE) == NETIF_RING_SIZE,
               "a netif TX ring on one page has 256 slots");
_Static_assert(__CONST_RING_SIZE(netif_rx, XVM_PAGE_SIZE) == NETIF_RING_SIZE,
               "a netif RX ring on one page has 256 slots");
/** Largest packet on the netif wire (the 16-bit size of a first slot). */
#define NETIF_MAX_FRAME 65535u
/** Smallest packet either end accepts: an Ethernet header. */
#define NETIF_MIN_FRAME 14u
/** Most data slots in one packet, either direction (XEN_NETIF_NR_SLOTS_MIN). */
#define NETIF_MAX_SLOTS_PER_PKT 18u
_Static_assert(NETIF_MAX_SLOTS_PER_PKT == XEN_NETIF_NR_SLOTS_MIN,
               "the slot limit every backend must take");

/* ---- features ---------------------------------------------------------- */

/** The negotiable features; see netif_feature_table() for their keys. */
enum netif_feature {
    NETIF_F_SG = 1u << 0,         /**< multi-slot packets */
    NETIF_F_GSO_TCPV4 = 1u << 1,  /**< TCPv4 GSO packets */
    NETIF_F_GSO_TCPV6 = 1u << 2,  /**< TCPv6 GSO packets */
    NETIF_F_RX_NOTIFY = 1u << 3,  /**< frontend notifies on posting RX bufs */
    NETIF_F_NO_CSUM = 1u << 4,    /**< frontend wants no partial checksums */
    NETIF_F_IPV6_CSUM = 1u << 5,  /**< IPv6 checksum offload */
    NETIF_F_MCAST_CTRL = 1u << 6, /**< multicast filter over the TX ring */
    NETIF_F_RX_COPY = 1u << 7,    /**< RX by copy (required by both ends) */
    NETIF_F_RX_FLIP = 1u << 8     /**< RX by page flipping (never offered) */
};

/** Features in netif_feature_table(). */
#define NETIF_FEATURE_COUNT 9u

/** One feature and the xenstore key each end writes for it. */
struct netif_feature_key {
    uint32_t bit;       /**< one NETIF_F_* */
    const char *name;   /**< short name for logs ("sg", "gso-tcpv4") */
    const char *be_key; /**< "0"/"1" key under the backend path, or NULL */
    const char *fe_key; /**< "0"/"1" key under the frontend path, or NULL */
};

/**
 * Every feature, NETIF_FEATURE_COUNT entries in bit order.  A NULL key
 * means that end never writes one (a missing key reads as "0").
 */
static inline const struct netif_feature_key *netif_feature_table(void)
{
    static const struct netif_feature_key t[NETIF_FEATURE_COUNT] = {
        {NETIF_F_SG, "sg", "feature-sg", "feature-sg"},
        {NETIF_F_GSO_TCPV4, "gso-tcpv4", "feature-gso-tcpv4",
         "feature-gso-tcpv4"},
        {NETIF_F_GSO_TCPV6, "gso-tcpv6", "feature-gso-tcpv6",
         "feature-gso-tcpv6"},
        {NETIF_F_RX_NOTIFY, "rx-notify", 0, "feature-rx-notify"},
        {NETIF_F_NO_CSUM, "no-csum", 0, "feature-no-csum-offload"},
        {NETIF_F_IPV6_CSUM, "ipv6-csum", "feature-ipv6-csum-offload",
         "feature-ipv6-csum-offload"},
        {NETIF_F_MCAST_CTRL, "mcast-ctrl", "feature-multicast-control",
         "request-multicast-control"},
        {NETIF_F_RX_COPY, "rx-copy", "feature-rx-copy", "request-rx-copy"},
        {NETIF_F_RX_FLIP, "rx-flip", "feature-rx-flip", 0},
    };

    return t;
}

/** Which end wrote a key. */
enum netif_end {
    NETIF_BACKEND,
    NETIF_FRONTEND
};

/** The key @end writes for @e (NULL when that end writes none). */
static inline const char *netif_feature_key_of(const struct netif_feature_key *e,
                                               enum netif_end end)
{
    return end == NETIF_BACKEND ? e->be_key : e->fe_key;
}

/**
 * The feature whose key @end writes as @key (NUL-terminated).
 * @return its NETIF_F_* bit, or 0 if @key names no feature of that end.
 */
static inline uint32_t netif_feature_by_key(enum netif_end end, const char *key)
{
    const struct netif_feature_key *t = netif_feature_table();
    unsigned i, j;

    for (i = 0; i < NETIF_FEATURE_COUNT; i++) {
        const char *k = netif_feature_key_of(&t[i], end);

        if (!k)
            continue;
        for (j = 0; k[j] && k[j] == key[j]; j++)
            ;
        if (k[j] == key[j])
            return t[i].bit;
    }
    return 0;
}

/* ---- offloads ---------------------------------------------------------- */

/** Offload flags of a packet (struct netif_offload.flags). */
enum netif_offload_flag {
    NETIF_OFF_CSUM_BLANK = 1u << 0,     /**< L4 checksum not filled in */
    NETIF_OFF_DATA_VALIDATED = 1u << 1, /**< checksum known good */
    NETIF_OFF_GSO = 1u << 2             /**< gso_type and gso_size valid */
};

/** GSO types, as Xen's XEN_NETIF_GSO_TYPE_*. */
enum netif_gso_type {
    NETIF_GSO_NONE = XEN_NETIF_GSO_TYPE_NONE,
    NETIF_GSO_TCPV4 = XEN_NETIF_GSO_TYPE_TCPV4,
    NETIF_GSO_TCPV6 = XEN_NETIF_GSO_TYPE_TCPV6
};

/** Offload metadata carried with a packet in either direction. */
struct netif_offload {
    uint16_t flags;    /**< enum netif_offload_flag bits */
    uint16_t gso_size; /**< MSS, when NETIF_OFF_GSO */
    uint8_t gso_type;  /**< enum netif_gso_type, when NETIF_OFF_GSO */
};

/* ---- the other keys of the handshake ----------------------------------- */

/** Frontend keys (under the frontend's device path). */
#define NETIF_KEY_TX_RING_REF "tx-ring-ref"
#define NETIF_KEY_RX_RING_REF "rx-ring-ref"
#define NETIF_KEY_EVTCHN "event-channel"
#define NETIF_KEY_EVTCHN_TX "event-channel-tx"
#define NETIF_KEY_EVTCHN_RX "event-channel-rx"
#define NETIF_KEY_NUM_QUEUES "multi-queue-num-queues"
/** The directory of queue N's keys when there is more than one queue. */
#define NETIF_KEY_QUEUE_FMT "queue-%u"

/** Toolstack key (frontend directory): the vif's MAC address, exactly
 *  "xx:xx:xx:xx:xx:xx" in hex digits of either case. */
#define NETIF_KEY_MAC "mac"
/** The length of that value, without its NUL. */
#define NETIF_MAC_LEN 17u

/**
 * Parse a NETIF_KEY_MAC value.
 * @return true with @mac set, or false (@mac untouched) if @s is not
 *         exactly six pairs of hex digits joined by colons.
 */
static inline bool netif_mac_parse(const char *s, uint8_t mac[6])
{
    uint8_t m[6];
    unsigned i, j;

    for (i = 0; i < 6; i++) {
        int d[2];

        for (j = 0; j < 2; j++) {
            char c = s[3 * i + j];

            d[j] = c >= '0' && c <= '9'   ? c - '0'
                   : c >= 'a' && c <= 'f' ? c - 'a' + 10
                   : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                          : -1;
            if (d[j] < 0)
                return false;
        }
        if (s[3 * i + 2] != (i == 5 ? '\0' : ':'))
            return false;
        m[i] = (uint8_t)(d[0] << 4 | d[1]);
    }
    for (i = 0; i < 6; i++)
        mac[i] = m[i];
    return true;
}

/** Backend keys: the most queues it takes, split event channels. */
#define NETIF_KEY_MAX_QUEUES "multi-queue-max-queues"
#define NETIF_KEY_SPLIT_EVTCHN "feature-split-event-channels"
/** The most queues either end of the protocol uses (as Linux netfront). */
#define NETIF_QUEUES_MAX 8u
/** Toolstack key (frontend directory; xvnet's, not Xen's): the queues
 *  the domain's frontend sets up (a vif's queues=), absent for one. */
#define NETIF_KEY_FE_QUEUES "queues"
/** Toolstack key (frontend directory; xvnet's): the CPUs a process
 *  domain's queue threads run on, decimal numbers separated by spaces,
 *  queue i on the (i mod count)th (a vif's cpus=); absent: not placed. */
#define NETIF_KEY_FE_CPUS "cpus"

/**
 * Backend key (under the backend's device path): the carrier of the link
 * the vif is on, "1" up or "0" down, rewritten on every change
 * (docs/netif.md section 5, "Link state").  A frontend that finds no such
 * key takes the link to be up.
 */
#define NETIF_KEY_CARRIER "carrier"

#ifdef __cplusplus
}
#endif

#endif /* NETIF_NETIF_H */
