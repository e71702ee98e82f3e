/* SPDX-License-Identifier: MIT */
/* libxvm: domain memory bounds, grant validation, event channels, fd passing. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "xvm/evtchn.h"
#include "xvm/fdpass.h"
#include "xvm/gnttab.h"
#include "xvm/mem.h"

#define FRAMES 64u
#define GT_GFN 1u    /* grant table in frame 1 */
#define DOM_GUEST 7
#define DOM_BACK 0

static void test_mem_bounds(void)
{
    struct xvm_mem *m = xvm_mem_create("t", FRAMES);

    CHECK(m != NULL);
    CHECK_EQ(xvm_mem_nr_frames(m), FRAMES);
    CHECK(xvm_mem_frame(m, 0) == xvm_mem_base(m));
    CHECK(xvm_mem_frame(m, FRAMES - 1) != NULL);
    CHECK(xvm_mem_frame(m, FRAMES) == NULL);
    /* Large values must not wrap back into range when truncated. */
    CHECK(xvm_mem_frame(m, (1ull << 32) + 1) == NULL);
    CHECK(xvm_mem_frame(m, ~0ull) == NULL);
    CHECK_EQ(xvm_mem_gfn_of(m, (char *)xvm_mem_base(m) + 4096 * 3 + 17), 3);
    CHECK_EQ(xvm_mem_gfn_of(m, (char *)xvm_mem_base(m) + 4096 * FRAMES), -1);
    CHECK(xvm_mem_create("t", 0) == NULL && errno == EINVAL);
    CHECK(xvm_mem_create("t", XVM_MEM_MAX_FRAMES + 1) == NULL);
    xvm_mem_destroy(m);
    xvm_mem_destroy(NULL);
}

static void test_mem_open_shares_frames(void)
{
    struct xvm_mem *a = xvm_mem_create("t", 4), *b;

    b = xvm_mem_open(xvm_mem_fd(a));
    CHECK(b != NULL);
    if (!b)
        goto out;
    CHECK_EQ(xvm_mem_nr_frames(b), 4);
    memcpy(xvm_mem_frame(a, 2), "hello", 6);
    CHECK(memcmp(xvm_mem_frame(b, 2), "hello", 6) == 0);
    xvm_mem_destroy(b);
out:
    xvm_mem_destroy(a);
}

static void test_mem_open_rejects_unsealed(void)
{
    int fd = memfd_create("x", MFD_CLOEXEC);

    CHECK(ftruncate(fd, 8192) == 0);
    CHECK(xvm_mem_open(fd) == NULL && errno == EINVAL); /* shrinkable */
    close(fd);
    CHECK(xvm_mem_open(-1) == NULL);
}

struct gt_fixture {
    struct xvm_mem *mem;
    grant_entry_v1_t *table;
    uint32_t nents;
    struct xvm_gnttab *gt;
};

static void gt_setup(struct gt_fixture *f)
{
    f->mem = xvm_mem_create("gt", FRAMES);
    f->table = xvm_mem_frame(f->mem, GT_GFN);
    f->nents = XVM_GNTTAB_ENTRIES_PER_FRAME;
    f->gt = xvm_gnttab_open(f->mem, GT_GFN, 1, DOM_GUEST, DOM_BACK);
}

static void gt_teardown(struct gt_fixture *f)
{
    xvm_gnttab_close(f->gt);
    xvm_mem_destroy(f->mem);
}

static int16_t copy1(struct gt_fixture *f, grant_ref_t ref, uint16_t off,
                     uint16_t len, int dir, void *buf)
{
    struct xvm_gcopy op = {.local = buf, .ref = ref, .offset = off,
                           .len = len, .dir = (uint8_t)dir};

    xvm_gnttab_copy(f->gt, &op, 1);
    return op.status;
}

static void test_gnttab_open_bounds(void)
{
    struct xvm_mem *m = xvm_mem_create("gt", 4);

    CHECK(xvm_gnttab_open(m, 4, 1, 1, 0) == NULL);
    CHECK(xvm_gnttab_open(m, 3, 2, 1, 0) == NULL);
    CHECK(xvm_gnttab_open(m, 0, 0, 1, 0) == NULL);
    CHECK(xvm_gnttab_open(m, ~0ull, 2, 1, 0) == NULL);
    xvm_mem_destroy(m);
}

