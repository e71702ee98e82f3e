/* SPDX-License-Identifier: MIT */
/*
 * hostile_guest - a guest that breaks the rules, run by xvmd in place of
 * xvm-procdom (xvmd -p), and a daemon that never answers.
 *
 *   hostile_guest -n NETNS_DIR NAME   (as xvmd starts a guest, channel on
 *                                      fd 3; what it does depends on NAME)
 *   hostile_guest --silent PATH       (listen on a SOCK_SEQPACKET socket at
 *                                      PATH, take connections, say nothing)
 *
 * By the prefix of NAME, once started (the "mem" message taken, "ok"
 * sent):
 *   mute...  sends requests on its guest channel and never reads a reply;
 *   hog...   asks for event channels toward dom0 until refused, keeps
 *            them, and writes "<ports> <errno>" to $HOSTILE_DIR/NAME;
 *   swap...  puts in place of the memory it was given to keep for the
 *            next xvmd (fd 7) a memfd of its own under the same name and
 *            size, not sealed (a next xvmd must not take it over);
 *   xs...    on its xenstore connection, tries to remove its home and its
 *            dom0 keys, to change its name, and to write where a guest
 *            writes, and writes "<what>=<errno> ..." to $HOSTILE_DIR/NAME;
 *   flood... writes its data/flood<2000 zeros> key $FLOOD_WRITES times
 *            (default 20000), 500 requests at a time before it reads a
 *            reply, each a 2 KiB watch event for dom0, then keys under data/ until its
 *            quota refuses,
 *            and writes "<writes> <keys> <errno>" to $HOSTILE_DIR/NAME;
 *   other    does nothing.
 * Then it waits to be killed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/mman.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <xen/io/xs_wire.h>

#include "xs/xs.h"
#include "xvm/fdpass.h"
#include "xvmdctl/proto.h"

#define CHAN 3

/* What "mem" brought: the domain's memory and its xenstore connection. */
static int given[2] = {-1, -1};

static int start(void)
{
    char buf[16];
    unsigned n = 0;

    int self;

    if (xvm_fd_recv(CHAN, buf, sizeof(buf), given, 2, &n) != 3 || n != 2)
        return -1;
    /* "ok" comes with a pidfd of the domain's init: this process plays
     * the whole domain. */
    self = (int)syscall(SYS_pidfd_open, getpid(), 0);
    if (self < 0)
        return -1;
    return xvm_fd_send(CHAN, "ok", 2, &self, 1) == 2 ? 0 : -1;
}

/* Requests, no reads: until xvmd hangs up (it crashes us). */
static void mute(void)
{
    struct xvmd_guest_req req = {.op = 99};

    while (send(CHAN, &req, sizeof(req), MSG_NOSIGNAL) == sizeof(req))
        ;
}

static void hog(const char *name)
{
    struct xvmd_guest_req req = {.op = XVMD_GUEST_EVTCHN_ALLOC, .remote = 0};
    struct xvmd_guest_rep rep = {0};
    const char *dir = getenv("HOSTILE_DIR");
    unsigned ports = 0, n;
    char path[512];
    int fds[2];
    FILE *f;

    for (;;) {
        if (send(CHAN, &req, sizeof(req), MSG_NOSIGNAL) != sizeof(req) ||
            xvm_fd_recv(CHAN, &rep, sizeof(rep), fds, 2, &n) !=
                (ssize_t)sizeof(rep)) {
            rep.rc = -EPIPE;
            break;
        }
        if (rep.rc != 0)
            break;
        ports++; /* the doorbells stay open, as a guest would keep them */
    }
    snprintf(path, sizeof(path), "%s/%s", dir ? dir : "/tmp", name);
    f = fopen(path, "w");
    if (f) {
        fprintf(f, "%u %d\n", ports, -rep.rc);
        fclose(f);
    }
}

static void swap(const char *name)
{
    char mname[128];
    off_t size = lseek(7, 0, SEEK_END);
    int fd;

    snprintf(mname, sizeof(mname), "xvm-mem-%s", name);
    fd = memfd_create(mname, 0);
    if (fd < 0 || size <= 0 || ftruncate(fd, size) < 0 || dup2(fd, 7) < 0)
        exit(1);
    close(fd);
}

