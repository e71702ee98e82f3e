/* SPDX-License-Identifier: MIT */
/*
 * pump.c - move frames between the TAP device and the netif rings.
 *
 * One thread, one epoll set: the TAP fd (readable: the guest sent), the
 * event channel (the backend answered or delivered; two with split
 * channels, either waking the whole pass) and the caller's stop fd.
 * While there is work the loop does not sleep; for XNFTAP_SPIN_NS after the last
 * work it goes on looking (within a tenth of its time, spin_pvt.h),
 * yielding the CPU at each empty pass (an answer
 * to what it just sent is often that close: a ping's reply through the
 * switch and the other guest, which otherwise waits for a wake-up), with
 * the ring events left unarmed so the backend need not notify.  Then it
 * asks xnf_final_check() to arm the ring event indices and re-check, and
 * only then sleeps, so a notification that raced with the last pass
 * cannot be lost.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "spin_pvt.h"
#include "xnftap_pvt.h"
#include "xvm/probe.h"

/* The path of a frame through the pump (bench/fptrace.sh): read from the
 * TAP device, the TX ring's requests about to be pushed (the backend
 * notified after, if it asked), taken from the RX ring, written to the TAP device; and the
 * end of a sleep. */
XVM_PROBE_DEFINE(pump_tap_read);
XVM_PROBE_DEFINE(pump_tx_push);
XVM_PROBE_DEFINE(pump_rx);
XVM_PROBE_DEFINE(pump_tap_write);
XVM_PROBE_DEFINE(pump_wake);

enum { EV_TAP = 1, EV_EVTCHN, EV_EVTCHN_RX, EV_STOP };


/*
 * A frame whose offload header asks for a checksum netif cannot carry,
 * across TX pages: gather it, finish the checksum and send it by copy.
 * @return 0; -EPROTO for a header that does not check out (counted
 * here); xnf_send()'s error.
 */
static int tx_gather(struct xnftap *t, const struct virtio_net_hdr *h,
                     void *const *pg, uint32_t len, struct netif_offload *off)
{
    uint32_t at, chunk;
    int rc;

    for (at = 0; at < len; at += chunk) {
        chunk = len - at < 4096u ? len - at : 4096u;
        memcpy(t->txbuf + at, pg[at / 4096u], chunk);
    }
    rc = xnftap_hdr_to_offload(h, t->txbuf, len, len, t->be, off);
    if (rc < 0) {
        t->st.tx_bad_hdr++;
        return -EPROTO;
    }
    t->st.tx_csum_sw += rc == XNFTAP_CSUM_DONE;
    return xnf_send(t->xnf, t->txbuf, len, off);
}

/*
 * Read frames from the TAP device straight into TX pages (no copy of
 * ours) until the batch is done, the device is empty, or the TX ring has
 * no room for the largest frame.  A last byte past the pages catches a
 * frame too large for them (the device would cut it).
 */
