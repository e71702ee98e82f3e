/* SPDX-License-Identifier: MIT */
/* vswitchd's control socket (server.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_lcore.h>

#include "server.h"
#include "vswctl/ctl.h"
#include "xvm/ctlmsg.h"
#include "xvm/daemon.h"
#include "xvm/fdpass.h"
#include "xvm/log.h"

#define MAX_CLIENTS 32
/* Read-only clients may hold this many of the slots: root always finds
 * one free. */
#define MAX_RO_CLIENTS (MAX_CLIENTS - 8)
/* How long a reply to a read-only client may wait for it to read. */
#define RO_SEND_TIMEOUT_MS 2000

struct client {
    int fd;
    bool ro;       /* a member of the group, not root: reads only */
    bool send_err; /* a reply could not be sent: drop it */
    struct ucred cred;
};

struct server {
    struct sockaddr_un sa;
    int lfd;
    int stopfd;
    gid_t gid; /* the read-only group; (gid_t)-1: none */
    struct vsw_mgr *m;
    struct vsw_switch *sw;
    struct vsw_mgr_vifs *vifs; /* guest vifs from xenstore; NULL: none */
    pthread_t tid;
    int nclients, nro;
    struct client clients[MAX_CLIENTS];
    _Alignas(8) char buf[VSW_CTL_BUFSIZ];
};

static void client_accept(struct server *s)
{
    struct xvm_peer_verdict v = {.gid = s->gid};
    struct timeval tv = {.tv_sec = RO_SEND_TIMEOUT_MS / 1000,
                         .tv_usec = RO_SEND_TIMEOUT_MS % 1000 * 1000};
    int fd = xvm_unix_accept(s->lfd, 0, xvm_peer_reader_check, &v);

    if (fd < 0)
        return;
    if (s->nclients == MAX_CLIENTS || (v.ro && s->nro == MAX_RO_CLIENTS)) {
        close(fd);
        return;
    }
    /* A reader that does not read its replies must not hold up the
     * control thread. */
    if (v.ro && setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0) {
        close(fd);
        return;
    }
    s->clients[s->nclients++] = (struct client){.fd = fd, .ro = v.ro,
                                                .cred = v.cred};
    s->nro += v.ro;
}

static int client_send(void *arg, const void *buf, size_t len,
                       const int *fds, unsigned nfds)
{
    struct client *c = arg;
    ssize_t n = xvm_fd_send(c->fd, buf, len, fds, nfds);

    if (n < 0)
        c->send_err = true;
    return n < 0 ? (int)n : 0;
}

static const char *cmd_name(uint16_t cmd)
{
    static const char *const names[VSW_CMD__END] = {
        [VSW_CMD_LINK_CREATE] = "LINK_CREATE",
        [VSW_CMD_LINK_DELETE] = "LINK_DELETE",
        [VSW_CMD_LINK_GET] = "LINK_GET",
        [VSW_CMD_VNIC_CREATE] = "VNIC_CREATE",
        [VSW_CMD_VNIC_DELETE] = "VNIC_DELETE",
        [VSW_CMD_VNIC_MODIFY] = "VNIC_MODIFY",
        [VSW_CMD_VNIC_GET] = "VNIC_GET",
        [VSW_CMD_STATS_GET] = "STATS_GET",
        [VSW_CMD_LINK_RENAME] = "LINK_RENAME",
        [VSW_CMD_CAPTURE] = "CAPTURE",
    };

    return cmd < VSW_CMD__END && names[cmd] ? names[cmd] : "unknown";
}

/* A read-only client asked for a change: say so in the log, through one
 * limit for them all, so that no client floods it. */
static void readonly_refusal_log(const struct client *c, const void *req,
                                 size_t len)
{
    static struct xvm_log_limit limit;
    const struct nlmsghdr *nlh = req;
    int rest = (int)len;

    for (; xvm_msg_ok(nlh, rest); nlh = mnl_nlmsg_next(nlh, &rest))
        if ((nlh->nlmsg_flags & NLM_F_REQUEST) &&
            !vsw_mgr_cmd_readonly(nlh->nlmsg_type))
            break;
    if (!xvm_msg_ok(nlh, rest))
        return;
    xvm_log_limited(&limit, XVM_LOG_WARNING,
                    "refused %s (command %u) of uid %u (pid %d): a member of "
                    "the read-only group, not root",
                    cmd_name(nlh->nlmsg_type), (unsigned)nlh->nlmsg_type,
                    (unsigned)c->cred.uid, (int)c->cred.pid);
}

