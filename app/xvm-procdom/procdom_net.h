/* SPDX-License-Identifier: MIT */
/*
 * procdom_net.h - the netif frontends of a process domain (xvm-procdom).
 *
 * One frontend per directory under the domain's device/vif/: the xenbus
 * handshake (libxnf's xnf_xenbus) on the domain's xenstore connection,
 * and per netif queue (the toolstack's queues key, as many as the backend
 * takes) a libxnf device in the domain's memory, an event channel
 * brokered by xvmd over the guest channel, and a queue of the TAP device
 * eth<N> in the domain's network namespace (the one this process lives
 * in; multi-queue when the vif has more than one) pumped by libxnftap on
 * a thread of its own.
 *
 * Memory layout (grant refs and frames): the grant table at frames
 * XVM_GNTTAB_GFN .. + XVM_GNTTAB_FRAMES, then every queue of every vif
 * (in directory order) one after the other: PD_Q_FRAMES frames each
 * (PD_GENS pairs of ring pages, then one page per TX id and per RX slot)
 * and PD_Q_GREFS refs each from ref 8.  A vif gets as many of its queues
 * as fit (one at least).
 * Each connection ("generation") g uses ring-page pair g and the refs
 * from gref_base + 2g, so ring grants a vanished backend still holds
 * (GTF_reading/GTF_writing that only a hypervisor could clear) are never
 * reused.
 *
 * Thread: everything here runs on the main thread; only the pumps run on
 * their own threads, and the main thread stops a pump before it touches
 * that vif's device.
 */
#ifndef XVMD_PROCDOM_NET_H
#define XVMD_PROCDOM_NET_H

struct xvm_mem;

/** Called once the domain's network interfaces exist (pd_net_run()). */
typedef void pd_net_ready_fn(void *arg);

/**
 * Run the domain's frontends until @sig (a signalfd for SIGTERM/SIGINT)
 * fires or xvmd closes the guest channel @chan, then close them (Closing,
 * and Closed once the backend follows or after a short wait) and remove
 * the TAP devices.  @xs_fd is the domain's xenstore connection (taken
 * over, closed on return).  Vifs that cannot be set up are logged
 * (procdom_log.h) and left alone; without a usable xenstore connection
 * the domain runs on with no network until told to stop.
 * @ready (unless NULL) is called once, with @arg, when every vif that
 * runs has connected once (its eth<N> exists), or after PD_READY_MS if
 * some have not (they are named in the log), or at once when there is
 * no network to wait for.
 * @return 0, or -errno if @xs_fd could not be taken over.
 */
int pd_net_run(struct xvm_mem *mem, int xs_fd, int chan, int sig,
               pd_net_ready_fn *ready, void *arg);

#endif /* XVMD_PROCDOM_NET_H */
