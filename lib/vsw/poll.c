/* SPDX-License-Identifier: MIT */
/*
 * The fast-path loop pieces: one polling iteration of a worker, and the
 * sleep an idle worker falls back to.
 *
 * Ports come in two kinds (vsw/port.h).  Polled ports (ethdevs) are read on
 * every iteration from the worker's published poll set.  fd ports (TAPs,
 * vifs) sit in the worker's epoll set, level-triggered, and are read only
 * when readable, so thousands of idle TAP VNICs cost nothing; one that
 * gave frames is read at every iteration until it gives none (the active
 * list).  Each worker reads only the ports of the endpoints it owns.
 *
 * A TAP VNIC out of maxbw credit is "stalled": its fd is disabled in epoll
 * (the kernel queues what the client sends, so the client is slowed, not
 * policed) and it goes on a list its worker keeps.  A VNIC whose receive
 * credit ran out has frames queued and is on the backlog list.  These
 * lists outlive an iteration, unlike every other reference the fast path
 * holds, so:
 *  - a VNIC being destroyed or moved to another worker is marked dying
 *    (vsw_ep.dying), and the control thread waits
 *    two grace periods: the first makes every later iteration see the mark,
 *    the second makes sure one such iteration has unlinked it;
 *  - this thread never goes RCU-offline while a list is non-empty (it
 *    sleeps online, briefly, until the earliest credit returns).
 * The active list (fd ports read without epoll) outlives an iteration
 * too: an endpoint on it whose port is unpublished (a link going, a VNIC
 * detached) or that is dying leaves it at the next iteration, within the
 * same two grace periods, and a sleep empties it before going offline.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>

#include "switch_pvt.h"
#include "xvm/probe.h"

/* The fast path woke from a sleep (bench/fptrace.sh). */
XVM_PROBE_DEFINE(vsw_wake);

#define EVENTS_MAX 64
/* How long the fd ports may go unlooked-at after a look that found none
 * readable, while polled ports keep the worker busy: a system call every
 * iteration cost a busy worker up to a tenth of its cycles.  A frame on
 * an fd port waits this much (and the rest of an iteration) longer at
 * most. */
#define FD_LOOK_GAP_US 5

uint64_t vsw_fd_look_gap(uint64_t tsc_hz)
{
    return tsc_hz / 1000000 * FD_LOOK_GAP_US;
}

/* Longest sleep while a VNIC waits for credit (we stay RCU-online). */
#define STALL_SLEEP_MAX_US 1000
/* Sleep while a congested wire has frames queued (prio.c). */
#define EGRESS_RETRY_US 20

static void wakefd_drain(struct vsw_worker *w)
{
    uint64_t v;

    if (read(w->wakefd, &v, sizeof(v)) < 0) {
        /* EAGAIN: already drained. */
    }
}

/* Stop reading @ep's fd for @wait cycles. */
static void stall(struct vsw_worker *w, struct vsw_ep *ep,
                  struct vsw_port *port, uint64_t now, uint64_t wait)
{
    struct epoll_event ev = {.events = 0, .data.ptr = ep};

    if (ep->stalled)
        return;
    if (epoll_ctl(w->epfd, EPOLL_CTL_MOD, port->rx_fd, &ev) < 0)
        return; /* being detached: nothing to wait for */
    ep->stalled = true;
    ep->stall_until = now + wait;
    ep->next_stalled = w->stalled;
    w->stalled = ep;
}

/* Re-enable the fds of stalled endpoints whose wait is over (all if
 * @all). */
static void unstall(struct vsw_worker *w, uint64_t now, bool all)
{
    struct vsw_ep **pp = &w->stalled, *ep;

    while ((ep = *pp) != NULL) {
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = ep};
        struct vsw_port *port;

        if (!vsw_load_acq(&ep->dying) && !all && now < ep->stall_until) {
            pp = &ep->next_stalled;
            continue;
        }
        *pp = ep->next_stalled;
        ep->next_stalled = NULL;
        ep->stalled = false;
        port = vsw_load_acq(&ep->port);
        if (!vsw_load_acq(&ep->dying) && port && port->rx_fd >= 0)
            epoll_ctl(w->epfd, EPOLL_CTL_MOD, port->rx_fd, &ev);
    }
}

/* Leave a port alone for as long as it asks (credit, broken vif). */
static void holdoff(struct vsw_worker *w, struct vsw_ep *ep,
                    struct vsw_port *port, uint64_t now)
{
    uint32_t lost = 0;
    uint64_t ns = port->ops->rx_holdoff(port, &lost);

    ep->stats->drops[VSW_DROP_VIF_ERROR] += lost;
    if (ns)
        stall(w, ep, port, now,
              (uint64_t)((unsigned __int128)ns * w->sw->tsc_hz / 1000000000u) +
                  1);
}

void vsw_fp_unstall_all(struct vsw_worker *w)
{
    unstall(w, 0, true);
}