static void test_gnttab_copy_valid(void)
{
    struct gt_fixture f;
    char buf[100], *page;

    gt_setup(&f);
    page = xvm_mem_frame(f.mem, 10);
    memset(page, 'a', 4096);
    CHECK_EQ(xvm_gnttab_grant(f.table, f.nents, 8, DOM_BACK, 10, false), 0);
    CHECK_EQ(copy1(&f, 8, 4000, 96, XVM_GCOPY_FROM_GUEST, buf), GNTST_okay);
    CHECK(buf[0] == 'a' && buf[95] == 'a');
    memset(buf, 'b', sizeof(buf));
    CHECK_EQ(copy1(&f, 8, 0, 100, XVM_GCOPY_TO_GUEST, buf), GNTST_okay);
    CHECK(page[0] == 'b' && page[99] == 'b' && page[100] == 'a');
    /* the busy bits are released after the copy */
    CHECK_EQ(f.table[8].flags, GTF_permit_access);
    gt_teardown(&f);
}

static void test_gnttab_copy_rejects(void)
{
    struct gt_fixture f;
    char buf[4096];

    gt_setup(&f);
    CHECK_EQ(xvm_gnttab_grant(f.table, f.nents, 9, DOM_BACK, 11, true), 0);
    CHECK_EQ(xvm_gnttab_grant(f.table, f.nents, 10, 99, 11, false), 0);
    CHECK_EQ(xvm_gnttab_grant(f.table, f.nents, 11, DOM_BACK, FRAMES, false),
             0);
    /* ref out of the table */
    CHECK_EQ(copy1(&f, f.nents, 0, 1, XVM_GCOPY_FROM_GUEST, buf),
             GNTST_bad_gntref);
    CHECK_EQ(copy1(&f, ~0u, 0, 1, XVM_GCOPY_FROM_GUEST, buf),
             GNTST_bad_gntref);
    /* never granted */
    CHECK_EQ(copy1(&f, 20, 0, 1, XVM_GCOPY_FROM_GUEST, buf),
             GNTST_permission_denied);
    /* read-only grant used as a destination */
    CHECK_EQ(copy1(&f, 9, 0, 1, XVM_GCOPY_TO_GUEST, buf),
             GNTST_permission_denied);
    CHECK_EQ(copy1(&f, 9, 0, 1, XVM_GCOPY_FROM_GUEST, buf), GNTST_okay);
    /* granted to another domain */
    CHECK_EQ(copy1(&f, 10, 0, 1, XVM_GCOPY_FROM_GUEST, buf),
             GNTST_permission_denied);
    /* frame outside the domain */
    CHECK_EQ(copy1(&f, 11, 0, 1, XVM_GCOPY_FROM_GUEST, buf), GNTST_bad_page);
    /* crossing the page */
    CHECK_EQ(copy1(&f, 9, 4000, 97, XVM_GCOPY_FROM_GUEST, buf),
             GNTST_bad_copy_arg);
    CHECK_EQ(copy1(&f, 9, 65535, 65535, XVM_GCOPY_FROM_GUEST, buf),
             GNTST_bad_copy_arg);
    /* zero length touches nothing, even on a bad ref (XSA-448) */
    CHECK_EQ(copy1(&f, 20, 0, 0, XVM_GCOPY_FROM_GUEST, buf), GNTST_okay);
    /* transitive / accept_transfer types are refused */
    f.table[12].domid = DOM_BACK;
    f.table[12].frame = 12;
    f.table[12].flags = GTF_transitive;
    CHECK_EQ(copy1(&f, 12, 0, 1, XVM_GCOPY_FROM_GUEST, buf),
             GNTST_permission_denied);
    CHECK(strcmp(xvm_gntst_str(GNTST_bad_page), "bad page") == 0);
    CHECK(strcmp(xvm_gntst_str(-100), "unknown grant status") == 0);
    gt_teardown(&f);
}

