/* SPDX-License-Identifier: MIT */
/* A libxst server on a thread; see xsd.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "xsd.h"
#include "xst/xenstore.h"
#include "xvm/fdpass.h"

struct xsd {
    struct xst_server *srv;
    pthread_t thread;
    int ctl[2]; /* [0] the test's end, [1] the server thread's */
    char dir[64];
    char path[128];
};

/* Control messages: "A" + domid with an fd attached, or "Q". */
struct ctl_msg {
    char op;
    uint16_t domid;
};

static void ctl_handle(struct xsd *d, bool *quit)
{
    struct ctl_msg m;
    unsigned nfds = 0;
    int fd = -1, r;
    ssize_t n = xvm_fd_recv(d->ctl[1], &m, sizeof(m), &fd, 1, &nfds);

    if (n != (ssize_t)sizeof(m) || m.op == 'Q') {
        *quit = true;
        return;
    }
    r = nfds == 1 ? xst_server_add_conn(d->srv, fd, m.domid) : -EBADF;
    if (r < 0 && nfds == 1)
        close(fd);
    /* Answer so the test knows the connection is bound. */
    if (write(d->ctl[1], &r, sizeof(r)) != sizeof(r))
        *quit = true;
}

static void *xsd_main(void *arg)
{
    struct xsd *d = arg;
    bool quit = false;

    while (!quit) {
        struct pollfd p[2] = {{.fd = xst_server_fd(d->srv), .events = POLLIN},
                              {.fd = d->ctl[1], .events = POLLIN}};

        if (poll(p, 2, 1000) < 0 && errno != EINTR)
            break;
        if (p[1].revents)
            ctl_handle(d, &quit);
        while (xst_server_dispatch(d->srv, 0) > 0)
            ;
    }
    return NULL;
}

struct xsd *xsd_start(void)
{
    struct xsd *d = calloc(1, sizeof(*d));

    if (!d)
        return NULL;
    snprintf(d->dir, sizeof(d->dir), "/tmp/xvnet-xb.XXXXXX");
    if (!mkdtemp(d->dir))
        goto free_d;
    snprintf(d->path, sizeof(d->path), "%s/xs.sock", d->dir);
    d->srv = xst_server_create(d->path, NULL);
    if (!d->srv)
        goto rm_dir;
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, d->ctl) < 0)
        goto destroy_srv;
    if (pthread_create(&d->thread, NULL, xsd_main, d) != 0)
        goto close_ctl;
    return d;

close_ctl:
    close(d->ctl[0]);
    close(d->ctl[1]);
destroy_srv:
    xst_server_destroy(d->srv);
rm_dir:
    rmdir(d->dir);
free_d:
    perror("xsd_start");
    free(d);
    return NULL;
}

void xsd_stop(struct xsd *d)
{
    struct ctl_msg m = {.op = 'Q'};

    if (!d)
        return;
    if (send(d->ctl[0], &m, sizeof(m), MSG_NOSIGNAL) != sizeof(m))
        perror("xsd_stop");
    pthread_join(d->thread, NULL);
    close(d->ctl[0]);
    close(d->ctl[1]);
    xst_server_destroy(d->srv);
    unlink(d->path);
    rmdir(d->dir);
    free(d);
}

const char *xsd_path(const struct xsd *d)
{
    return d->path;
}

struct xvm_xs *xsd_connect(struct xsd *d, uint16_t domid)
{
    struct ctl_msg m = {.op = 'A', .domid = domid};
    struct xvm_xs *xs;
    int sv[2], r = -1;

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        return NULL;
    if (xvm_fd_send(d->ctl[0], &m, sizeof(m), &sv[1], 1) !=
            (ssize_t)sizeof(m) ||
        read(d->ctl[0], &r, sizeof(r)) != sizeof(r) || r < 0) {
        fprintf(stderr, "xsd_connect: %d\n", r);
        close(sv[0]);
        close(sv[1]);
        return NULL;
    }
    close(sv[1]); /* the server has its own copy now */
    xs = xvm_xs_adopt(sv[0]);
    if (!xs)
        close(sv[0]);
    return xs;
}

int xsd_make_home(struct xvm_xs *dom0, uint16_t domid)
{
    struct xvm_xs_perm perm = {.domid = domid, .perm = XVM_XS_PERM_NONE};
    char p[64];
    int r;

    snprintf(p, sizeof(p), "/local/domain/%u", domid);
    r = xvm_xs_mkdir(dom0, XVM_XS_NO_TX, p);
    return r < 0 ? r : xvm_xs_set_perms(dom0, XVM_XS_NO_TX, p, &perm, 1);
}