/* Read one burst from @port and switch it.  @return frames read. */
static unsigned ep_rx(struct vsw_worker *w, struct vsw_ep *ep,
                      struct vsw_port *port, uint64_t now)
{
    struct rte_mbuf *pkts[VSW_BURST];
    struct vsw_vnic *v = NULL;
    uint16_t budget = VSW_BURST, n;
    /* The VNIC's policer, for a port that does not slow its client
     * itself (its queues' ports do: a vif's). */
    bool policed = ep->is_vnic && !ep->qv &&
                   !(port->flags & VSW_PORT_F_TX_RATE);

    if (ep->is_vnic)
        v = vsw_ep_vnic(ep);
    if (policed) {
        budget = vsw_vnic_tx_budget(v, VSW_BURST, now);
        if (budget == 0) {
            const struct vsw_tb_cfg *c = vsw_load_acq(&v->tbcfg);

            if (port->rx_fd >= 0 && c)
                stall(w, ep, port, now, vsw_tb_wait(&v->tx_tb, c));
            v->tx_tb.waiting = true;
            return 0;
        }
    }
    n = port->ops->rx(port, pkts, budget);
    if (policed && n < budget)
        v->tx_tb.waiting = false; /* the port had no more to give */
    if (v && port->ops->rx_holdoff && port->rx_fd >= 0)
        holdoff(w, ep, port, now);
    if (n == 0)
        return 0;
    if (v)
        vsw_vnic_input_from(w, v, ep, pkts, n, now);
    else
        vsw_link_input(container_of(ep, struct vsw_link, ep), pkts, n, now);
    return n;
}

/* Whether @ep may be read without asking epoll: a live port with an fd
 * that is not held off (a stalled VNIC's fd is out of epoll on purpose). */
static bool ep_readable(const struct vsw_ep *ep, const struct vsw_port *port)
{
    return port && port->rx_fd >= 0 && !vsw_load_acq(&ep->dying) &&
           !ep->stalled;
}

/* Read @w's active fd ports; one that gives nothing leaves the list (its
 * fd tells epoll when it has more). */
static unsigned active_rx(struct vsw_worker *w, uint64_t now)
{
    unsigned i, k = 0, total = 0;

    for (i = 0; i < w->nactive; i++) {
        struct vsw_ep *ep = w->active[i];
        struct vsw_port *port = vsw_load_acq(&ep->port);
        unsigned n = ep_readable(ep, port) ? ep_rx(w, ep, port, now) : 0;

        total += n;
        if (n && ep_readable(ep, port))
            w->active[k++] = ep;
        else
            ep->active = false;
    }
    w->nactive = k;
    return total;
}

void vsw_fp_ep_let_go(struct vsw_worker *w, struct vsw_ep *ep)
{
    struct vsw_ep **pp;
    unsigned i;

    for (i = 0; i < w->nactive; i++) {
        if (w->active[i] == ep) {
            w->active[i] = w->active[--w->nactive];
            break;
        }
    }
    ep->active = false;
    for (pp = &w->stalled; *pp; pp = &(*pp)->next_stalled) {
        if (*pp == ep) {
            *pp = ep->next_stalled;
            break;
        }
    }
    ep->next_stalled = NULL;
    ep->stalled = false;
}

static void active_clear(struct vsw_worker *w)
{
    while (w->nactive)
        w->active[--w->nactive]->active = false;
}

unsigned vsw_switch_poll(struct vsw_switch *sw, unsigned worker)
{
    struct vsw_worker *w = sw->w[worker];
    uint64_t now = rte_rdtsc();
    const struct vsw_pollset *ps;
    unsigned total = 0;
    uint32_t i;

    if (sw->nw > 1)
        total += vsw_handoff_run(w, now);
    /*
     * fd ports: those that gave frames at their last read are read again
     * without a system call (as NAPI keeps polling a device that had
     * work); epoll is asked for the others every FD_LOOK_GAP_US, or at
     * the next iteration when its last answer did not all fit.  An edge
     * a sleep would need is consumed here only for a port that is then
     * read in this same iteration.
     */
    if (w->nactive)
        total += active_rx(w, now);
    if (vsw_load_acq(&w->nfdports) > 0 &&
        (w->fd_more || now - w->fd_looked >= sw->fd_look_gap)) {
        struct epoll_event evs[EVENTS_MAX];
        int k = epoll_wait(w->epfd, evs, EVENTS_MAX, 0);

        w->fd_looked = now;
        w->fd_more = k == EVENTS_MAX;

        for (i = 0; k > 0 && i < (uint32_t)k; i++) {
            struct vsw_ep *ep = evs[i].data.ptr;
            struct vsw_port *port;
            unsigned n;

            if (!ep) {
                wakefd_drain(w);
                continue;
            }
            port = vsw_load_acq(&ep->port);
            if (!port || port->rx_fd < 0 || ep->active)
                continue;
            if ((evs[i].events & (EPOLLERR | EPOLLHUP)) && ep->is_vnic) {
                /* A broken attachment (its TAP interface deleted): look
                 * again later rather than spin on it. */
                stall(w, ep, port, now, sw->tsc_hz / 10);
                continue;
            }
            n = ep_rx(w, ep, port, now);
            total += n;
            if (!n || !ep_readable(ep, port))
                continue;
            if (w->nactive < VSW_ACTIVE_MAX) {
                ep->active = true;
                w->active[w->nactive++] = ep;
            } else {
                w->fd_more = true;
            }
        }
    }
    ps = vsw_load_acq(&w->pollset);
    for (i = 0; i < ps->n; i++) {
        struct vsw_port *port = vsw_load_acq(&ps->ep[i]->port);

        if (port)
            total += ep_rx(w, ps->ep[i], port, now);
    }
    if (w->stalled)
        unstall(w, now, false);
    vsw_worker_flush(w, now);
    if (w->running)
        rte_rcu_qsbr_quiescent(sw->qsbr, worker);
    return total;
}