/* Serve one datagram; @return false when the client is gone. */
static bool client_serve(struct server *s, struct client *c)
{
    int fds[2];
    unsigned nfds = 0, i;
    ssize_t n = xvm_fd_recv(c->fd, s->buf, sizeof(s->buf), fds, 2, &nfds);

    if (n == -EAGAIN || n == -EINTR)
        return true;
    if (n <= 0)
        return false;
    /* No request carries descriptors. */
    for (i = 0; i < nfds; i++)
        close(fds[i]);
    if (c->ro)
        readonly_refusal_log(c, s->buf, (size_t)n);
    vsw_mgr_handle(s->m, (uint64_t)c->fd, c->ro ? VSW_MGR_READONLY : 0,
                   s->buf, (size_t)n, client_send, c);
    /* A new polled port must not wait for the end of a long sleep. */
    vsw_switch_wake(s->sw);
    if (c->send_err && c->ro)
        xvm_log_warn("dropped the read-only client of uid %u (pid %d): it "
                     "left a reply unread for %d ms", (unsigned)c->cred.uid,
                     (int)c->cred.pid, RO_SEND_TIMEOUT_MS);
    return !c->send_err;
}

static void *server_main(void *arg)
{
    struct server *s = arg;
    struct pollfd pfd[MAX_CLIENTS + 4];

    if (s->vifs)
        vsw_mgr_vifs_run(s->vifs);
    for (;;) {
        int i, n = s->nclients, timeout, rc;

        pfd[0] = (struct pollfd){.fd = s->stopfd, .events = POLLIN};
        pfd[1] = (struct pollfd){.fd = s->lfd, .events = POLLIN};
        for (i = 0; i < n; i++)
            pfd[i + 2] = (struct pollfd){.fd = s->clients[i].fd,
                                         .events = POLLIN};
        pfd[n + 2] = (struct pollfd){.fd = s->vifs ? vsw_mgr_vifs_fd(s->vifs)
                                                   : -1,
                                     .events = POLLIN};
        pfd[n + 3] = (struct pollfd){.fd = vsw_mgr_hostnic_fd(s->m),
                                     .events = POLLIN};
        /* While xenstore is lost, wake up for the next reconnection. */
        timeout = s->vifs ? vsw_mgr_vifs_timeout(s->vifs) : -1;
        rc = poll(pfd, (nfds_t)n + 4, timeout);
        if (rc < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (rc == 0) {
            vsw_mgr_vifs_run(s->vifs);
            continue;
        }
        if (pfd[0].revents)
            break;
        /* Host NICs first: a request then sees what they are now. */
        if (pfd[n + 3].revents) {
            vsw_mgr_hostnic_run(s->m);
            vsw_switch_wake(s->sw);
        }
        for (i = n - 1; i >= 0; i--) {
            if (!pfd[i + 2].revents || client_serve(s, &s->clients[i]))
                continue;
            vsw_mgr_conn_gone(s->m, (uint64_t)s->clients[i].fd);
            close(s->clients[i].fd);
            s->nro -= s->clients[i].ro;
            s->clients[i] = s->clients[--s->nclients];
        }
        if (pfd[1].revents)
            client_accept(s);
        if (pfd[n + 2].revents)
            vsw_mgr_vifs_run(s->vifs);
    }
    return NULL;
}

struct server *server_start(const char *path, gid_t gid, struct vsw_mgr *m,
                            struct vsw_switch *sw, struct vsw_mgr_vifs *vifs)
{
    struct server *s;
    int rc;

    if (strlen(path) >= sizeof(s->sa.sun_path)) {
        errno = ENAMETOOLONG;
        return NULL;
    }
    s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->m = m;
    s->sw = sw;
    s->vifs = vifs;
    s->sa.sun_family = AF_UNIX;
    strcpy(s->sa.sun_path, path);
    s->gid = gid;
    s->lfd = xvm_unix_listen_group(path, SOCK_SEQPACKET,
                                   gid == (gid_t)-1 ? 0600 : 0660, gid);
    if (s->lfd < 0) {
        rc = -s->lfd;
        goto free_s;
    }
    s->stopfd = eventfd(0, EFD_CLOEXEC);
    if (s->stopfd < 0) {
        rc = errno;
        goto close_lfd;
    }
    rc = rte_ctrl_thread_create(&s->tid, "vsw-ctl", NULL, server_main, s);
    if (rc != 0) {
        rc = rc < 0 ? -rc : rc;
        goto close_stop;
    }
    return s;

close_stop:
    close(s->stopfd);
close_lfd:
    close(s->lfd);
    unlink(s->sa.sun_path);
free_s:
    free(s);
    errno = rc;
    return NULL;
}

void server_stop(struct server *s)
{
    uint64_t one = 1;
    int i;

    if (!s)
        return;
    if (write(s->stopfd, &one, sizeof(one)) == sizeof(one))
        pthread_join(s->tid, NULL);
    for (i = 0; i < s->nclients; i++) {
        vsw_mgr_conn_gone(s->m, (uint64_t)s->clients[i].fd);
        close(s->clients[i].fd);
    }
    close(s->stopfd);
    close(s->lfd);
    unlink(s->sa.sun_path);
    free(s);
}