static void test_gnttab_batch_counts_failures(void)
{
    struct gt_fixture f;
    char a[8], b[8];
    struct xvm_gcopy ops[3];

    gt_setup(&f);
    CHECK_EQ(xvm_gnttab_grant(f.table, f.nents, 8, DOM_BACK, 10, false), 0);
    memset(ops, 0, sizeof(ops));
    ops[0] = (struct xvm_gcopy){.local = a, .ref = 8, .len = 8};
    ops[1] = (struct xvm_gcopy){.local = b, .ref = 30, .len = 8};
    ops[2] = (struct xvm_gcopy){.local = b, .ref = 8, .offset = 8, .len = 8};
    CHECK_EQ(xvm_gnttab_copy(f.gt, ops, 3), 1);
    CHECK_EQ(ops[0].status, GNTST_okay);
    CHECK_EQ(ops[1].status, GNTST_permission_denied);
    CHECK_EQ(ops[2].status, GNTST_okay);
    gt_teardown(&f);
}

static void test_gnttab_end_fails_while_mapped(void)
{
    struct gt_fixture f;
    void *page = NULL;

    gt_setup(&f);
    CHECK_EQ(xvm_gnttab_grant(f.table, f.nents, 8, DOM_BACK, 10, false), 0);
    CHECK_EQ(xvm_gnttab_grant(f.table, f.nents, 8, DOM_BACK, 10, false),
             -EBUSY);
    CHECK_EQ(xvm_gnttab_map(f.gt, 8, true, &page), GNTST_okay);
    CHECK(page == xvm_mem_frame(f.mem, 10));
    CHECK(f.table[8].flags & GTF_writing);
    CHECK_EQ(xvm_gnttab_end(f.table, f.nents, 8), -EBUSY);
    CHECK_EQ(xvm_gnttab_unmap(f.gt, 8, true), GNTST_okay);
    CHECK_EQ(xvm_gnttab_end(f.table, f.nents, 8), 0);
    CHECK_EQ(f.table[8].flags, 0);
    /* after end, the backend can no longer use it */
    CHECK_EQ(xvm_gnttab_map(f.gt, 8, false, &page), GNTST_permission_denied);
    /* reserved refs cannot be granted */
    CHECK_EQ(xvm_gnttab_grant(f.table, f.nents, 1, DOM_BACK, 10, false),
             -EINVAL);
    CHECK_EQ(xvm_gnttab_grant(f.table, f.nents, f.nents, DOM_BACK, 10, false),
             -EINVAL);
    /* a read-only grant cannot be mapped writable */
    CHECK_EQ(xvm_gnttab_grant(f.table, f.nents, 9, DOM_BACK, 10, true), 0);
    CHECK_EQ(xvm_gnttab_map(f.gt, 9, true, &page), GNTST_permission_denied);
    gt_teardown(&f);
}

/*
 * Two holders of one grant: the busy bits stay until the last lets go
 * (the backend counts its claims per entry, as Xen counts active pins), so
 * the granter cannot revoke a page that is still mapped, whatever mix of
 * maps and copies came and went; a release nobody claimed is refused and
 * leaves the counts alone.
 */