/* Each try's errno (0: done) after its name, on one line. */
static void xs_try(const char *name)
{
    static const struct {
        const char *what, *path; /* relative to the home; NULL: remove */
        bool rm;
    } tries[] = {
        {"rm_home", "", true},         {"rm_name", "name", true},
        {"write_name", "name", false}, {"write_home", "x", false},
        {"write_error", "error/device/vif/0/error", false},
        {"write_data", "data/x", false},
        {"ack_shutdown", "control/shutdown", false},
    };
    const char *dir = getenv("HOSTILE_DIR");
    struct xvm_xs *xs = xvm_xs_adopt(given[1]);
    char path[512], *id = NULL;
    FILE *f;
    int rc;

    snprintf(path, sizeof(path), "%s/%s", dir ? dir : "/tmp", name);
    f = fopen(path, "w");
    if (!f)
        return;
    if (!xs || xvm_xs_read(xs, XVM_XS_NO_TX, "domid", &id, NULL) < 0) {
        fprintf(f, "no_xenstore\n");
        fclose(f);
        return;
    }
    for (size_t i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
        snprintf(path, sizeof(path), "/local/domain/%s%s%s", id,
                 tries[i].path[0] ? "/" : "", tries[i].path);
        rc = tries[i].rm ? xvm_xs_rm(xs, XVM_XS_NO_TX, path)
                         : xvm_xs_write_str(xs, XVM_XS_NO_TX, path, "x");
        fprintf(f, "%s%s=%d", i ? " " : "", tries[i].what, -rc);
    }
    fprintf(f, "\n");
    fclose(f);
    free(id);
}

/* @n writes of @path, sent in one go before any reply is read (a guest
 * may pipeline its requests): xenstored takes them faster than dom0
 * reads the watch events they cause.  @return 0 or -errno (the first
 * error reply's, as -EIO). */
static int write_burst(int fd, const char *path, unsigned n)
{
    size_t plen = strlen(path) + 1;
    char msg[sizeof(struct xsd_sockmsg) + 2200], rep[4096];
    struct xsd_sockmsg *h = (struct xsd_sockmsg *)msg;
    int rc = 0;

    if (plen + 1 > sizeof(msg) - sizeof(*h))
        return -ENAMETOOLONG;
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0)
        return -errno;
    *h = (struct xsd_sockmsg){.type = XS_WRITE, .len = (uint32_t)plen + 1};
    memcpy(msg + sizeof(*h), path, plen);
    for (unsigned i = 0; i < n; i++) {
        h->req_id = i;
        msg[sizeof(*h) + plen] = (char)('0' + (i & 1));
        if (send(fd, msg, sizeof(*h) + h->len, MSG_NOSIGNAL) < 0)
            return -errno;
    }
    for (unsigned i = 0; i < n; i++) {
        struct xsd_sockmsg r;

        if (recv(fd, &r, sizeof(r), MSG_WAITALL) != (ssize_t)sizeof(r) ||
            r.len > sizeof(rep) ||
            (r.len && recv(fd, rep, r.len, MSG_WAITALL) != (ssize_t)r.len))
            return -EPROTO;
        if (r.type == XS_ERROR && rc == 0)
            rc = -EIO;
    }
    return rc;
}

static void flood(const char *name)
{
    const char *dir = getenv("HOSTILE_DIR"), *nw = getenv("FLOOD_WRITES");
    struct xvm_xs *xs = xvm_xs_adopt(given[1]);
    unsigned writes = 0, keys = 0, want = nw ? (unsigned)atoi(nw) : 0;
    char path[2200], stop[512], *id = NULL;
    int rc = 0;
    FILE *f;

    if (!xs || xvm_xs_read(xs, XVM_XS_NO_TX, "domid", &id, NULL) < 0)
        return;
    /* a long name: each event dom0 is sent is 2 KiB, so a few hundred
     * fill its socket */
    snprintf(path, sizeof(path), "/local/domain/%s/data/flood%0*d", id, 2000,
             0);
    snprintf(stop, sizeof(stop), "%s/%s.stop", dir ? dir : "/tmp", name);
    for (; (want ? writes < want : access(stop, F_OK) < 0) && rc == 0;
         writes += 100)
        rc = write_burst(xvm_xs_fd(xs), path, 100);
    for (rc = 0; rc == 0 && keys < 100000; keys += rc == 0) {
        snprintf(path, sizeof(path), "/local/domain/%s/data/k%u", id, keys);
        rc = xvm_xs_write_str(xs, XVM_XS_NO_TX, path, "x");
    }
    snprintf(path, sizeof(path), "%s/%s", dir ? dir : "/tmp", name);
    f = fopen(path, "w");
    if (f) {
        fprintf(f, "%u %u %d\n", writes, keys, -rc);
        fclose(f);
    }
    free(id);
}

static int silent(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        listen(lfd, 16) < 0) {
        perror(path);
        return 1;
    }
    for (;;)
        if (accept4(lfd, NULL, NULL, SOCK_CLOEXEC) < 0 && errno != EINTR)
            return 1; /* kept open, never read nor answered */
}

int main(int argc, char **argv)
{
    const char *name = argv[argc - 1];

    if (argc == 3 && strcmp(argv[1], "--silent") == 0)
        return silent(argv[2]);
    if (argc < 2 || start() < 0)
        return 1;
    if (strncmp(name, "mute", 4) == 0)
        mute();
    else if (strncmp(name, "hog", 3) == 0)
        hog(name);
    else if (strncmp(name, "swap", 4) == 0)
        swap(name);
    else if (strncmp(name, "xs", 2) == 0)
        xs_try(name);
    else if (strncmp(name, "flood", 5) == 0)
        flood(name);
    for (;;)
        pause();
}
