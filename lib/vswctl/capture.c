/* SPDX-License-Identifier: MIT */
/* The capture request and the ring reader (vsw/capture.h).  No DPDK. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
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

struct cap_req_msg {
    struct nlmsghdr nlh;
    struct vsw_cap_req req;
};

struct cap_rep_msg {
    struct nlmsghdr nlh;
    struct vsw_cap_rep rep;
};

int vsw_cap_request(const char *sock, const struct vsw_cap_req *req,
                    struct vsw_cap_rep *rep, int *conn, int *memfd,
                    int *evfd)
{
    struct cap_req_msg *m = calloc(1, sizeof(*m));
    struct cap_rep_msg r;
    int fds[2] = {-1, -1}, fd, rc;
    unsigned nfds = 0, i;
    ssize_t n;

    memset(rep, 0, sizeof(*rep));
    *conn = *memfd = *evfd = -1;
    if (!m) {
        snprintf(rep->err, sizeof(rep->err), "%s", strerror(ENOMEM));
        return rep->status = -ENOMEM;
    }
    fd = xvm_unix_connect(sock ? sock : VSW_CTL_SOCK, SOCK_SEQPACKET,
                          XVM_CALL_TIMEOUT_MS);
    if (fd < 0) {
        snprintf(rep->err, sizeof(rep->err), "cannot reach vswitchd at %s: %s",
                 sock ? sock : VSW_CTL_SOCK, strerror(-fd));
        free(m);
        return rep->status = fd;
    }
    m->nlh.nlmsg_len = sizeof(*m);
    m->nlh.nlmsg_type = VSW_CMD_CAPTURE;
    m->nlh.nlmsg_flags = NLM_F_REQUEST;
    m->nlh.nlmsg_seq = 1;
    m->req = *req;
    m->req.name[sizeof(m->req.name) - 1] = '\0';
    m->req.filter[sizeof(m->req.filter) - 1] = '\0';
    n = xvm_fd_send(fd, m, sizeof(*m), NULL, 0);
    free(m);
    if (n == (ssize_t)sizeof(*m))
        n = xvm_fd_recv(fd, &r, sizeof(r), fds, 2, &nfds);
    if (n != (ssize_t)sizeof(r) || r.nlh.nlmsg_type != VSW_CMD_CAPTURE) {
        rc = n < 0 ? (int)n : -EPROTO;
        snprintf(rep->err, sizeof(rep->err), "no answer from vswitchd: %s",
                 strerror(-rc));
        goto fail;
    }
    *rep = r.rep;
    rep->err[sizeof(rep->err) - 1] = '\0';
    rc = rep->status;
    if (rc == 0 && nfds != 2) {
        rc = -EPROTO;
        snprintf(rep->err, sizeof(rep->err), "vswitchd sent no ring");
    }
    if (rc < 0)
        goto fail;
    *conn = fd;
    *memfd = fds[0];
    *evfd = fds[1];
    return 0;

fail:
    for (i = 0; i < nfds; i++)
        close(fds[i]);
    close(fd);
    return rep->status = rc;
}

int vsw_cap_reader_init(struct vsw_cap_reader *r, int conn, int memfd,
                        int evfd)
{
    struct vsw_cap_shm hdr;
    struct stat st;
    void *map;

    *r = (struct vsw_cap_reader){.conn = conn, .memfd = memfd, .evfd = evfd};
    if (fstat(memfd, &st) < 0)
        return -errno;
    if ((size_t)st.st_size < VSW_CAP_DATA_OFF ||
        pread(memfd, &hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr) ||
        hdr.magic != VSW_CAP_MAGIC || hdr.version != VSW_CAP_VERSION ||
        hdr.size == 0 || (hdr.size & (hdr.size - 1)) ||
        (size_t)st.st_size != VSW_CAP_DATA_OFF + (size_t)hdr.size)
        return -EPROTO;
    map = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED,
               memfd, 0);
    if (map == MAP_FAILED)
        return -errno;
    r->shm = map;
    r->data = (uint8_t *)map + VSW_CAP_DATA_OFF;
    r->map_len = (size_t)st.st_size;
    r->pos = __atomic_load_n(&r->shm->tail, __ATOMIC_ACQUIRE);
    return 0;
}

void vsw_cap_reader_fini(struct vsw_cap_reader *r)
{
    if (r->shm)
        munmap(r->shm, r->map_len);
    r->shm = NULL;
    if (r->conn >= 0)
        close(r->conn);
    if (r->memfd >= 0)
        close(r->memfd);
    if (r->evfd >= 0)
        close(r->evfd);
    r->conn = r->memfd = r->evfd = -1;
}

const struct vsw_cap_rec *vsw_cap_reader_next(struct vsw_cap_reader *r,
                                              int *err)
{
    uint32_t size = r->shm->size, mask = size - 1;

    *err = 0;
    for (;;) {
        uint64_t head = __atomic_load_n(&r->shm->head, __ATOMIC_ACQUIRE);
        uint32_t off = (uint32_t)r->pos & mask;
        const struct vsw_cap_rec *rec;

        if (head == r->pos)
            return NULL;
        rec = (const struct vsw_cap_rec *)(r->data + off);
        /* vswitchd is trusted, but a reader should not crash on a bug. */
        if (head - r->pos > size || rec->len < 8 || (rec->len & 7) ||
            rec->len > size - off || rec->len > head - r->pos ||
            (rec->type == VSW_CAP_REC_FRAME &&
             (rec->len < sizeof(*rec) ||
              rec->caplen > rec->len - sizeof(*rec)))) {
            *err = -EPROTO;
            return NULL;
        }
        r->pos += rec->len;
        if (rec->type == VSW_CAP_REC_FRAME)
            return rec;
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