static void test_gnttab_busy_counted(void)
{
    struct gt_fixture f;
    void *p1 = NULL, *p2 = NULL;
    char buf[16] = "counted";

    gt_setup(&f);
    CHECK_EQ(xvm_gnttab_grant(f.table, f.nents, 8, DOM_BACK, 10, false), 0);
    /* a release before any claim is refused and changes nothing */
    CHECK_EQ(xvm_gnttab_unmap(f.gt, 8, false), GNTST_bad_handle);
    CHECK_EQ(xvm_gnttab_unmap(f.gt, 8, true), GNTST_bad_handle);
    CHECK_EQ(f.table[8].flags, GTF_permit_access);
    /* two maps, one released: still busy */
    CHECK_EQ(xvm_gnttab_map(f.gt, 8, true, &p1), GNTST_okay);
    CHECK_EQ(xvm_gnttab_map(f.gt, 8, true, &p2), GNTST_okay);
    CHECK(p1 == p2);
    CHECK_EQ(xvm_gnttab_unmap(f.gt, 8, true), GNTST_okay);
    CHECK(f.table[8].flags & GTF_writing);
    CHECK_EQ(xvm_gnttab_end(f.table, f.nents, 8), -EBUSY);
    /* copies both ways while it is mapped leave it busy */
    CHECK_EQ(copy1(&f, 8, 0, sizeof(buf), XVM_GCOPY_TO_GUEST, buf),
             GNTST_okay);
    CHECK_EQ(copy1(&f, 8, 0, sizeof(buf), XVM_GCOPY_FROM_GUEST, buf),
             GNTST_okay);
    CHECK((f.table[8].flags & (GTF_reading | GTF_writing)) ==
          (GTF_reading | GTF_writing));
    CHECK_EQ(xvm_gnttab_end(f.table, f.nents, 8), -EBUSY);
    /* a read-only release of a writable hold is not a release */
    CHECK_EQ(xvm_gnttab_unmap(f.gt, 8, false), GNTST_bad_handle);
    CHECK_EQ(xvm_gnttab_end(f.table, f.nents, 8), -EBUSY);
    /* the last holder lets go: revocable */
    CHECK_EQ(xvm_gnttab_unmap(f.gt, 8, true), GNTST_okay);
    CHECK_EQ(f.table[8].flags, GTF_permit_access);
    /* one more release is refused: no underflow */
    CHECK_EQ(xvm_gnttab_unmap(f.gt, 8, true), GNTST_bad_handle);
    CHECK_EQ(xvm_gnttab_unmap(f.gt, 8, false), GNTST_bad_handle);
    /* a read map and a write copy: the copy's end keeps GTF_reading */
    CHECK_EQ(xvm_gnttab_map(f.gt, 8, false, &p1), GNTST_okay);
    CHECK_EQ(copy1(&f, 8, 0, sizeof(buf), XVM_GCOPY_TO_GUEST, buf),
             GNTST_okay);
    CHECK_EQ(f.table[8].flags, GTF_permit_access | GTF_reading);
    CHECK_EQ(xvm_gnttab_end(f.table, f.nents, 8), -EBUSY);
    CHECK_EQ(xvm_gnttab_unmap(f.gt, 8, false), GNTST_okay);
    CHECK_EQ(xvm_gnttab_end(f.table, f.nents, 8), 0);
    gt_teardown(&f);
}

/* Two backend threads copying through the same entries at once. */
static void *copier(void *arg)
{
    struct gt_fixture *f = arg;
    char buf[64] = "x";
    unsigned i;

    for (i = 0; i < 20000; i++) {
        struct xvm_gcopy ops[4] = {
            {.local = buf, .ref = 8, .len = 64, .dir = XVM_GCOPY_TO_GUEST},
            {.local = buf, .ref = 9, .len = 64, .dir = XVM_GCOPY_FROM_GUEST},
            {.local = buf, .ref = 9, .len = 64, .dir = XVM_GCOPY_TO_GUEST},
            {.local = buf, .ref = 8, .len = 64, .dir = XVM_GCOPY_FROM_GUEST},
        };

        if (xvm_gnttab_copy(f->gt, ops, 4) != 0)
            return (void *)1;
    }
    return NULL;
}

/*
 * Concurrent copies keep the counts exact: afterwards the mapping taken
 * before them still holds its entry, and the other entry is free again.
 */
static void test_gnttab_busy_counted_concurrent(void)
{
    struct gt_fixture f;
    pthread_t t[2];
    void *page, *rc;
    int i;

    gt_setup(&f);
    CHECK_EQ(xvm_gnttab_grant(f.table, f.nents, 8, DOM_BACK, 10, false), 0);
    CHECK_EQ(xvm_gnttab_grant(f.table, f.nents, 9, DOM_BACK, 11, false), 0);
    CHECK_EQ(xvm_gnttab_map(f.gt, 8, false, &page), GNTST_okay);
    for (i = 0; i < 2; i++)
        CHECK(pthread_create(&t[i], NULL, copier, &f) == 0);
    for (i = 0; i < 2; i++) {
        CHECK(pthread_join(t[i], &rc) == 0);
        CHECK(rc == NULL);
    }
    CHECK_EQ(f.table[8].flags, GTF_permit_access | GTF_reading);
    CHECK_EQ(f.table[9].flags, GTF_permit_access);
    CHECK_EQ(xvm_gnttab_end(f.table, f.nents, 8), -EBUSY);
    CHECK_EQ(xvm_gnttab_end(f.table, f.nents, 9), 0);
    CHECK_EQ(xvm_gnttab_unmap(f.gt, 8, false), GNTST_okay);
    CHECK_EQ(xvm_gnttab_unmap(f.gt, 8, false), GNTST_bad_handle);
    CHECK_EQ(xvm_gnttab_end(f.table, f.nents, 8), 0);
    gt_teardown(&f);
}

