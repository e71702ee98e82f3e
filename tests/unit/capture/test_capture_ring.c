/* SPDX-License-Identifier: MIT */
/*
 * The capture-ring reader against a hostile writer.  The reader maps a ring
 * whose header, head and records another party writes; whatever that party
 * writes (a new size, a head out of range, record lengths that pass the
 * checks only under a forged size, fields changed after the checks), the
 * reader returns records from inside its own mapping with consistent
 * lengths, or refuses with -EPROTO.  The ring is moved between PROT_NONE
 * guard regions, so a read outside the mapping ends the test with a
 * message instead of going unnoticed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "vswctl/capture.h"

#define RING 8192u
#define GUARD (64u << 20)
#define HDR sizeof(struct vsw_cap_rec)

struct ring {
    int fd;
    struct vsw_cap_shm *w; /* the writer's own mapping */
    uint8_t *wdata;
    struct vsw_cap_reader r;
    uint8_t *guard;        /* guard, the reader's mapping, guard */
};

static void on_segv(int sig)
{
    static const char msg[] = "FAIL: the reader read outside its mapping\n";

    (void)sig;
    if (write(2, msg, sizeof(msg) - 1) < 0) {
        /* nothing more to do */
    }
    _exit(1);
}

/*
 * Map the reader's ring again between two guard regions, so that any byte
 * it touches outside the ring faults.  (White box: the test moves the
 * mapping the reader made; the reader's own bounds stay as it set them.)
 */
