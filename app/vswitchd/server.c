/* SPDX-License-Identifier: MIT */
/* vswitchd's control socket (server.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_lcore.h>

#include "server.h"
#include "capture_ctl.h"
#include "vswctl/ctl.h"
#include "xvm/fdpass.h"

#define MAX_CLIENTS 32

struct server {
    struct sockaddr_un sa;
    int lfd;
    int stopfd;
    struct vsw_mgr *m;
    struct vsw_switch *sw;
    struct server_hook *hook; /* NULL: none */
    pthread_t tid;
    int nclients;
    int clients[MAX_CLIENTS];
    _Alignas(8) char buf[VSW_CTL_BUFSIZ];
};

static int mkdir_parent(const char *path)
{
    char copy[PATH_MAX];

    if (strlen(path) >= sizeof(copy))
        return -ENAMETOOLONG;
    strcpy(copy, path);
    if (mkdir(dirname(copy), 0755) < 0 && errno != EEXIST)
        return -errno;
    return 0;
}

/* Socket bound and listening at @sa, mode 0600, or -errno. */
static int listen_at(const struct sockaddr_un *sa)
{
    int fd, probe, rc;

    rc = mkdir_parent(sa->sun_path);
    if (rc < 0)
        return rc;
    /* A socket file left by a dead vswitchd refuses connections. */
    probe = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (probe < 0)
        return -errno;
    rc = connect(probe, (const struct sockaddr *)sa, sizeof(*sa));
    close(probe);
    if (rc == 0)
        return -EADDRINUSE;
    unlink(sa->sun_path);
    fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    /* Not connectable before listen(), so chmod in between leaves no
     * window in which a non-root peer could connect. */
    if (bind(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0 ||
        chmod(sa->sun_path, 0600) < 0 || listen(fd, 16) < 0) {
        rc = -errno;
        close(fd);
        return rc;
    }
    return fd;
}

static void client_accept(struct server *s)
{
    struct ucred cr;
    socklen_t len = sizeof(cr);
    int fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC);

    if (fd < 0)
        return;
    /* The file mode already keeps others out; check anyway. */
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0 ||
        (cr.uid != 0 && cr.uid != geteuid()) ||
        s->nclients == MAX_CLIENTS) {
        close(fd);
        return;
    }
    s->clients[s->nclients++] = fd;
}

static int client_send(void *arg, const void *buf, size_t len)
{
    int fd = *(int *)arg;

    if (send(fd, buf, len, MSG_NOSIGNAL) < 0)
        return -errno;
    return 0;
}

/* Serve one datagram; @return false when the client is gone. */
static bool client_serve(struct server *s, int fd)
{
    const struct nlmsghdr *nlh = (const struct nlmsghdr *)s->buf;
    int fds[2];
    unsigned nfds = 0, i;
    ssize_t n = xvm_fd_recv(fd, s->buf, sizeof(s->buf), fds, 2, &nfds);

    if (n == -EAGAIN || n == -EINTR)
        return true;
    if (n <= 0)
        return false;
    if ((size_t)n >= sizeof(*nlh) && nlh->nlmsg_type == VSW_CMD_CAPTURE) {
        for (i = 0; i < nfds; i++)
            close(fds[i]);
        capture_ctl_serve(s->sw, fd, s->buf, (size_t)n);
        return true;
    }
    for (i = 0; i < nfds; i++)
        close(fds[i]);
    vsw_mgr_handle(s->m, s->buf, (size_t)n, client_send, &fd);
    /* A new polled port must not wait for the end of a long sleep. */
    vsw_switch_wake(s->sw);
    return true;
}

static void *server_main(void *arg)
{
    struct server *s = arg;
    struct pollfd pfd[MAX_CLIENTS + 3];

    if (s->hook)
        s->hook->run(s->hook->arg);
    for (;;) {
        int i, n = s->nclients;

        pfd[0] = (struct pollfd){.fd = s->stopfd, .events = POLLIN};
        pfd[1] = (struct pollfd){.fd = s->lfd, .events = POLLIN};
        for (i = 0; i < n; i++)
            pfd[i + 2] = (struct pollfd){.fd = s->clients[i], .events = POLLIN};
        pfd[n + 2] = (struct pollfd){.fd = s->hook ? s->hook->fd : -1,
                                     .events = POLLIN};
        if (poll(pfd, (nfds_t)n + 3, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (pfd[0].revents)
            break;
        for (i = n - 1; i >= 0; i--) {
            if (!pfd[i + 2].revents || client_serve(s, s->clients[i]))
                continue;
            capture_ctl_gone(s->clients[i]);
            close(s->clients[i]);
            s->clients[i] = s->clients[--s->nclients];
        }
        if (pfd[1].revents)
            client_accept(s);
        if (pfd[n + 2].revents)
            s->hook->run(s->hook->arg);
    }
    return NULL;
}

struct server *server_start(const char *path, struct vsw_mgr *m,
                            struct vsw_switch *sw, struct server_hook *hook)
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
    s->hook = hook;
    s->sa.sun_family = AF_UNIX;
    strcpy(s->sa.sun_path, path);
    s->lfd = listen_at(&s->sa);
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
    capture_ctl_stop();
    for (i = 0; i < s->nclients; i++)
        close(s->clients[i]);
    close(s->stopfd);
    close(s->lfd);
    unlink(s->sa.sun_path);
    free(s);
}
