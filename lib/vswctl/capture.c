/* SPDX-License-Identifier: MIT */
/* The capture ring reader (vswctl/capture.h).  No DPDK. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <linux/netlink.h>

#include "vswctl/capture.h"
#include "vswctl/ctl.h"
#include "xvm/fdpass.h"

int vsw_cap_reader_init(struct vsw_cap_reader *r, int conn, int memfd,
                        int evfd)
{
    struct vsw_cap_shm hdr;
    struct stat st;
    void *map;
    int seals;

    *r = (struct vsw_cap_reader){.conn = conn, .memfd = memfd, .evfd = evfd};
    if (fstat(memfd, &st) < 0)
        return -errno;
    /* A ring that could shrink under the mapping would fault the reader. */
    seals = fcntl(memfd, F_GET_SEALS);
    if (seals < 0 || !(seals & F_SEAL_SHRINK))
        return -EPROTO;
    if ((size_t)st.st_size < VSW_CAP_DATA_OFF ||
        pread(memfd, &hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr) ||
        hdr.magic != VSW_CAP_MAGIC || hdr.version != VSW_CAP_VERSION ||
        hdr.size < VSW_CAP_RING_MIN || hdr.size > VSW_CAP_RING_MAX ||
        (hdr.size & (hdr.size - 1)) || hdr.snaplen == 0 ||
        hdr.snaplen > VSW_CAP_SNAPLEN_MAX ||
        (size_t)st.st_size != VSW_CAP_DATA_OFF + (size_t)hdr.size)
        return -EPROTO;
    r->rec = malloc(sizeof(*r->rec) + hdr.snaplen);
    if (!r->rec)
        return -ENOMEM;
    map = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED,
               memfd, 0);
    if (map == MAP_FAILED) {
        free(r->rec);
        r->rec = NULL;
        return -errno;
    }
    r->shm = map;
    r->data = (uint8_t *)map + VSW_CAP_DATA_OFF;
    r->map_len = (size_t)st.st_size;
    r->size = hdr.size;
    r->snaplen = hdr.snaplen;
    r->pos = __atomic_load_n(&r->shm->tail, __ATOMIC_ACQUIRE);
    return 0;
}

void vsw_cap_reader_fini(struct vsw_cap_reader *r)
{
    if (r->shm)
        munmap(r->shm, r->map_len);
    r->shm = NULL;
    free(r->rec);
    r->rec = NULL;
    if (r->conn >= 0)
        close(r->conn);
    if (r->memfd >= 0)
        close(r->memfd);
    if (r->evfd >= 0)
        close(r->evfd);
    r->conn = r->memfd = r->evfd = -1;
}

/*
 * Copy the record at @off into r->rec and check it, given @avail bytes
 * published after it.  The record's length, then (for a frame) the rest of
 * its header, then the frame are each copied once; every check is made on
 * the copy.  @return 0, or -EPROTO.
 */
static int rec_copy(struct vsw_cap_reader *r, uint32_t off, uint64_t avail)
{
    const size_t fixed = offsetof(struct vsw_cap_rec, caplen);
    struct vsw_cap_rec *h = r->rec;
    const uint8_t *src = r->data + off;

    if (avail > r->size || (off & 7))
        return -EPROTO;
    memcpy(h, src, fixed); /* len, type, dir */
    if (h->len < 8 || (h->len & 7) || h->len > r->size - off ||
        h->len > avail)
        return -EPROTO;
    if (h->type != VSW_CAP_REC_FRAME)
        return 0;
    if (h->len < sizeof(*h))
        return -EPROTO;
    memcpy((uint8_t *)h + fixed, src + fixed, sizeof(*h) - fixed);
    if (h->caplen > h->len - sizeof(*h) || h->caplen > r->snaplen)
        return -EPROTO;
    memcpy(h->data, src + sizeof(*h), h->caplen);
    return 0;
}

const struct vsw_cap_rec *vsw_cap_reader_next(struct vsw_cap_reader *r,
                                              int *err)
{
    *err = 0;
    for (;;) {
        uint64_t head = __atomic_load_n(&r->shm->head, __ATOMIC_ACQUIRE);
        uint32_t off = (uint32_t)r->pos & (r->size - 1);

        if (head == r->pos)
            return NULL;
        /* vswitchd is trusted, but a reader should not crash on a bug. */
        *err = rec_copy(r, off, head - r->pos);
        if (*err < 0)
            return NULL;
        r->pos += r->rec->len;
        if (r->rec->type == VSW_CAP_REC_FRAME)
            return r->rec;
    }
}

void vsw_cap_reader_done(struct vsw_cap_reader *r)
{
    __atomic_store_n(&r->shm->tail, r->pos, __ATOMIC_RELEASE);
}

static bool has_data(const struct vsw_cap_reader *r)
{
    return __atomic_load_n(&r->shm->head, __ATOMIC_ACQUIRE) != r->pos;
}

/* Read the connection: vswitchd never sends on it, so anything is EOF. */
static void conn_check(struct vsw_cap_reader *r, short revents)
{
    char b;

    if (revents & (POLLHUP | POLLERR))
        r->hup = 1;
    else if ((revents & POLLIN) && recv(r->conn, &b, 1, MSG_DONTWAIT) <= 0)
        r->hup = 1;
}

int vsw_cap_reader_wait(struct vsw_cap_reader *r, int timeout_ms)
{
    struct pollfd pfd[2];
    uint64_t v;
    int n, rc;

    if (has_data(r))
        return 1;
    __atomic_store_n(&r->shm->waiting, 1, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (has_data(r)) {
        __atomic_store_n(&r->shm->waiting, 0, __ATOMIC_RELAXED);
        return 1;
    }
    if (__atomic_load_n(&r->shm->ended, __ATOMIC_ACQUIRE) || r->hup)
        return -EPIPE;
    pfd[0] = (struct pollfd){.fd = r->evfd, .events = POLLIN};
    pfd[1] = (struct pollfd){.fd = r->conn, .events = POLLIN};
    n = r->conn >= 0 ? 2 : 1;
    rc = poll(pfd, (nfds_t)n, timeout_ms);
    __atomic_store_n(&r->shm->waiting, 0, __ATOMIC_RELAXED);
    if (rc < 0)
        return -errno;
    if (pfd[0].revents & POLLIN) {
        if (read(r->evfd, &v, sizeof(v)) < 0) {
            /* EAGAIN: another wake-up consumed it */
        }
    }
    if (n == 2 && pfd[1].revents)
        conn_check(r, pfd[1].revents);
    if (has_data(r))
        return 1;
    if (__atomic_load_n(&r->shm->ended, __ATOMIC_ACQUIRE) || r->hup)
        return -EPIPE;
    return 0;
}

uint64_t vsw_cap_reader_drops(const struct vsw_cap_reader *r)
{
    return __atomic_load_n(&r->shm->drops, __ATOMIC_RELAXED);
}

int vsw_cap_reader_end(const struct vsw_cap_reader *r)
{
    uint32_t e = __atomic_load_n(&r->shm->ended, __ATOMIC_ACQUIRE);

    if (e)
        return (int)e;
    return r->hup ? -1 : VSW_CAP_END_NONE;
}