/* Arm every polled port's wake-up; @return false if one cannot wake us. */
static bool ports_arm(const struct vsw_pollset *ps)
{
    bool all = true;
    uint32_t i;

    for (i = 0; i < ps->n; i++) {
        struct vsw_port *port = vsw_load_acq(&ps->ep[i]->port);

        if (!port)
            continue;
        if (port->wake_fd < 0 || !port->ops->sleep_arm ||
            port->ops->sleep_arm(port) < 0)
            all = false;
    }
    return all;
}

static void ports_disarm(const struct vsw_pollset *ps)
{
    uint32_t i;

    for (i = 0; i < ps->n; i++) {
        struct vsw_port *port = vsw_load_acq(&ps->ep[i]->port);

        if (port && port->wake_fd >= 0 && port->ops->sleep_disarm)
            port->ops->sleep_disarm(port);
    }
}

/* Wait on @w's epoll set; frames handed to it end the wait (handoff.c
 * wakes a worker it sees sleeping). */
static int wait_us(struct vsw_worker *w, uint64_t us)
{
    struct epoll_event evs[EVENTS_MAX];
    struct timespec ts = {.tv_sec = (time_t)(us / 1000000),
                          .tv_nsec = (long)(us % 1000000) * 1000};
    int k, i, rc = 0;

    __atomic_store_n(&w->sleeping, true, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (w->sw->nw > 1 && vsw_handoff_pending(w))
        goto out;
    k = epoll_pwait2(w->epfd, evs, EVENTS_MAX, &ts, NULL);
    if (k < 0) {
        rc = -errno;
        goto out;
    }
    for (i = 0; i < k; i++)
        if (!evs[i].data.ptr)
            wakefd_drain(w);
out:
    __atomic_store_n(&w->sleeping, false, __ATOMIC_RELAXED);
    return rc;
}

/* TSC at which the first stalled endpoint or backlogged VNIC may go on. */
static uint64_t credit_due(const struct vsw_worker *w)
{
    uint64_t first = UINT64_MAX;
    const struct vsw_vnic *v;
    const struct vsw_ep *ep;

    for (ep = w->stalled; ep; ep = ep->next_stalled)
        if (ep->stall_until < first)
            first = ep->stall_until;
    for (v = w->backlog; v; v = v->next_backlog) {
        const struct vsw_tb_cfg *c = vsw_load_acq(&v->tbcfg);
        uint64_t due = c ? v->rx_tb.last + vsw_tb_wait(&v->rx_tb, c) : 0;

        if (due < first)
            first = due;
    }
    return first;
}

int vsw_switch_sleep(struct vsw_switch *sw, unsigned worker, unsigned max_us,
                     unsigned nowake_us)
{
    struct vsw_worker *w = sw->w[worker];
    uint64_t us = max_us;
    int rc;

    if (w->dirty) {
        /* A congested wire holds frames (prio.c): retry soon, online. */
        return wait_us(w, us < EGRESS_RETRY_US ? us : EGRESS_RETRY_US);
    }
    if (w->stalled || w->backlog) {
        uint64_t now = rte_rdtsc(), first = credit_due(w);

        if (first <= now)
            return 0;
        if ((first - now) * 1000000 / sw->tsc_hz + 1 < us)
            us = (first - now) * 1000000 / sw->tsc_hz + 1;
        if (us > STALL_SLEEP_MAX_US)
            us = STALL_SLEEP_MAX_US;
        return wait_us(w, us);
    }
    if (!ports_arm(vsw_load_acq(&w->pollset)) && nowake_us < us)
        us = nowake_us;
    /* Asleep, every fd port is epoll's again; offline, the list may not
     * hold an endpoint that goes away meanwhile. */
    active_clear(w);
    if (w->running)
        rte_rcu_qsbr_thread_offline(sw->qsbr, worker);
    rc = wait_us(w, us);
    XVM_PROBE_NUM(vsw_wake, us);
    if (w->running)
        rte_rcu_qsbr_thread_online(sw->qsbr, worker);
    /* Re-read: the set we armed may have been freed while we slept. */
    ports_disarm(vsw_load_acq(&w->pollset));
    return rc;
}
