/* SPDX-License-Identifier: MIT */
/*
 * libkvm's paravirtual interface (kvm/pv.h) on guest RAM in plain memory,
 * without /dev/kvm: every hostile value (frames outside RAM or on the boot
 * structures, wrapping ranges, ports the guest does not hold, impossible
 * ring indices) is refused with -EINVAL (the monitor's crash) and words;
 * good calls work: grant table, shared page bits for doorbells that rang,
 * masked ports, block timeouts and kicks, event channels through a broker
 * (a close gives the port back to it, once),
 * the xenstore relay both ways, doorbells registered in the kernel (a
 * fake KVM_IOEVENTFD) as ports get peers and removed as they close, the
 * monitor's doorbell path when they are not.  A random storm of calls never touches
 * memory outside RAM (guard pages around it) nor leaks a descriptor.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <xen/io/xs_wire.h>

#include "check.h"
#include "kvm/pv.h"

#include <pthread.h>

#define RAM_SIZE (4u << 20)
#define PG XKVM_PAGE_SIZE
#define SI_GFN 5u
#define XS_GFN 6u

static uint8_t *ram;
static char why[256];

/* RAM between two inaccessible guard pages. */
static uint8_t *ram_map(void)
{
    uint8_t *p = mmap(NULL, RAM_SIZE + 2 * PG, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    if (p == MAP_FAILED)
        abort();
    mprotect(p, PG, PROT_NONE);
    mprotect(p + PG + RAM_SIZE, PG, PROT_NONE);
    return p + PG;
}

static int fds_open(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int n = 0;

    while (d && (e = readdir(d)))
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

static struct xkvm_pv *pv_new(int xs_fd, const struct xkvm_evtchn_broker *b,
                              void *arg)
{
    struct xkvm_pv_params p = { .self = 7, .xs_fd = xs_fd, .broker = b,
                                .broker_arg = arg };

    memset(ram, 0, RAM_SIZE);
    return xkvm_pv_create(ram, RAM_SIZE, &p);
}

static int call(struct xkvm_pv *pv, uint32_t nr, uint64_t a0, uint64_t a1,
                uint64_t *ret)
{
    const uint64_t a[3] = { a0, a1, 0 };
    uint64_t r;

    why[0] = 0;
    return xkvm_pv_call(pv, nr, a, ret ? ret : &r, why, sizeof(why));
}

static struct shared_info *si(void)
{
    return (struct shared_info *)(ram + SI_GFN * PG);
}

static void test_create(void)
{
    struct xkvm_pv_params p = { .self = DOMID_FIRST_RESERVED, .xs_fd = -1 };
    int fd = eventfd(0, 0), before = fds_open();

    CHECK(!xkvm_pv_create(ram, RAM_SIZE, &p) && errno == EINVAL);
    p.self = 1;
    CHECK(!xkvm_pv_create(ram, RAM_SIZE - 1, &p) && errno == EINVAL);
    CHECK(!xkvm_pv_create(ram, 4096, &p) && errno == EINVAL);
    p.xs_fd = fd; /* refused, yet owned: closed */
    CHECK(!xkvm_pv_create(NULL, RAM_SIZE, &p) && errno == EINVAL);
    CHECK_EQ(fds_open(), before - 1);
    xkvm_pv_destroy(NULL);
}

static void test_gnttab(void)
{
    struct xkvm_pv *pv = pv_new(-1, NULL, NULL);
    uint64_t gfn;
    uint32_t n;

    CHECK_EQ(xkvm_pv_gnttab(pv, &gfn, &n), -ENOENT);
    CHECK_EQ(call(pv, XKVM_HC_GNTTAB_SETUP, 1, 0, NULL), -EINVAL);
    CHECK(strstr(why, "0 frames"));
    CHECK_EQ(call(pv, XKVM_HC_GNTTAB_SETUP, 1, XKVM_GNTTAB_FRAMES_MAX + 1,
                  NULL), -EINVAL);
    CHECK_EQ(call(pv, XKVM_HC_GNTTAB_SETUP, RAM_SIZE / PG - 3, 4, NULL),
             -EINVAL);
    CHECK(strstr(why, "not guest RAM"));
    CHECK_EQ(call(pv, XKVM_HC_GNTTAB_SETUP, ~0ull, 2, NULL), -EINVAL);
    CHECK_EQ(call(pv, XKVM_HC_GNTTAB_SETUP, ~0ull >> 12, 2, NULL), -EINVAL);
    /* On the GDT and the page tables, or straddling into them. */
    CHECK_EQ(call(pv, XKVM_HC_GNTTAB_SETUP, XKVM_BOOT_GPA / PG, 1, NULL),
             -EINVAL);
    CHECK_EQ(call(pv, XKVM_HC_GNTTAB_SETUP, XKVM_BOOT_GPA / PG - 1, 2, NULL),
             -EINVAL);
    CHECK_EQ(call(pv, XKVM_HC_GNTTAB_SETUP, XKVM_BOOT_END / PG - 1, 1, NULL),
             -EINVAL);
    CHECK_EQ(xkvm_pv_gnttab(pv, &gfn, &n), -ENOENT);
    CHECK_EQ(call(pv, XKVM_HC_GNTTAB_SETUP, 1, 4, NULL), 0);
    CHECK(xkvm_pv_gnttab(pv, &gfn, &n) == 0 && gfn == 1 && n == 4);
    CHECK_EQ(call(pv, XKVM_HC_GNTTAB_SETUP, 0x300, 4, NULL), -EINVAL);
    CHECK(strstr(why, "already"));
    xkvm_pv_destroy(pv);
    pv = pv_new(-1, NULL, NULL);
    CHECK_EQ(call(pv, XKVM_HC_GNTTAB_SETUP, XKVM_BOOT_END / PG, 64, NULL), 0);
    xkvm_pv_destroy(pv);
    pv = pv_new(-1, NULL, NULL);
    CHECK_EQ(call(pv, XKVM_HC_GNTTAB_SETUP, RAM_SIZE / PG - 1, 1, NULL), 0);
    xkvm_pv_destroy(pv);
}

static void test_evtchn_local(void)
{
    int before = fds_open();
    struct xkvm_pv *pv = pv_new(-1, NULL, NULL);
    uint64_t port, ret;
    uint64_t v = 1;

    CHECK_EQ(call(pv, XKVM_HC_EVTCHN_ALLOC_UNBOUND, 0, 0, NULL), -EINVAL);
    CHECK(strstr(why, "no shared page"));
    CHECK_EQ(call(pv, XKVM_HC_SHARED_INFO, RAM_SIZE / PG, 0, NULL), -EINVAL);
    CHECK_EQ(call(pv, XKVM_HC_SHARED_INFO, XKVM_PML4_GPA / PG, 0, NULL),
             -EINVAL);
    CHECK_EQ(call(pv, XKVM_HC_SHARED_INFO, SI_GFN, 0, NULL), 0);
    CHECK_EQ(call(pv, XKVM_HC_SHARED_INFO, SI_GFN + 1, 0, NULL), -EINVAL);
    CHECK_EQ(call(pv, XKVM_HC_EVTCHN_ALLOC_UNBOUND, DOMID_FIRST_RESERVED, 0,
                  NULL), -EINVAL);
    CHECK_EQ(call(pv, XKVM_HC_EVTCHN_ALLOC_UNBOUND, 0, 0, &port), 0);
    CHECK(port == 1);
    /* Ports the guest does not hold. */
    CHECK_EQ(call(pv, XKVM_HC_EVTCHN_SEND, 0, 0, NULL), -EINVAL);
    CHECK_EQ(call(pv, XKVM_HC_EVTCHN_SEND, 2, 0, NULL), -EINVAL);
    CHECK_EQ(call(pv, XKVM_HC_EVTCHN_SEND, XKVM_EVTCHN_PORTS, 0, NULL),
             -EINVAL);
    CHECK_EQ(call(pv, XKVM_HC_EVTCHN_SEND, 1ull << 63, 0, NULL), -EINVAL);
    CHECK_EQ(call(pv, XKVM_HC_EVTCHN_CLOSE, 1ull << 32 | 1, 0, NULL),
             -EINVAL);
    CHECK(strstr(why, "not one the guest holds"));
    /* Unbound: the send is refused, to the guest. */
    CHECK_EQ(call(pv, XKVM_HC_EVTCHN_SEND, port, 0, &ret), 0);
    CHECK_EQ((int64_t)ret, -ENOTCONN);
    /* The doorbell rings: block(0) marks it pending, upcall flags too. */
    CHECK_EQ(xkvm_pv_block(pv, 0, -1, why, sizeof(why)), 0);
    CHECK(si()->evtchn_pending[0] == 0);
    CHECK(write(xkvm_pv_port_fd(pv, 1), &v, 8) == 8);
    CHECK_EQ(xkvm_pv_block(pv, 0, -1, why, sizeof(why)), 0);
    CHECK(si()->evtchn_pending[0] == 2);
    CHECK(si()->vcpu_info[0].evtchn_upcall_pending == 1);
    CHECK(si()->vcpu_info[0].evtchn_pending_sel == 1);
    /* Pending and unmasked: a long block returns at once. */
    CHECK_EQ(xkvm_pv_block(pv, 10ull * 1000000000u, -1, why, sizeof(why)),
             0);
    /* Masked: pending, no upcall, and a block waits its time out. */
    memset(si(), 0, PG);
    si()->evtchn_mask[0] = 2;
    CHECK(write(xkvm_pv_port_fd(pv, 1), &v, 8) == 8);
    CHECK_EQ(xkvm_pv_block(pv, 1000000, -1, why, sizeof(why)), 0);
    CHECK(si()->evtchn_pending[0] == 2);
    CHECK(si()->vcpu_info[0].evtchn_upcall_pending == 0);
    /* Bind is not served yet; bad values still crash. */
    CHECK_EQ(call(pv, XKVM_HC_EVTCHN_BIND, 0, 5, &ret), 0);
    CHECK_EQ((int64_t)ret, -ENOSYS);
    CHECK_EQ(call(pv, XKVM_HC_EVTCHN_BIND, 0x8000, 5, NULL), -EINVAL);
    CHECK_EQ(call(pv, XKVM_HC_EVTCHN_BIND, 0, 0, NULL), -EINVAL);
    /* Close, then the port is gone. */
    CHECK_EQ(call(pv, XKVM_HC_EVTCHN_CLOSE, port, 0, NULL), 0);
    CHECK_EQ(call(pv, XKVM_HC_EVTCHN_SEND, port, 0, NULL), -EINVAL);
    CHECK_EQ(xkvm_pv_port_fd(pv, 1), -1);
    /* The guest's quota: ports 1..63, then -ENOSPC to the guest. */
    for (unsigned i = 1; i < XKVM_EVTCHN_PORTS; i++)
        CHECK(call(pv, XKVM_HC_EVTCHN_ALLOC_UNBOUND, 0, 0, &ret) == 0 &&
              ret == i);
    CHECK_EQ(call(pv, XKVM_HC_EVTCHN_ALLOC_UNBOUND, 0, 0, &ret), 0);
    CHECK_EQ((int64_t)ret, -ENOSPC);
    xkvm_pv_destroy(pv);
    CHECK_EQ(fds_open(), before);
}

/* A broker like xvmd: both doorbells made here; it may misnumber. */
struct broker {
    uint32_t next_port;
    int rc;
    int own, peer; /* the test's copies */
};

static int broker_alloc(void *arg, domid_t remote, uint32_t *port,
                        int *own_fd, int *peer_fd)
{
    struct broker *b = arg;

    (void)remote;
    if (b->rc)
        return b->rc;
    *own_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    *peer_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (b->own >= 0)
        close(b->own);
    if (b->peer >= 0)
        close(b->peer);
    b->own = dup(*own_fd);
    b->peer = dup(*peer_fd);
    *port = b->next_port;
    return 0;
}

static const struct xkvm_evtchn_broker broker_ops = {
    .alloc_unbound = broker_alloc,
};

static void test_evtchn_broker(void)
{
    int before = fds_open();
    struct broker b = { .next_port = 9, .own = -1, .peer = -1 };
    struct xkvm_pv *pv = pv_new(-1, &broker_ops, &b);
    uint64_t ret, v = 1;

    CHECK_EQ(call(pv, XKVM_HC_SHARED_INFO, SI_GFN, 0, NULL), 0);
    CHECK_EQ(call(pv, XKVM_HC_EVTCHN_ALLOC_UNBOUND, 0, 0, &ret), 0);
    CHECK_EQ(ret, 9);
    /* The guest's send rings the peer's doorbell. */
    CHECK_EQ(call(pv, XKVM_HC_EVTCHN_SEND, 9, 0, &ret), 0);
    CHECK_EQ(ret, 0);
    CHECK(read(b.peer, &v, 8) == 8 && v == 1);
    /* The backend's rings the guest's, which block sees. */
    CHECK(write(b.own, &v, 8) == 8);
    CHECK_EQ(xkvm_pv_block(pv, 1000000000, -1, why, sizeof(why)), 0);
    CHECK(si()->evtchn_pending[0] == 1u << 9);
    /* A broker numbering outside the space, or twice: -ENOSPC. */
    b.next_port = XKVM_EVTCHN_PORTS;
    CHECK_EQ(call(pv, XKVM_HC_EVTCHN_ALLOC_UNBOUND, 0, 0, &ret), 0);
    CHECK_EQ((int64_t)ret, -ENOSPC);
    b.next_port = 9;
    CHECK_EQ(call(pv, XKVM_HC_EVTCHN_ALLOC_UNBOUND, 0, 0, &ret), 0);
    CHECK_EQ((int64_t)ret, -ENOSPC);
    b.next_port = 0;
    CHECK_EQ(call(pv, XKVM_HC_EVTCHN_ALLOC_UNBOUND, 0, 0, &ret), 0);
    CHECK_EQ((int64_t)ret, -ENOSPC);
    b.rc = -ENFILE;
    CHECK_EQ(call(pv, XKVM_HC_EVTCHN_ALLOC_UNBOUND, 0, 0, &ret), 0);
    CHECK_EQ((int64_t)ret, -ENFILE);
    xkvm_pv_destroy(pv);
    close(b.own);
    close(b.peer);
    CHECK_EQ(fds_open(), before);
}

/* A broker with xvmd's budget: the lowest free port, @budget in all,
 * given back by close (a close of a port it did not give is counted as
 * bad, and gives nothing back). */
struct budget_broker {
    uint64_t given; /* bit p: port p is out */
    unsigned budget, closes, bad;
};

static int budget_alloc(void *arg, domid_t remote, uint32_t *port,
                        int *own_fd, int *peer_fd)
{
    struct budget_broker *b = arg;
    uint32_t p;

    (void)remote;
    if ((unsigned)__builtin_popcountll(b->given) >= b->budget)
        return -ENOSPC;
    for (p = 1; b->given & (1ull << p); p++)
        ;
    *own_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    *peer_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    b->given |= 1ull << p;
    *port = p;
    return 0;
}

static int budget_close(void *arg, uint32_t port)
{
    struct budget_broker *b = arg;

    b->closes++;
    if (port == 0 || port >= 64 || !(b->given & (1ull << port))) {
        b->bad++;
        return -EINVAL;
    }
    b->given &= ~(1ull << port);
    return 0;
}

static const struct xkvm_evtchn_broker budget_ops = {
    .alloc_unbound = budget_alloc,
    .close = budget_close,
};

/* A guest that allocates and closes far more often than its budget still
 * gets a port: each close reached the broker, once; a close of a port it
 * does not hold (one never allocated, or closed already) is the guest's
 * crash and never reaches the broker. */
static void test_evtchn_broker_close(void)
{
    int before = fds_open();
    struct budget_broker b = { .budget = 3 };
    struct xkvm_pv *pv = pv_new(-1, &budget_ops, &b);
    uint64_t ret, held;

    CHECK_EQ(call(pv, XKVM_HC_SHARED_INFO, SI_GFN, 0, NULL), 0);
    for (unsigned i = 0; i < 10 * XKVM_EVTCHN_PORTS; i++) {
        CHECK_EQ(call(pv, XKVM_HC_EVTCHN_ALLOC_UNBOUND, 0, 0, &ret), 0);
        CHECK_EQ(ret, 1);
        CHECK_EQ(call(pv, XKVM_HC_EVTCHN_CLOSE, ret, 0, NULL), 0);
    }
    CHECK_EQ(b.closes, 10 * XKVM_EVTCHN_PORTS);
    CHECK_EQ(b.given, 0);
    for (held = 1; held <= 3; held++) {
        CHECK_EQ(call(pv, XKVM_HC_EVTCHN_ALLOC_UNBOUND, 0, 0, &ret), 0);
        CHECK_EQ(ret, held);
    }
    CHECK_EQ(call(pv, XKVM_HC_EVTCHN_ALLOC_UNBOUND, 0, 0, &ret), 0);
    CHECK_EQ((int64_t)ret, -ENOSPC);
    b.closes = 0;
    CHECK_EQ(call(pv, XKVM_HC_EVTCHN_CLOSE, 2, 0, NULL), 0);
    CHECK_EQ(call(pv, XKVM_HC_EVTCHN_CLOSE, 2, 0, NULL), -EINVAL);
    CHECK_EQ(call(pv, XKVM_HC_EVTCHN_CLOSE, 9, 0, NULL), -EINVAL);
    CHECK_EQ(call(pv, XKVM_HC_EVTCHN_CLOSE, 0, 0, NULL), -EINVAL);
    CHECK_EQ(b.closes, 1);
    CHECK_EQ(b.bad, 0);
    CHECK_EQ(b.given, 1u << 1 | 1u << 3);
    CHECK_EQ(call(pv, XKVM_HC_EVTCHN_ALLOC_UNBOUND, 0, 0, &ret), 0);
    CHECK_EQ(ret, 2);
    xkvm_pv_destroy(pv);
    CHECK_EQ(fds_open(), before);
}

/* The kernel's side of doorbells as the VM gives it (KVM_IOEVENTFD):
 * what is registered where, and a refusal on demand. */
struct fake_kvm {
    int fd[XKVM_EVTCHN_PORTS]; /* by port: the eventfd registered, or -1 */
    int live, bad;             /* registrations; impossible requests */
    int rc;                    /* a refusal to give */
};

static int fake_assign(void *arg, uint16_t pio, int fd, int on)
{
    struct fake_kvm *k = arg;
    uint32_t port = (uint32_t)pio - XKVM_DOORBELL_BASE;

    if (pio < XKVM_DOORBELL_BASE || port == 0 || port >= XKVM_EVTCHN_PORTS ||
        fd < 0) {
        k->bad++;
        return -EINVAL;
    }
    if (on) {
        if (k->rc)
            return k->rc;
        if (k->fd[port] >= 0) { /* KVM's EEXIST */
            k->bad++;
            return -EEXIST;
        }
        k->fd[port] = fd;
        k->live++;
        return 0;
    }
    if (k->fd[port] != fd) { /* KVM finds nothing to remove */
        k->bad++;
        return -ENOENT;
    }
    k->fd[port] = -1;
    k->live--;
    return 0;
}

static const struct xkvm_pv_doorbell_ops fake_ops = { .assign = fake_assign };

static void fake_init(struct fake_kvm *k)
{
    memset(k, 0, sizeof(*k));
    for (unsigned i = 0; i < XKVM_EVTCHN_PORTS; i++)
        k->fd[i] = -1;
}

/* Lines of stderr written while @fn ran that contain @what. */
static int stderr_lines(void (*fn)(void *), void *arg, const char *what)
{
    char buf[4096];
    int saved = dup(2), tmp = memfd_create("stderr", 0), n = 0;
    ssize_t len;

    fflush(stderr);
    dup2(tmp, 2);
    fn(arg);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    len = pread(tmp, buf, sizeof(buf) - 1, 0);
    close(tmp);
    buf[len > 0 ? len : 0] = 0;
    for (char *p = buf; (p = strstr(p, what)); p++)
        n++;
    return n;
}

static void two_loopbacks(void *arg)
{
    struct xkvm_pv *pv = arg;
    uint64_t ret;

    for (int i = 0; i < 2; i++) {
        CHECK_EQ(call(pv, XKVM_HC_EVTCHN_ALLOC_UNBOUND, 0, 0, &ret), 0);
        CHECK_EQ(call(pv, XKVM_HC_EVTCHN_BIND, 7, ret, &ret), 0);
        CHECK((int64_t)ret > 0);
    }
}

static void test_doorbell(void)
{
    int before = fds_open();
    struct broker b = { .next_port = 9, .own = -1, .peer = -1 };
    struct xkvm_pv *pv = pv_new(-1, NULL, NULL);
    struct fake_kvm k;
    uint64_t ret, v = 1;

    fake_init(&k);
    xkvm_pv_set_doorbell_ops(pv, &fake_ops, &k);
    CHECK_EQ(call(pv, XKVM_HC_SHARED_INFO, SI_GFN, 0, NULL), 0);
    /* Unbound: no peer, nothing to register; its doorbell is dropped. */
    CHECK_EQ(call(pv, XKVM_HC_EVTCHN_ALLOC_UNBOUND, 0, 0, &ret), 0);
    CHECK_EQ(ret, 1);
    CHECK_EQ(xkvm_pv_doorbells(pv), 0);
    CHECK_EQ(xkvm_pv_doorbell(pv, 1, why, sizeof(why)), 0);
    /* A loopback 1 <-> 2 (the guest's own domain, 7): both registered,
     * each on the other's eventfd. */
    CHECK_EQ(call(pv, XKVM_HC_EVTCHN_BIND, 7, 3, &ret), 0);
    CHECK_EQ((int64_t)ret, -EINVAL); /* not held */
    CHECK_EQ(call(pv, XKVM_HC_EVTCHN_BIND, 7, 1, &ret), 0);
    CHECK_EQ(ret, 2);
    CHECK_EQ(call(pv, XKVM_HC_EVTCHN_BIND, 7, 1, &ret), 0);
    CHECK_EQ((int64_t)ret, -EINVAL); /* bound already */
    CHECK_EQ(xkvm_pv_doorbells(pv), 6);
    CHECK_EQ(k.live, 2);
    CHECK(k.fd[1] >= 0 && k.fd[2] >= 0 && k.fd[1] != k.fd[2]);
    /* The kernel's write (what the guest's out does) on port 2's doorbell
     * rings port 1, and the other way round. */
    CHECK_EQ(xkvm_pv_block(pv, 0, -1, why, sizeof(why)), 0);
    memset(si(), 0, PG);
    CHECK(write(k.fd[2], &v, 8) == 8);
    CHECK_EQ(xkvm_pv_block(pv, 0, -1, why, sizeof(why)), 0);
    CHECK(si()->evtchn_pending[0] == 2);
    memset(si(), 0, PG);
    CHECK(write(k.fd[1], &v, 8) == 8);
    CHECK_EQ(xkvm_pv_block(pv, 0, -1, why, sizeof(why)), 0);
    CHECK(si()->evtchn_pending[0] == 4);
    /* The monitor's path does the same. */
    memset(si(), 0, PG);
    CHECK_EQ(xkvm_pv_doorbell(pv, 2, why, sizeof(why)), 0);
    CHECK_EQ(xkvm_pv_block(pv, 0, -1, why, sizeof(why)), 0);
    CHECK(si()->evtchn_pending[0] == 2);
    /* Ports not held: the crash's words. */
    CHECK_EQ(xkvm_pv_doorbell(pv, 0, why, sizeof(why)), -EINVAL);
    CHECK_EQ(xkvm_pv_doorbell(pv, 3, why, sizeof(why)), -EINVAL);
    CHECK_EQ(xkvm_pv_doorbell(pv, XKVM_EVTCHN_PORTS, why, sizeof(why)),
             -EINVAL);
    CHECK_EQ(xkvm_pv_doorbell(pv, UINT32_MAX, why, sizeof(why)), -EINVAL);
    CHECK(strstr(why, "event channel doorbell: port 4294967295 is not one "
                      "the guest holds"));
    /* Close removes the registration, with the eventfd it was made on. */
    CHECK_EQ(call(pv, XKVM_HC_EVTCHN_CLOSE, 2, 0, NULL), 0);
    CHECK_EQ(xkvm_pv_doorbells(pv), 2);
    CHECK_EQ(k.live, 1);
    CHECK_EQ(k.fd[2], -1);
    CHECK_EQ(xkvm_pv_doorbell(pv, 2, why, sizeof(why)), -EINVAL);
    /* Taking the ops away removes all; giving them again adds them. */
    xkvm_pv_set_doorbell_ops(pv, NULL, NULL);
    CHECK_EQ(k.live, 0);
    CHECK_EQ(xkvm_pv_doorbells(pv), 0);
    xkvm_pv_set_doorbell_ops(pv, &fake_ops, &k);
    CHECK_EQ(k.live, 1);
    xkvm_pv_destroy(pv);
    CHECK_EQ(k.live, 0);
    CHECK_EQ(k.bad, 0);

    /* A kernel that refuses: said once, then the monitor's path. */
    pv = pv_new(-1, NULL, NULL);
    fake_init(&k);
    k.rc = -ENOSYS;
    xkvm_pv_set_doorbell_ops(pv, &fake_ops, &k);
    CHECK_EQ(call(pv, XKVM_HC_SHARED_INFO, SI_GFN, 0, NULL), 0);
    CHECK_EQ(stderr_lines(two_loopbacks, pv, "KVM_IOEVENTFD refused"), 1);
    CHECK_EQ(xkvm_pv_doorbells(pv), 0);
    CHECK_EQ(k.live, 0);
    CHECK_EQ(xkvm_pv_block(pv, 0, -1, why, sizeof(why)), 0);
    memset(si(), 0, PG);
    CHECK_EQ(xkvm_pv_doorbell(pv, 2, why, sizeof(why)), 0);
    CHECK_EQ(xkvm_pv_block(pv, 0, -1, why, sizeof(why)), 0);
    CHECK(si()->evtchn_pending[0] == 2);
    xkvm_pv_destroy(pv);
    CHECK_EQ(k.bad, 0);

    /* Through a broker: the peer's eventfd, which the backend reads. */
    pv = pv_new(-1, &broker_ops, &b);
    fake_init(&k);
    xkvm_pv_set_doorbell_ops(pv, &fake_ops, &k);
    CHECK_EQ(call(pv, XKVM_HC_SHARED_INFO, SI_GFN, 0, NULL), 0);
    CHECK_EQ(call(pv, XKVM_HC_EVTCHN_ALLOC_UNBOUND, 0, 0, &ret), 0);
    CHECK_EQ(ret, 9);
    CHECK_EQ(xkvm_pv_doorbells(pv), 1u << 9);
    CHECK(k.fd[9] >= 0 && write(k.fd[9], &v, 8) == 8);
    CHECK(read(b.peer, &v, 8) == 8 && v == 1);
    CHECK_EQ(xkvm_pv_doorbell(pv, 9, why, sizeof(why)), 0);
    CHECK(read(b.peer, &v, 8) == 8 && v == 1);
    /* Without a broker's bind, no loopback either. */
    CHECK_EQ(call(pv, XKVM_HC_EVTCHN_BIND, 7, 9, &ret), 0);
    CHECK_EQ((int64_t)ret, -ENOSYS);
    xkvm_pv_destroy(pv);
    CHECK_EQ(k.live, 0);
    CHECK_EQ(k.bad, 0);
    close(b.own);
    close(b.peer);
    CHECK_EQ(fds_open(), before);
}

static void test_block(void)
{
    struct xkvm_pv *pv = pv_new(-1, NULL, NULL);
    int kick = eventfd(0, EFD_NONBLOCK);
    uint64_t v = 1;

    CHECK_EQ(xkvm_pv_block(pv, XKVM_BLOCK_FOREVER, kick, why, sizeof(why)),
             -EINVAL);
    CHECK(strstr(why, "nothing can wake"));
    CHECK_EQ(xkvm_pv_block(pv, 1000000, kick, why, sizeof(why)), 0);
    CHECK(write(kick, &v, 8) == 8);
    CHECK_EQ(xkvm_pv_block(pv, 5ull * 1000000000u, kick, why, sizeof(why)),
             1);
    /* With a port, forever is allowed; the kick ends it. */
    CHECK_EQ(call(pv, XKVM_HC_SHARED_INFO, SI_GFN, 0, NULL), 0);
    CHECK_EQ(call(pv, XKVM_HC_EVTCHN_ALLOC_UNBOUND, 0, 0, NULL), 0);
    CHECK_EQ(xkvm_pv_block(pv, XKVM_BLOCK_FOREVER, kick, why, sizeof(why)),
             1);
    close(kick);
    xkvm_pv_destroy(pv);
}

static struct xenstore_domain_interface *xsi(void)
{
    return (struct xenstore_domain_interface *)(ram + XS_GFN * PG);
}

static void test_xenstore(void)
{
    int sv[2], before = fds_open();
    struct xkvm_pv *pv;
    uint64_t ret;
    char buf[2048];

    pv = pv_new(-1, NULL, NULL);
    CHECK_EQ(call(pv, XKVM_HC_XS_SETUP, XS_GFN, 0, &ret), 0);
    CHECK_EQ((int64_t)ret, -ENODEV);
    CHECK_EQ(call(pv, XKVM_HC_XS_NOTIFY, 0, 0, NULL), -EINVAL);
    xkvm_pv_destroy(pv);

    CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0);
    pv = pv_new(sv[1], NULL, NULL);
    CHECK_EQ(call(pv, XKVM_HC_XS_SETUP, RAM_SIZE / PG, 0, NULL), -EINVAL);
    CHECK_EQ(call(pv, XKVM_HC_XS_SETUP, XKVM_START_INFO_GPA / PG, 0, NULL),
             -EINVAL);
    CHECK_EQ(call(pv, XKVM_HC_XS_SETUP, XS_GFN, 0, &ret), 0);
    CHECK_EQ(ret, 0);
    CHECK_EQ(call(pv, XKVM_HC_XS_SETUP, XS_GFN, 0, NULL), -EINVAL);
    /* Requests out. */
    for (unsigned i = 0; i < 100; i++)
        xsi()->req[i] = (char)('a' + i % 26);
    xsi()->req_prod = 100;
    CHECK_EQ(call(pv, XKVM_HC_XS_NOTIFY, 0, 0, NULL), 0);
    CHECK_EQ(xsi()->req_cons, 100);
    CHECK(read(sv[0], buf, sizeof(buf)) == 100 && buf[27] == 'b');
    /* Round the end of the ring. */
    for (unsigned i = 100; i < 1100; i++)
        xsi()->req[MASK_XENSTORE_IDX(i)] = (char)i;
    xsi()->req_prod = 1100;
    CHECK_EQ(call(pv, XKVM_HC_XS_NOTIFY, 0, 0, NULL), 0);
    CHECK(read(sv[0], buf, sizeof(buf)) == 1000 && buf[999] == (char)1099);
    /* Responses in, up to the room the guest's consumer leaves. */
    memset(buf, 'R', sizeof(buf));
    CHECK(write(sv[0], buf, 1500) == 1500);
    CHECK_EQ(xkvm_pv_block(pv, 0, -1, why, sizeof(why)), 0);
    CHECK_EQ(xsi()->rsp_prod, XENSTORE_RING_SIZE);
    xsi()->rsp_cons = 600;
    CHECK_EQ(call(pv, XKVM_HC_XS_NOTIFY, 0, 0, NULL), 0);
    CHECK_EQ(xsi()->rsp_prod, 1500);
    CHECK(xsi()->rsp[MASK_XENSTORE_IDX(1499)] == 'R');
    /* A block returns once bytes come. */
    CHECK(write(sv[0], buf, 10) == 10);
    xsi()->rsp_cons = 1500;
    CHECK_EQ(xkvm_pv_block(pv, 5ull * 1000000000u, -1, why, sizeof(why)), 0);
    CHECK_EQ(xsi()->rsp_prod, 1510);
    /* Hostile indices. */
    xsi()->req_prod = 1100 + XENSTORE_RING_SIZE + 1;
    CHECK_EQ(call(pv, XKVM_HC_XS_NOTIFY, 0, 0, NULL), -EINVAL);
    CHECK(strstr(why, "req_prod"));
    xsi()->req_prod = 1099; /* behind the consumer: wraps to ~4 GiB ahead */
    CHECK_EQ(xkvm_pv_block(pv, 0, -1, why, sizeof(why)), -EINVAL);
    xsi()->req_prod = 1100;
    xsi()->rsp_cons = 1511;
    CHECK_EQ(call(pv, XKVM_HC_XS_NOTIFY, 0, 0, NULL), -EINVAL);
    CHECK(strstr(why, "rsp_cons"));
    /* The connection gone: the ring says so, the guest goes on. */
    xsi()->rsp_cons = 1510;
    close(sv[0]);
    CHECK_EQ(call(pv, XKVM_HC_XS_NOTIFY, 0, 0, NULL), 0);
    CHECK_EQ(xsi()->error, XENSTORE_ERROR_COMM);
    xkvm_pv_destroy(pv);
    CHECK_EQ(fds_open(), before);
}

/* Random calls with random and edge values: the guard pages catch any
 * access outside RAM, the fd count any leak. */
static void test_storm(void)
{
    static const uint64_t edges[] = {
        0, 1, 4, 5, 6, 15, 16, 63, 64, 65, RAM_SIZE / PG - 1, RAM_SIZE / PG,
        XKVM_BOOT_GPA / PG, XKVM_BOOT_END / PG, 0x7ff0, 0xffff, 1ull << 32,
        1ull << 52, ~0ull >> 12, ~0ull - 1, ~0ull,
    };
    const unsigned ne = sizeof(edges) / sizeof(edges[0]);
    int before = fds_open(), sv[2];
    unsigned seed = 12345, crashes = 0;

    for (unsigned round = 0; round < 300; round++) {
        struct xkvm_pv *pv;

        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) < 0)
            break;
        pv = pv_new(sv[1], NULL, NULL);
        for (unsigned i = 0; i < 200; i++) {
            uint32_t nr = (uint32_t)(rand_r(&seed) % 14);
            uint64_t a0 = rand_r(&seed) % 2 ? edges[rand_r(&seed) % ne]
                                            : ((uint64_t)rand_r(&seed) << 20) ^
                                                  (uint64_t)rand_r(&seed);
            uint64_t a1 = edges[rand_r(&seed) % ne];
            uint64_t ret;
            int rc;

            if (rand_r(&seed) % 8 == 0)
                ram[(uint64_t)rand_r(&seed) % RAM_SIZE] = (uint8_t)rand_r(&seed);
            if (nr == XKVM_HC_BLOCK)
                rc = xkvm_pv_block(pv, 0, -1, why, sizeof(why));
            else if (nr < XKVM_HC_GNTTAB_SETUP)
                continue;
            else
                rc = call(pv, nr, a0, a1, &ret);
            if (nr > XKVM_HC_XS_NOTIFY)
                CHECK_EQ(rc, -ENOSYS);
            if (rc == -EINVAL) {
                CHECK(why[0]);
                crashes++;
                break; /* a crashed guest makes no more calls */
            }
        }
        xkvm_pv_destroy(pv);
        close(sv[0]);
    }
    CHECK(crashes > 100);
    CHECK_EQ(fds_open(), before);
}