static void test_evtchn_local_pair(void)
{
    struct xvm_evtchn *front = xvm_evtchn_open(DOM_GUEST);
    struct xvm_evtchn *back = xvm_evtchn_open(DOM_BACK);
    int fp, bp;

    fp = xvm_evtchn_alloc_unbound(front, DOM_BACK);
    CHECK(fp > 0);
    CHECK_EQ(xvm_evtchn_send(front, fp), -ENOTCONN);
    bp = xvm_evtchn_bind_interdomain(back, DOM_GUEST, fp,
                                     xvm_evtchn_fd(front, fp));
    CHECK(bp > 0);
    /* a fresh binding is pending */
    CHECK_EQ(xvm_evtchn_consume(back, bp), 1);
    CHECK_EQ(xvm_evtchn_consume(back, bp), 0);
    CHECK_EQ(xvm_evtchn_connect(front, fp, DOM_BACK, xvm_evtchn_fd(back, bp)),
             0);
    CHECK_EQ(xvm_evtchn_connect(front, fp, DOM_BACK, xvm_evtchn_fd(back, bp)),
             -EISCONN);
    CHECK_EQ(xvm_evtchn_send(front, fp), 0);
    CHECK_EQ(xvm_evtchn_send(front, fp), 0);
    CHECK_EQ(xvm_evtchn_consume(back, bp), 2);
    CHECK_EQ(xvm_evtchn_send(back, bp), 0);
    CHECK_EQ(xvm_evtchn_consume(front, fp), 1);
    /* the peer closes its end: unbound again, for its successor */
    CHECK_EQ(xvm_evtchn_unbind(front, fp), 0);
    CHECK_EQ(xvm_evtchn_unbind(front, fp), -EINVAL);
    CHECK_EQ(xvm_evtchn_send(front, fp), -ENOTCONN);
    CHECK_EQ(xvm_evtchn_connect(front, fp, DOM_BACK, xvm_evtchn_fd(back, bp)),
             0);
    CHECK_EQ(xvm_evtchn_send(front, fp), 0);
    CHECK_EQ(xvm_evtchn_consume(back, bp), 1);
    CHECK_EQ(xvm_evtchn_send(back, 0), -EINVAL);
    CHECK_EQ(xvm_evtchn_send(back, XVM_EVTCHN_MAX_PORTS), -EINVAL);
    CHECK_EQ(xvm_evtchn_close(back, bp), 0);
    CHECK_EQ(xvm_evtchn_close(back, bp), -EINVAL);
    CHECK_EQ(xvm_evtchn_bind_interdomain(back, DOM_GUEST, fp, -1), -EBADF);
    xvm_evtchn_destroy(front);
    xvm_evtchn_destroy(back);
}

static void test_evtchn_table_full(void)
{
    struct xvm_evtchn *ec = xvm_evtchn_open(1);
    unsigned i;
    int p = 0;

    for (i = 1; i < XVM_EVTCHN_MAX_PORTS; i++)
        p = xvm_evtchn_alloc_unbound(ec, 0);
    CHECK_EQ(p, XVM_EVTCHN_MAX_PORTS - 1);
    CHECK_EQ(xvm_evtchn_alloc_unbound(ec, 0), -ENOSPC);
    CHECK_EQ(xvm_evtchn_close(ec, 5), 0);
    CHECK_EQ(xvm_evtchn_alloc_unbound(ec, 0), 5);
    xvm_evtchn_destroy(ec);
}

