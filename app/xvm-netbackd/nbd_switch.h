/* SPDX-License-Identifier: MIT */
/*
 * nbd_switch.h - a small MAC switch between libnetback vifs, used by
 * xvm-netbackd (and the procdom test switch) until guests attach to
 * vswitchd's VNICs.
 *
 * Each port is one connected vif with the MAC the toolstack gave its
 * guest.  A frame a guest transmits goes to the port whose MAC is its
 * destination; broadcast and multicast go to every other port; unknown
 * unicast is dropped and counted on the sending port.  There is no
 * learning: guests have known MACs.  Offload metadata (partial checksum,
 * GSO type and size) passes through untouched, so a large segment one
 * guest sends reaches the other as one.
 *
 * Buffers come from one pool of NBD_SW_BUF_LEN-byte buffers shared by all
 * ports; a buffer is referenced by every port queue it waits in.  When the
 * pool is empty, a sending vif stalls (nb_io_ops.tx_buf_get returns 0): the
 * guest is slowed, nothing is lost.  A port whose guest does not post RX
 * buffers holds at most NBD_SW_QUEUE_MAX frames; more are dropped and
 * counted (drop_qfull), so one stuck guest cannot starve the others.
 *
 * Usage: nbd_port_add() a port, create the vif with nbd_switch_io_ops and
 * the port as ops_arg, nbd_port_attach() it; nbd_switch_poll() in the
 * loop; nbd_switch_sleep_ms() before sleeping; nbd_port_remove() before
 * nb_vif_destroy().
 *
 * Threads: everything runs on one thread (the poll loop), including the
 * nb_io_ops callbacks and the disabled() hook.
 */
#ifndef NBD_SWITCH_H
#define NBD_SWITCH_H

#include <stdbool.h>
#include <stdint.h>

#include "netback/netback.h"

/** Ports one switch holds at most. */
#define NBD_SW_PORTS_MAX 64u
/** Bytes per pool buffer: the largest netif frame fits. */
#define NBD_SW_BUF_LEN 65536u
/** Frames one port's queue holds at most. */
#define NBD_SW_QUEUE_MAX 128u

struct nbd_switch;
struct nbd_port;

/** Counters of one port.  "tx" is what its guest sent, "rx" received. */
struct nbd_port_stats {
    uint64_t tx_pkts, tx_bytes;
    uint64_t tx_gso;        /**< of which large segments */
    uint64_t tx_csum_blank; /**< of which with a partial checksum */
    uint64_t tx_max_len;    /**< longest frame sent */
    uint64_t rx_pkts, rx_bytes;
    uint64_t rx_gso;        /**< large segments delivered */
    uint64_t drop_unknown;  /**< sent to a unicast MAC of no port */
    uint64_t drop_qfull;    /**< for this guest, its queue was full */
};

/** The owner's hooks; may be NULL. */
struct nbd_switch_ops {
    /**
     * @port's vif was found disabled (nb_vif_disabled() != NONE): it is no
     * longer polled and its queue was dropped.  The owner may stop waiting
     * on its event channel; it still removes the port and destroys the vif.
     */
    void (*disabled)(void *arg, struct nbd_port *port, enum nb_fatal why);
};

/** The nb_io_ops to create a port's vif with (ops_arg = the port). */
extern const struct nb_io_ops nbd_switch_io_ops;

/**
 * Create a switch with a pool of @nbufs buffers (1 .. 4096).
 * @return the switch, or NULL with errno (EINVAL, ENOMEM).
 */
struct nbd_switch *nbd_switch_create(unsigned nbufs,
                                     const struct nbd_switch_ops *ops,
                                     void *arg);

/** Remove every port and free the switch.  Accepts NULL. */
void nbd_switch_destroy(struct nbd_switch *sw);

/**
 * Add a port for a guest with unicast MAC @mac, not yet switching.  @name
 * (copied, cut at 31 bytes) is for logs and stats.
 * @return the port, or NULL with errno (EINVAL multicast MAC, ENOSPC full,
 *         ENOMEM).
 */
struct nbd_port *nbd_port_add(struct nbd_switch *sw, const char *name,
                              const uint8_t mac[6]);

/** Start switching to and from @vif (created with this port as ops_arg). */
void nbd_port_attach(struct nbd_port *p, struct nb_vif *vif);

/** Stop switching, drop the frames queued for the guest, free the port
 *  (before nb_vif_destroy() of its vif).  Accepts NULL. */
void nbd_port_remove(struct nbd_port *p);

/**
 * One pass over every attached port: guest transmit (switching what it
 * sent), then guest receive (what waits in its queue).  A vif found
 * disabled is detached and reported through ops->disabled.
 * @return packets moved (0: nothing to do).
 */
unsigned nbd_switch_poll(struct nbd_switch *sw);

/**
 * Before sleeping: arm every vif's event and re-check
 * (nb_vif_tx_final_check()), and look for frames a guest now has room for.
 * @return 0 if there is work (poll again), -1 to sleep until an event, or
 *         the milliseconds after which a credit-stalled vif may send again.
 */
int nbd_switch_sleep_ms(struct nbd_switch *sw);

/** Copy the port's counters. */
void nbd_port_stats_get(const struct nbd_port *p, struct nbd_port_stats *st);

/** The name, MAC and vif (NULL until attached). */
const char *nbd_port_name(const struct nbd_port *p);
const uint8_t *nbd_port_mac(const struct nbd_port *p);
struct nb_vif *nbd_port_vif(const struct nbd_port *p);

/** True while the port is attached and its vif healthy. */
bool nbd_port_alive(const struct nbd_port *p);

/** Call @fn for every port, in the order they were added. */
void nbd_switch_foreach(struct nbd_switch *sw,
                        void (*fn)(void *arg, struct nbd_port *p), void *arg);

#endif /* NBD_SWITCH_H */