/* One vCPU's calls (its own why): loopback channels made, rung, sent on
 * and closed, 2000 times; @return how many calls failed. */
struct vcpu_arg {
    struct xkvm_pv *pv;
    int blocks; /* this one only blocks */
    int fails;
};

static int pv_call(struct xkvm_pv *pv, uint32_t nr, uint64_t a0, uint64_t a1,
                   uint64_t *ret, char *w)
{
    const uint64_t a[3] = { a0, a1, 0 };

    return xkvm_pv_call(pv, nr, a, ret, w, 256);
}

static void *vcpu_calls(void *p)
{
    struct vcpu_arg *v = p;
    char w[256];

    for (unsigned i = 0; i < 2000; i++) {
        uint64_t port, peer, ret;

        if (v->blocks) {
            v->fails += xkvm_pv_block(v->pv, 100000, -1, w, sizeof(w)) < 0;
            continue;
        }
        if (pv_call(v->pv, XKVM_HC_EVTCHN_ALLOC_UNBOUND, 7, 0, &port, w) ||
            (int64_t)port <= 0 ||
            pv_call(v->pv, XKVM_HC_EVTCHN_BIND, 7, port, &peer, w) ||
            (int64_t)peer <= 0) {
            v->fails++;
            continue;
        }
        v->fails += pv_call(v->pv, XKVM_HC_EVTCHN_SEND, peer, 0, &ret, w) ||
                    ret != 0;
        v->fails += xkvm_pv_doorbell(v->pv, (uint32_t)port, w, 256) != 0;
        v->fails += pv_call(v->pv, XKVM_HC_EVTCHN_CLOSE, peer, 0, &ret, w);
        v->fails += pv_call(v->pv, XKVM_HC_EVTCHN_CLOSE, port, 0, &ret, w);
    }
    return NULL;
}