/* A broker made both doorbells: each side adopts them and they talk. */
static void test_evtchn_adopt(void)
{
    struct xvm_evtchn *g = xvm_evtchn_open(3), *b = xvm_evtchn_open(0);
    int eg = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    int eb = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    int gp, bp;

    gp = xvm_evtchn_adopt(g, 5, 0, eg, eb);
    CHECK_EQ(gp, 5);
    CHECK_EQ(xvm_evtchn_adopt(g, 5, 0, eg, eb), -EBUSY);
    CHECK_EQ(xvm_evtchn_adopt(g, XVM_EVTCHN_MAX_PORTS, 0, eg, eb), -EINVAL);
    CHECK_EQ(xvm_evtchn_adopt(g, 0, 0, -1, eb), -EBADF);
    bp = xvm_evtchn_adopt(b, 0, 3, eb, eg);
    CHECK_EQ(bp, 1);
    close(eg);
    close(eb);
    CHECK_EQ(xvm_evtchn_send(g, gp), 0);
    CHECK_EQ(xvm_evtchn_consume(b, bp), 1);
    CHECK_EQ(xvm_evtchn_send(b, bp), 0);
    CHECK_EQ(xvm_evtchn_send(b, bp), 0);
    CHECK_EQ(xvm_evtchn_consume(g, gp), 2);
    xvm_evtchn_destroy(g);
    xvm_evtchn_destroy(b);
}

/* A child process receives memfd + eventfd over a socket, writes into the
 * shared memory and signals; the parent sees both. */
static void test_fdpass_cross_process(void)
{
    struct xvm_mem *m = xvm_mem_create("x", 2);
    struct xvm_evtchn *ec = xvm_evtchn_open(0);
    int sv[2], port, st = 0;
    pid_t pid;
    struct pollfd pfd;

    port = xvm_evtchn_alloc_unbound(ec, 1);
    CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
    pid = fork();
    if (pid == 0) {
        int fds[2];
        unsigned n = 0;
        char b[4];
        struct xvm_mem *cm;
        struct xvm_evtchn *cec = xvm_evtchn_open(1);
        int cp;

        if (xvm_fd_recv(sv[1], b, sizeof(b), fds, 2, &n) != 4 || n != 2)
            _exit(2);
        cm = xvm_mem_open(fds[0]);
        if (!cm)
            _exit(3);
        memcpy(xvm_mem_frame(cm, 1), "from child", 11);
        cp = xvm_evtchn_bind_interdomain(cec, 0, port, fds[1]);
        if (cp <= 0 || xvm_evtchn_send(cec, cp) != 0)
            _exit(4);
        _exit(0);
    }
    {
        int fds[2] = {xvm_mem_fd(m), xvm_evtchn_fd(ec, port)};

        CHECK_EQ(xvm_fd_send(sv[0], "memf", 4, fds, 2), 4);
    }
    pfd = (struct pollfd){.fd = xvm_evtchn_fd(ec, port), .events = POLLIN};
    CHECK_EQ(poll(&pfd, 1, 5000), 1);
    CHECK_EQ(xvm_evtchn_consume(ec, port), 1);
    CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
          WEXITSTATUS(st) == 0);
    CHECK(memcmp(xvm_mem_frame(m, 1), "from child", 11) == 0);
    CHECK_EQ(xvm_fd_send(sv[0], "", 0, NULL, 0), -EINVAL);
    close(sv[0]);
    close(sv[1]);
    xvm_evtchn_destroy(ec);
    xvm_mem_destroy(m);
}

/* Too many fds for the receiver: all are closed, none leak. */
static void test_fdpass_overflow_closes(void)
{
    int sv[2], fds[4], got[2];
    unsigned n = 9;
    char b[1];

    CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
    fds[0] = fds[1] = fds[2] = fds[3] = sv[0];
    CHECK_EQ(xvm_fd_send(sv[0], "x", 1, fds, 4), 1);
    CHECK_EQ(xvm_fd_recv(sv[1], b, 1, got, 2, &n), -EMSGSIZE);
    CHECK_EQ(n, 0);
    close(sv[0]);
    close(sv[1]);
}

int main(void)
{
    RUN(test_mem_bounds);
    RUN(test_mem_open_shares_frames);
    RUN(test_mem_open_rejects_unsealed);
    RUN(test_gnttab_open_bounds);
    RUN(test_gnttab_copy_valid);
    RUN(test_gnttab_copy_rejects);
    RUN(test_gnttab_batch_counts_failures);
    RUN(test_gnttab_end_fails_while_mapped);
    RUN(test_gnttab_busy_counted);
    RUN(test_gnttab_busy_counted_concurrent);
    RUN(test_evtchn_local_pair);
    RUN(test_evtchn_table_full);
    RUN(test_evtchn_adopt);
    RUN(test_fdpass_cross_process);
    RUN(test_fdpass_overflow_closes);
    return check_summary();
}