static void guard_mapping(struct ring *g)
{
    size_t len = g->r.map_len;
    void *m;

    g->guard = mmap(NULL, GUARD + len + GUARD, PROT_NONE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    CHECK(g->guard != MAP_FAILED);
    m = mmap(g->guard + GUARD, len, PROT_READ | PROT_WRITE,
             MAP_SHARED | MAP_FIXED, g->fd, 0);
    CHECK(m == g->guard + GUARD);
    munmap(g->r.shm, len);
    g->r.shm = m;
    g->r.data = (uint8_t *)m + VSW_CAP_DATA_OFF;
}

/* A ring of RING bytes whose reader starts at @tail. */
static void ring_open(struct ring *g, uint64_t tail)
{
    size_t len = VSW_CAP_DATA_OFF + RING;

    memset(g, 0, sizeof(*g));
    g->fd = memfd_create("cap-ring", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    CHECK(g->fd >= 0);
    CHECK(ftruncate(g->fd, (off_t)len) == 0);
    CHECK(fcntl(g->fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) == 0);
    g->w = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, g->fd, 0);
    CHECK(g->w != MAP_FAILED);
    g->wdata = (uint8_t *)g->w + VSW_CAP_DATA_OFF;
    *g->w = (struct vsw_cap_shm){.magic = VSW_CAP_MAGIC,
                                 .version = VSW_CAP_VERSION, .size = RING,
                                 .snaplen = 1500, .cls = 0, .dir = 3,
                                 .head = tail, .tail = tail};
    CHECK_EQ(vsw_cap_reader_init(&g->r, -1, dup(g->fd), -1), 0);
    guard_mapping(g);
}

static void ring_close(struct ring *g)
{
    size_t len = g->r.map_len;

    vsw_cap_reader_fini(&g->r); /* unmaps the ring between the guards */
    munmap(g->guard, GUARD + len + GUARD);
    munmap(g->w, len);
    close(g->fd);
}

/* Write a frame record of @len bytes with @caplen bytes of 0xAB at @off. */
static void put_rec(struct ring *g, uint32_t off, uint32_t len, uint16_t type,
                    uint32_t caplen)
{
    struct vsw_cap_rec *rec = (struct vsw_cap_rec *)(g->wdata + off);

    rec->len = len;
    rec->type = type;
    rec->dir = VSW_CAP_IN;
    rec->caplen = caplen;
    rec->origlen = caplen;
    rec->ts_ns = 42;
    if (type == VSW_CAP_REC_FRAME && HDR + caplen <= RING - off)
        memset(rec->data, 0xAB, caplen);
}

static void publish(struct ring *g, uint64_t head)
{
    __atomic_store_n(&g->w->head, head, __ATOMIC_RELEASE);
}

/* A record the reader hands out is its own: inside bounds, consistent. */
static void check_rec(const struct vsw_cap_rec *rec)
{
    CHECK(rec->len >= HDR && rec->len <= RING && rec->len % 8 == 0);
    CHECK(rec->caplen <= rec->len - HDR);
}

/* A size grown after the reader mapped the ring changes nothing for it:
 * the record is taken at its offset within the size it mapped. */
static void test_ring_size_grown(void)
{
    const struct vsw_cap_rec *rec;
    struct ring g;
    int err;

    ring_open(&g, RING); /* pos is RING: offset 0, or RING under 2*RING */
    put_rec(&g, 0, 64, VSW_CAP_REC_FRAME, 16);
    g.w->size = 1u << 24;
    publish(&g, RING + 64);
    rec = vsw_cap_reader_next(&g.r, &err);
    CHECK(rec != NULL);
    if (rec) {
        check_rec(rec);
        CHECK_EQ(rec->caplen, 16);
        CHECK_EQ(rec->data[0], 0xAB);
    }
    CHECK_EQ(vsw_cap_reader_next(&g.r, &err), NULL);
    CHECK_EQ(err, 0);
    ring_close(&g);
}

/* Record lengths that only fit under a forged size are refused. */
static void test_ring_record_len_beyond_mapping(void)
{
    struct ring g;
    int err;

    ring_open(&g, 0);
    g.w->size = 1u << 24;
    put_rec(&g, 0, 1u << 16, VSW_CAP_REC_PAD, 0);
    publish(&g, (1u << 16) + 64);
    CHECK_EQ(vsw_cap_reader_next(&g.r, &err), NULL);
    CHECK_EQ(err, -EPROTO);
    ring_close(&g);

    ring_open(&g, 0);
    g.w->size = 1u << 24;
    put_rec(&g, 0, RING, VSW_CAP_REC_FRAME, 1u << 20); /* caplen too long */
    publish(&g, RING);
    CHECK_EQ(vsw_cap_reader_next(&g.r, &err), NULL);
    CHECK_EQ(err, -EPROTO);
    ring_close(&g);

    ring_open(&g, 0);
    put_rec(&g, 0, 0, VSW_CAP_REC_PAD, 0); /* a zero length never ends */
    publish(&g, 64);
    CHECK_EQ(vsw_cap_reader_next(&g.r, &err), NULL);
    CHECK_EQ(err, -EPROTO);
    ring_close(&g);
}

/* A head too far ahead or behind the reader is refused. */
static void test_ring_head_out_of_range(void)
{
    struct ring g;
    int err;

    ring_open(&g, 4096);
    g.w->size = 1u << 24;
    put_rec(&g, 4096, 4096, VSW_CAP_REC_PAD, 0);
    publish(&g, 4096 + 2 * RING);
    CHECK_EQ(vsw_cap_reader_next(&g.r, &err), NULL);
    CHECK_EQ(err, -EPROTO);
    publish(&g, 4096 - 8);
    CHECK_EQ(vsw_cap_reader_next(&g.r, &err), NULL);
    CHECK_EQ(err, -EPROTO);
    ring_close(&g);
}

/* What the reader returned does not change when the writer changes the
 * record afterwards: the caller never sees lengths nobody checked. */
static void test_ring_record_read_once(void)
{
    const struct vsw_cap_rec *rec;
    struct vsw_cap_rec *shared;
    struct ring g;
    int err;

    ring_open(&g, 0);
    put_rec(&g, 0, 64, VSW_CAP_REC_FRAME, 16);
    publish(&g, 64);
    rec = vsw_cap_reader_next(&g.r, &err);
    CHECK(rec != NULL);
    shared = (struct vsw_cap_rec *)g.wdata;
    shared->caplen = 1u << 30;
    shared->len = 8;
    if (rec) {
        CHECK_EQ(rec->caplen, 16);
        CHECK_EQ(rec->len, 64);
        check_rec(rec);
    }
    ring_close(&g);
}

struct flipper {
    struct ring *g;
    volatile int stop;
};

/* The hostile writer: lengths, size and head change all the time. */
static void *flip(void *arg)
{
    struct flipper *f = arg;
    struct vsw_cap_rec *rec = (struct vsw_cap_rec *)f->g->wdata;
    unsigned i = 0;

    while (!f->stop) {
        __atomic_store_n(&rec->len, (i & 1) ? 64u : (1u << 20) + 8,
                         __ATOMIC_RELAXED);
        __atomic_store_n(&rec->caplen, (i & 2) ? 16u : 1u << 30,
                         __ATOMIC_RELAXED);
        __atomic_store_n(&f->g->w->size, (i & 4) ? RING : 1u << 24,
                         __ATOMIC_RELAXED);
        __atomic_store_n(&f->g->w->head, (i & 8) ? 64u : 1u << 21,
                         __ATOMIC_RELAXED);
        i++;
    }
    return NULL;
}

static void test_ring_hostile_writer_races(void)
{
    const struct vsw_cap_rec *rec;
    struct flipper f;
    struct ring g;
    pthread_t t;
    unsigned i, got = 0, refused = 0;
    int err;

    ring_open(&g, 0);
    put_rec(&g, 0, 64, VSW_CAP_REC_FRAME, 16);
    publish(&g, 64);
    f.g = &g;
    f.stop = 0;
    CHECK(pthread_create(&t, NULL, flip, &f) == 0);
    for (i = 0; i < 200000; i++) {
        g.r.pos = 0; /* white box: read the same record again */
        rec = vsw_cap_reader_next(&g.r, &err);
        if (rec) {
            check_rec(rec);
            got++;
        } else if (err) {
            refused++;
        }
    }
    f.stop = 1;
    pthread_join(t, NULL);
    CHECK(got + refused > 0);
    ring_close(&g);
}

int main(void)
{
    signal(SIGSEGV, on_segv);
    signal(SIGBUS, on_segv);
    RUN(test_ring_size_grown);
    RUN(test_ring_record_len_beyond_mapping);
    RUN(test_ring_head_out_of_range);
    RUN(test_ring_record_read_once);
    RUN(test_ring_hostile_writer_races);
    return check_summary();
}