/* vCPUs call at once (kvm/pv.h: each call takes the interface's lock):
 * four make and close channels while a fifth blocks, and every call
 * works, no port is left and no descriptor leaks. */
static void test_vcpus(void)
{
    struct vcpu_arg v[5];
    pthread_t t[5];
    int before = fds_open();
    struct xkvm_pv *pv = pv_new(-1, NULL, NULL);

    CHECK_EQ(call(pv, XKVM_HC_SHARED_INFO, SI_GFN, 0, NULL), 0);
    for (int i = 0; i < 5; i++) {
        v[i] = (struct vcpu_arg){ .pv = pv, .blocks = i == 4 };
        CHECK_EQ(pthread_create(&t[i], NULL, vcpu_calls, &v[i]), 0);
    }
    for (int i = 0; i < 5; i++) {
        pthread_join(t[i], NULL);
        CHECK_EQ(v[i].fails, 0);
    }
    for (uint32_t p = 1; p < XKVM_EVTCHN_PORTS; p++)
        CHECK_EQ(xkvm_pv_port_fd(pv, p), -1);
    xkvm_pv_destroy(pv);
    CHECK_EQ(fds_open(), before);
}

int main(void)
{
    ram = ram_map();
    RUN(test_create);
    RUN(test_gnttab);
    RUN(test_evtchn_local);
    RUN(test_evtchn_broker);
    RUN(test_evtchn_broker_close);
    RUN(test_doorbell);
    RUN(test_block);
    RUN(test_xenstore);
    RUN(test_storm);
    RUN(test_vcpus);
    return check_summary();
}
