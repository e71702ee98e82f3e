/* SPDX-License-Identifier: MIT */
/*
 * minios: the grant table and event channels over the monitor's
 * interface (kvm/abi.h).  No interrupts: the monitor sets a port's bit in
 * the shared page when its doorbell rang, and the guest looks at the bits
 * after each block.
 */
#ifndef MINIOS_EVTCHN_H
#define MINIOS_EVTCHN_H

#include <stdbool.h>
#include <stdint.h>

#include "xvm/xen.h"

/** Name the grant table and the shared page to the monitor; 0 or <0. */
int pv_init(void);

/** The grant table and its entries. */
grant_entry_v1_t *gnttab_table(void);
uint32_t gnttab_entries(void);

/** A new port toward @remote, or a negative errno. */
int evtchn_alloc_unbound(domid_t remote);

/** Notify the peer of @port: its doorbell (kvm/abi.h). */
void evtchn_send(uint32_t port);

/** Doorbells rung so far. */
uint64_t evtchn_sends(void);

/** Take @port's pending bit: true if it was set. */
bool evtchn_take(uint32_t port);

/** Wait up to @ns for an event (or xenstore bytes). */
void evtchn_block(uint64_t ns);

#endif /* MINIOS_EVTCHN_H */