static unsigned tx_pass(struct xnftap *t)
{
    struct virtio_net_hdr h;
    struct iovec iov[2 + XNFTAP_TX_PAGES];
    void *pg[XNFTAP_TX_PAGES];
    unsigned maxp = (t->be & NETIF_F_SG) ? XNFTAP_TX_PAGES : 1u;
    unsigned n = 0, np, k;
    struct netif_offload off;
    unsigned char over;
    uint32_t len;
    ssize_t r;
    int rc;

    while (n < XNFTAP_BATCH) {
        np = xnf_tx_pages(t->xnf, pg, maxp);
        if (np == 0) {
            t->st.tx_ring_full += !t->tx_full; /* each time it fills */
            t->tx_full = true;
            break;
        }
        t->tx_full = false;
        iov[0] = (struct iovec){&h, XNFTAP_VNET_HDR_LEN};
        for (k = 0; k < np; k++)
            iov[1 + k] = (struct iovec){pg[k], 4096u};
        iov[1 + np] = (struct iovec){&over, 1};
        r = readv(t->fd, iov, (int)(2 + np));
        if (r < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN)
                t->err = -errno; /* the device is gone: stop */
            break;
        }
        if (r <= (ssize_t)XNFTAP_VNET_HDR_LEN ||
            r > (ssize_t)(XNFTAP_VNET_HDR_LEN + np * 4096u)) {
            t->st.tx_bad_hdr++;
            continue;
        }
        len = (uint32_t)r - XNFTAP_VNET_HDR_LEN;
        XVM_PROBE_FRAME(pump_tap_read, pg[0], len < 4096u ? len : 4096u);
        rc = xnftap_hdr_to_offload(&h, pg[0], 4096u, len, t->be, &off);
        if (rc == -EAGAIN)
            rc = tx_gather(t, &h, pg, len, &off);
        else if (rc >= 0) {
            t->st.tx_csum_sw += rc == XNFTAP_CSUM_DONE;
            rc = xnf_send_inplace(t->xnf, len, &off);
        } else {
            t->st.tx_bad_hdr++;
            continue;
        }
        if (rc < 0) {
            t->st.tx_send_err += rc != -EPROTO;
            continue;
        }
        t->st.tx_frames++;
        t->st.tx_bytes += len;
        t->st.tx_gso += (off.flags & NETIF_OFF_GSO) != 0;
        t->st.tx_csum_blank += (off.flags & NETIF_OFF_CSUM_BLANK) != 0;
        n++;
    }
    if (n) {
        /* before the push: the backend may take the frames at once */
        XVM_PROBE_NUM(pump_tx_push, n);
        xnf_flush(t->xnf);
    }
    return n;
}

/* A frame whose first piece is shorter than this (and than the frame)
 * is gathered into rxbuf, so that its headers are in one piece. */
#define RX_HDR_MAX 256u

/*
 * Write received frames to the TAP device, header in front, straight
 * from the RX pages (one writev, no copy of ours); the pages are given
 * back once the kernel has copied them.
 */
static unsigned rx_pass(struct xnftap *t)
{
    struct virtio_net_hdr h;
    struct iovec iov[1 + NETIF_MAX_SLOTS_PER_PKT];
    struct xnf_frag fr[NETIF_MAX_SLOTS_PER_PKT];
    struct netif_offload off;
    unsigned n = 0, nf, i;
    ssize_t w;
    int len;

    while (n < XNFTAP_BATCH) {
        len = xnf_recv_frags(t->xnf, fr, &nf, &off);
        if (len <= 0)
            break;
        n++;
        iov[0] = (struct iovec){&h, XNFTAP_VNET_HDR_LEN};
        if (fr[0].len < (uint32_t)len && fr[0].len < RX_HDR_MAX) {
            /* Headers may straddle pieces: gather the frame. */
            unsigned char *p = t->rxbuf;

            for (i = 0; i < nf; i++) {
                memcpy(p, fr[i].base, fr[i].len);
                p += fr[i].len;
            }
            fr[0] = (struct xnf_frag){t->rxbuf, (uint32_t)len};
            nf = 1;
        }
        XVM_PROBE_FRAME(pump_rx, fr[0].base, fr[0].len);
        for (i = 0; i < nf; i++)
            iov[1 + i] = (struct iovec){fr[i].base, fr[i].len};
        if (xnftap_offload_to_hdr(&off, fr[0].base, fr[0].len, (uint32_t)len,
                                  &h) < 0) {
            t->st.rx_bad_offload++;
            xnf_recv_release(t->xnf);
            continue;
        }
        do
            w = writev(t->fd, iov, (int)(1 + nf));
        while (w < 0 && errno == EINTR);
        XVM_PROBE_FRAME(pump_tap_write, fr[0].base, fr[0].len);
        xnf_recv_release(t->xnf);
        if (w < 0) {
            t->st.rx_write_err++;
            continue;
        }
        t->st.rx_frames++;
        t->st.rx_bytes += (uint32_t)len;
        t->st.rx_gso += h.gso_type != VIRTIO_NET_HDR_GSO_NONE;
        t->st.rx_csum_blank += (h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) != 0;
    }
    return n;
}

