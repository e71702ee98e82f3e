/* SPDX-License-Identifier: MIT */
/* minios: the xenstore client (see xs.h). */
#include <stdint.h>

#include <xen/io/xs_wire.h>

#include "console.h"
#include "evtchn.h"
#include "hcall.h"
#include "mm.h"
#include "xs.h"

#define ENOENT 2
#define EIO 5
#define EACCES 13
#define EINVAL 22
#define E2BIG 7
#define EPROTO 71
#define ETIMEDOUT 110

/* How long one request may take: this many waits of XS_WAIT_NS. */
#define XS_WAIT_NS 1000000ull
#define XS_WAITS 20000u

static struct xenstore_domain_interface *ring;
static uint32_t req_id;

int xs_init(void)
{
    int64_t rc;

    ring = mm_frame(MM_XS_GFN);
    memset(ring, 0, XKVM_PAGE_SIZE);
    rc = hc_xs_setup(MM_XS_GFN);
    if (rc < 0)
        ring = NULL;
    return (int)rc;
}

static int ring_put(const void *data, uint32_t len)
{
    const char *p = data;
    unsigned waits = 0;

    while (len > 0) {
        XENSTORE_RING_IDX cons =
            __atomic_load_n(&ring->req_cons, __ATOMIC_ACQUIRE);
        XENSTORE_RING_IDX prod = ring->req_prod;
        uint32_t space = XENSTORE_RING_SIZE - (prod - cons);
        uint32_t off = MASK_XENSTORE_IDX(prod), n;

        if (space > XENSTORE_RING_SIZE)
            return -EPROTO;
        if (space == 0) {
            hc_xs_notify();
            if (++waits > XS_WAITS)
                return -ETIMEDOUT;
            evtchn_block(XS_WAIT_NS);
            continue;
        }
        n = XENSTORE_RING_SIZE - off;
        if (n > space)
            n = space;
        if (n > len)
            n = len;
        memcpy(ring->req + off, p, n);
        __atomic_store_n(&ring->req_prod, prod + n, __ATOMIC_RELEASE);
        p += n;
        len -= n;
    }
    hc_xs_notify();
    return 0;
}

/* Take @len bytes (into @data, or dropped when NULL). */
static int ring_get(void *data, uint32_t len)
{
    char *p = data;
    unsigned waits = 0;

    while (len > 0) {
        XENSTORE_RING_IDX prod =
            __atomic_load_n(&ring->rsp_prod, __ATOMIC_ACQUIRE);
        XENSTORE_RING_IDX cons = ring->rsp_cons;
        uint32_t avail = prod - cons, off = MASK_XENSTORE_IDX(cons), n;

        if (avail > XENSTORE_RING_SIZE)
            return -EPROTO;
        if (avail == 0) {
            if (ring->error || ++waits > XS_WAITS)
                return ring->error ? -EIO : -ETIMEDOUT;
            evtchn_block(XS_WAIT_NS);
            continue;
        }
        n = XENSTORE_RING_SIZE - off;
        if (n > avail)
            n = avail;
        if (n > len)
            n = len;
        if (p) {
            memcpy(p, ring->rsp + off, n);
            p += n;
        }
        __atomic_store_n(&ring->rsp_cons, cons + n, __ATOMIC_RELEASE);
        len -= n;
        hc_xs_notify(); /* room for the monitor to relay more */
    }
    return 0;
}

static int error_code(const char *name)
{
    if (strcmp(name, "ENOENT") == 0)
        return -ENOENT;
    if (strcmp(name, "EACCES") == 0)
        return -EACCES;
    if (strcmp(name, "EINVAL") == 0)
        return -EINVAL;
    return -EIO;
}

/* One request of @type with payload @a (@alen) then @b (@blen); the
 * reply's payload in @reply (@cap bytes, NUL-terminated). */
static int request(uint32_t type, const void *a, uint32_t alen,
                   const void *b, uint32_t blen, char *reply, size_t cap)
{
    struct xsd_sockmsg m = { .type = type, .req_id = ++req_id, .tx_id = 0,
                             .len = alen + blen };
    int rc;

    if (!ring)
        return -EIO;
    if (m.len > XENSTORE_PAYLOAD_MAX)
        return -E2BIG;
    rc = ring_put(&m, sizeof(m));
    if (rc == 0)
        rc = ring_put(a, alen);
    if (rc == 0 && blen)
        rc = ring_put(b, blen);
    for (;;) {
        if (rc == 0)
            rc = ring_get(&m, sizeof(m));
        if (rc < 0)
            return rc;
        if (m.len > XENSTORE_PAYLOAD_MAX)
            return -EPROTO;
        if (m.type == XS_WATCH_EVENT) { /* none are set; drop any */
            rc = ring_get(NULL, m.len);
            continue;
        }
        if (m.req_id != req_id)
            return -EPROTO;
        if (m.len >= cap) {
            rc = ring_get(NULL, m.len);
            return rc < 0 ? rc : -E2BIG;
        }
        rc = ring_get(reply, m.len);
        if (rc < 0)
            return rc;
        reply[m.len] = 0;
        if (m.type == XS_ERROR)
            return error_code(reply);
        return m.type == type ? (int)m.len : -EPROTO;
    }
}

int xs_read(const char *path, char *buf, size_t cap)
{
    return request(XS_READ, path, (uint32_t)strlen(path) + 1, NULL, 0, buf,
                   cap);
}

int xs_read_uint(const char *path, uint64_t max, uint64_t *v)
{
    char buf[24];
    int n = xs_read(path, buf, sizeof(buf));
    uint64_t x = 0;

    if (n <= 0)
        return n < 0 ? n : -EINVAL;
    for (int i = 0; i < n; i++) {
        if (buf[i] < '0' || buf[i] > '9' || x > (max - (uint64_t)(buf[i] - '0')) / 10)
            return -EINVAL;
        x = x * 10 + (uint64_t)(buf[i] - '0');
    }
    *v = x;
    return 0;
}

int xs_write(const char *path, const char *value)
{
    char ack[8];
    int rc = request(XS_WRITE, path, (uint32_t)strlen(path) + 1, value,
                     (uint32_t)strlen(value), ack, sizeof(ack));

    return rc < 0 ? rc : 0;
}
