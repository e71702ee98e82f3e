/* SPDX-License-Identifier: MIT */
/*
 * pump.c - move frames between the TAP device and the netif rings.
 *
 * One thread, one epoll set: the TAP fd (readable: the guest sent), the
 * event channel (the backend answered or delivered; two with split
 * channels, either waking the whole pass) and the caller's stop fd.  While there is work the loop does not sleep; when a pass finds
 * nothing it asks xnf_final_check() to arm the ring event indices and
 * re-check, and only then sleeps, so a notification that raced with the
 * last pass cannot be lost.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/uio.h>
#include <unistd.h>

#include "xnftap_pvt.h"

enum { EV_TAP = 1, EV_EVTCHN, EV_EVTCHN_RX, EV_STOP };

/* Read frames from the TAP device until the batch is done, the device is
 * empty, or the TX ring is full. */
static unsigned tx_pass(struct xnftap *t)
{
    struct virtio_net_hdr *h = (struct virtio_net_hdr *)t->txbuf;
    unsigned char *frame = t->txbuf + XNFTAP_VNET_HDR_LEN;
    unsigned n = 0;
    bool fresh;
    ssize_t r;
    int rc;

    while (n < XNFTAP_BATCH) {
        fresh = !t->pend;
        if (fresh) {
            r = read(t->fd, t->txbuf, XNFTAP_BUF);
            if (r < 0) {
                if (errno == EINTR)
                    continue;
                if (errno != EAGAIN)
                    t->err = -errno; /* the device is gone: stop */
                break;
            }
            if (r <= (ssize_t)XNFTAP_VNET_HDR_LEN) {
                t->st.tx_bad_hdr++;
                continue;
            }
            t->pend_len = (uint32_t)r - XNFTAP_VNET_HDR_LEN;
            rc = xnftap_hdr_to_offload(h, frame, t->pend_len, t->be,
                                       &t->pend_off);
            if (rc < 0) {
                t->st.tx_bad_hdr++;
                continue;
            }
            t->st.tx_csum_sw += rc == XNFTAP_CSUM_DONE;
            t->pend = true;
        }
        rc = xnf_send(t->xnf, frame, t->pend_len, &t->pend_off);
        if (rc == -EAGAIN) {
            t->st.tx_ring_full += fresh;
            break; /* keep the frame; xnf_send already reaped what it could */
        }
        t->pend = false;
        if (rc < 0) {
            t->st.tx_send_err++;
            continue;
        }
        t->st.tx_frames++;
        t->st.tx_bytes += t->pend_len;
        t->st.tx_gso += (t->pend_off.flags & NETIF_OFF_GSO) != 0;
        t->st.tx_csum_blank += (t->pend_off.flags & NETIF_OFF_CSUM_BLANK) != 0;
        n++;
    }
    if (n)
        xnf_flush(t->xnf);
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

int xnftap_run(struct xnftap *t, int stop_fd)
{
    struct epoll_event ev[4];
    unsigned busy = 0;
    int rc, n, timeout;

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
        rc = tap_arm(t, !t->pend);
        if (rc < 0)
            break;
        /* Busy: look at the stop fd now and then, without sleeping. */
        if (work && ++busy % 16)
            continue;
        timeout = work || xnf_final_check(t->xnf) ? 0 : -1;
        n = epoll_wait(t->ep, ev, 4, timeout);
        if (n < 0 && errno != EINTR) {
            rc = -errno;
            break;
        }
        if (timeout < 0 && n > 0)
            t->st.wakeups++;
        if (n > 0 && events_handle(t, ev, n)) {
            rc = 0;
            break;
        }
    }
    epoll_ctl(t->ep, EPOLL_CTL_DEL, stop_fd, NULL);
    return rc;
}
