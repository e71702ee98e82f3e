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
#include <sys/un.h>
#include <unistd.h>

#include <rte_lcore.h>

#include "server.h"
#include "vswctl/ctl.h"
#include "xvm/daemon.h"
#include "xvm/fdpass.h"

#define MAX_CLIENTS 32

struct server {
    struct sockaddr_un sa;
    int lfd;
    int stopfd;
    struct vsw_mgr *m;
    struct vsw_switch *sw;
    struct vsw_mgr_vifs *vifs; /* guest vifs from xenstore; NULL: none */
    pthread_t tid;
    int nclients;
    int clients[MAX_CLIENTS];
    _Alignas(8) char buf[VSW_CTL_BUFSIZ];
};

static void client_accept(struct server *s)
{
    int fd = xvm_unix_accept(s->lfd, 0, NULL, NULL);

    if (fd >= 0 && s->nclients == MAX_CLIENTS) {
        close(fd);
        return;
    }
    if (fd >= 0)
        s->clients[s->nclients++] = fd;
}

static int client_send(void *arg, const void *buf, size_t len,
                       const int *fds, unsigned nfds)
{
    int fd = *(int *)arg;
    ssize_t n = xvm_fd_send(fd, buf, len, fds, nfds);

    return n < 0 ? (int)n : 0;
}

/* Serve one datagram; @return false when the client is gone. */
static bool client_serve(struct server *s, int fd)
{
    int fds[2];
    unsigned nfds = 0, i;
    ssize_t n = xvm_fd_recv(fd, s->buf, sizeof(s->buf), fds, 2, &nfds);

    if (n == -EAGAIN || n == -EINTR)
        return true;
    if (n <= 0)
        return false;
    /* No request carries descriptors. */
    for (i = 0; i < nfds; i++)
        close(fds[i]);
    vsw_mgr_handle(s->m, (uint64_t)fd, s->buf, (size_t)n, client_send, &fd);
    /* A new polled port must not wait for the end of a long sleep. */
    vsw_switch_wake(s->sw);
    return true;
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
            pfd[i + 2] = (struct pollfd){.fd = s->clients[i], .events = POLLIN};
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
            if (!pfd[i + 2].revents || client_serve(s, s->clients[i]))
                continue;
            vsw_mgr_conn_gone(s->m, (uint64_t)s->clients[i]);
            close(s->clients[i]);
            s->clients[i] = s->clients[--s->nclients];
        }
        if (pfd[1].revents)
            client_accept(s);
        if (pfd[n + 2].revents)
            vsw_mgr_vifs_run(s->vifs);
    }
    return NULL;
}

struct server *server_start(const char *path, struct vsw_mgr *m,
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
    s->lfd = xvm_unix_listen(path, SOCK_SEQPACKET, 0600);
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
        vsw_mgr_conn_gone(s->m, (uint64_t)s->clients[i]);
        close(s->clients[i]);
    }
    close(s->stopfd);
    close(s->lfd);
    unlink(s->sa.sun_path);
    free(s);
}