/* Listen to the TAP device only while a frame read now could be sent. */
static int tap_arm(struct xnftap *t, bool on)
{
    struct epoll_event ev = {.events = on ? EPOLLIN : 0, .data.u32 = EV_TAP};

    if (t->tap_armed == on)
        return 0;
    if (epoll_ctl(t->ep, EPOLL_CTL_MOD, t->fd, &ev) < 0)
        return -errno;
    t->tap_armed = on;
    return 0;
}

static int epoll_setup(struct xnftap *t, int stop_fd)
{
    struct epoll_event ev = {.events = EPOLLIN};

    if (t->ep < 0) {
        t->ep = epoll_create1(EPOLL_CLOEXEC);
        if (t->ep < 0)
            return -errno;
        ev.data.u32 = EV_TAP;
        if (epoll_ctl(t->ep, EPOLL_CTL_ADD, t->fd, &ev) < 0)
            return -errno;
        ev.data.u32 = EV_EVTCHN;
        if (epoll_ctl(t->ep, EPOLL_CTL_ADD, xvm_evtchn_fd(t->ec, t->port),
                      &ev) < 0)
            return -errno;
        ev.data.u32 = EV_EVTCHN_RX;
        if (t->port_rx &&
            epoll_ctl(t->ep, EPOLL_CTL_ADD, xvm_evtchn_fd(t->ec, t->port_rx),
                      &ev) < 0)
            return -errno;
        t->tap_armed = true;
    }
    ev.data.u32 = EV_STOP;
    if (epoll_ctl(t->ep, EPOLL_CTL_ADD, stop_fd, &ev) < 0)
        return -errno;
    return 0;
}

/* Handle what epoll reported; 1 when asked to stop. */
static int events_handle(struct xnftap *t, const struct epoll_event *ev, int n)
{
    int i, stop = 0;

    for (i = 0; i < n; i++) {
        if (ev[i].data.u32 == EV_STOP)
            stop = 1;
        else if (ev[i].data.u32 == EV_EVTCHN)
            xvm_evtchn_consume(t->ec, t->port);
        else if (ev[i].data.u32 == EV_EVTCHN_RX)
            xvm_evtchn_consume(t->ec, t->port_rx);
    }
    return stop;
}

static uint64_t mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int xnftap_run(struct xnftap *t, int stop_fd)
{
    struct epoll_event ev[4];
    unsigned busy = 0;
    int rc, n, timeout;
    uint64_t t0 = mono_ns();
    struct xnftap_spin sp = {.prev = t0, .last = t0, .credit = XNFTAP_SPIN_NS};

    rc = epoll_setup(t, stop_fd);
    if (rc < 0)
        return rc;
    for (;;) {
        unsigned work;

        xnf_poll(t->xnf);
        work = tx_pass(t) + rx_pass(t);
        if (xnf_broken(t->xnf) || t->err) {
            rc = t->err ? t->err : -EIO;
            break;
        }
        rc = tap_arm(t, !t->tx_full);
        if (rc < 0)
            break;
        if (xnftap_spin_more(&sp, work != 0, mono_ns())) {
            sched_yield(); /* to the other guest or the switch, if waiting */
            work = 1;
        }
        /* Busy: look at the stop fd now and then, without sleeping. */
        if (work && ++busy % 16)
            continue;
        timeout = work || xnf_final_check(t->xnf) ? 0 : -1;
        n = epoll_wait(t->ep, ev, 4, timeout);
        if (n < 0 && errno != EINTR) {
            rc = -errno;
            break;
        }
        if (timeout < 0 && n > 0) {
            t->st.wakeups++;
            XVM_PROBE_NUM(pump_wake, n);
        }
        if (n > 0 && events_handle(t, ev, n)) {
            rc = 0;
            break;
        }
    }
    epoll_ctl(t->ep, EPOLL_CTL_DEL, stop_fd, NULL);
    return rc;
}
