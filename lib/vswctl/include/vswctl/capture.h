/* SPDX-License-Identifier: MIT */
/*
 * vsw/capture.h - packet capture on links, VNICs and etherstubs.
 *
 * A root client asks vswitchd for a capture (VSW_CMD_CAPTURE, below) on a
 * named object, a direction, a snap length and an optional pcap filter.
 * vswitchd compiles the filter with libpcap, converts it to eBPF
 * (rte_bpf_convert, JIT when available) and attaches the capture to the
 * fast path.  The fast path runs the filter on every frame passing the
 * capture point and copies the frames that match, cut to the snap length,
 * with a nanosecond timestamp, into a ring in shared memory (a sealed
 * memfd) that the client maps.  A full ring drops the frame and counts
 * it: a capture never slows the switch.
 *
 * What is seen, by object (IN and OUT name the directions -D selects):
 *  - physical link: wire frames as received (IN) and as sent (OUT), with
 *    their 802.1Q tags;
 *  - VNIC: the frames of that VNIC only, untagged, as its guest sees them:
 *    IN what the guest receives, OUT what the guest sends (before the
 *    switch's checks, so a spoofed frame is seen and then dropped);
 *  - etherstub: every VNIC on it, from the stub's side: IN frames a VNIC
 *    sends into the stub, OUT frames the stub delivers to a VNIC.  So a
 *    unicast frame between two of its VNICs is seen once IN and once OUT.
 *
 * The capture lives as long as the client's control connection: when it
 * closes (the reader exits or dies) vswitchd detaches and frees it.  When
 * the object is deleted or vswitchd stops, vswitchd marks the ring ended
 * (VSW_CAP_END_*) and wakes the reader; a vswitchd that dies closes the
 * connection, which the reader sees as a hang-up.
 *
 * Three parts: the wire format of the request (no DPDK), the shared ring
 * and its reader (libvswclient, no DPDK), and the switch side (libvsw).
 */
#ifndef VSWCTL_CAPTURE_H
#define VSWCTL_CAPTURE_H

#include "xvm/export.h"

#include <stddef.h>
#include <stdint.h>

#include "vswctl/ctl.h"
#include "vswctl/defs.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Directions, as bits. */
enum vsw_cap_dir {
    VSW_CAP_IN = 1,
    VSW_CAP_OUT = 2,
    VSW_CAP_BOTH = 3,
};

/** Bounds and defaults. */
#define VSW_CAP_SNAPLEN_MAX 65535
#define VSW_CAP_RING_MIN (8u << 10)
#define VSW_CAP_RING_MAX (256u << 20)
#define VSW_CAP_RING_DEFAULT (4u << 20)
/** Longest filter expression, terminating NUL included. */
#define VSW_CAP_FILTER_MAX 2048
/** Captures a switch holds at once. */
#define VSW_CAP_MAX 64

/* ---- the request (VSW_CMD_CAPTURE, attributes: vswctl/ctl.h) ---- */

/** What a capture asks for. */
struct vsw_cap_req {
    const char *name;           /**< link, VNIC or etherstub */
    uint32_t dir;               /**< enum vsw_cap_dir bits, not 0 */
    uint32_t snaplen;           /**< 0: VSW_CAP_SNAPLEN_MAX */
    uint32_t ring_bytes;        /**< 0: VSW_CAP_RING_DEFAULT; rounded up
                                     to a power of two */
    const char *filter;         /**< pcap expression; NULL or "" = all */
};

/** What vswitchd answered. */
struct vsw_cap_rep {
    int32_t status;             /**< 0 or -errno */
    enum vsw_status code;       /**< why, beyond the errno (vswctl/defs.h) */
    uint32_t ring_bytes;        /**< the data area's size */
    char err[VSW_ERRMSGSIZ];    /**< vswitchd's details, for logs */
};

/* ---- the shared ring ----
 *
 * The memfd holds a struct vsw_cap_shm at offset 0 and the data area of
 * shm->size bytes (a power of two) at VSW_CAP_DATA_OFF.  Records are
 * 8-byte aligned, a struct vsw_cap_rec and caplen bytes of frame; a record
 * never wraps: when one does not fit before the end, a PAD record fills
 * the rest.  head and tail count bytes since the start (free running):
 * vswitchd writes head (release) after the records, the reader writes tail
 * after it is done with them.  vswitchd trusts nothing the reader writes:
 * a bogus tail only makes the ring look full.
 *
 * Wake-up: a reader about to sleep sets waiting, re-checks head, then
 * polls the eventfd; vswitchd, after publishing head, writes the eventfd
 * when waiting is set (and clears it), at most once per burst.
 */
#define VSW_CAP_MAGIC 0x70637376u /* "vscp" */
#define VSW_CAP_VERSION 1
#define VSW_CAP_DATA_OFF 4096

enum vsw_cap_end {
    VSW_CAP_END_NONE = 0,
    VSW_CAP_END_GONE = 1,  /**< the object was deleted */
    VSW_CAP_END_STOP = 2,  /**< vswitchd is stopping */
};

struct vsw_cap_shm {
    uint32_t magic;
    uint32_t version;
    uint32_t size;          /**< data area bytes */
    uint32_t snaplen;
    uint32_t cls;           /**< enum vsw_class of the object */
    uint32_t dir;           /**< what was asked */
    char name[LP_NAMSIZ];
    /* written by vswitchd */
    _Alignas(64) uint64_t head;
    uint64_t drops;         /**< frames matched but not stored: ring full */
    uint32_t ended;         /**< enum vsw_cap_end */
    /* written by the reader */
    _Alignas(64) uint64_t tail;
    uint32_t waiting;
};

enum vsw_cap_rec_type {
    VSW_CAP_REC_FRAME = 1,
    VSW_CAP_REC_PAD = 2,
};

struct vsw_cap_rec {
    uint32_t len;           /**< of the record, header included; 8 | len */
    uint16_t type;          /**< enum vsw_cap_rec_type */
    uint16_t dir;           /**< VSW_CAP_IN or VSW_CAP_OUT */
    uint32_t caplen;        /**< frame bytes that follow */
    uint32_t origlen;       /**< the frame's length */
    uint64_t ts_ns;         /**< CLOCK_REALTIME, nanoseconds */
    uint8_t data[];
};

/* ---- client side (libvswclient) ---- */

/**
 * Ask vswitchd at @sock (NULL: the runtime directory's) for a capture.
 * On success *@conn is the connection to keep open while capturing,
 * *@memfd and *@evfd the ring's descriptors (the caller closes all three).
 * @return 0, or -errno with a message in @rep->err (the server's or local).
 */
XVN_EXPORT
int vsw_cap_request(const char *sock, const struct vsw_cap_req *req,
                    struct vsw_cap_rep *rep, int *conn, int *memfd,
                    int *evfd);

/**
 * A mapped ring.  Fields are private to the functions below.  The reader
 * trusts nothing in the shared ring: what it needs from there is read once
 * into these fields or into @rec, checked, then used.
 */
struct vsw_cap_reader {
    int conn, memfd, evfd;   /* conn may be -1 (tests) */
    struct vsw_cap_shm *shm;
    uint8_t *data;
    size_t map_len;
    uint32_t size;           /* data area bytes, as mapped */
    uint32_t snaplen;        /* as read at init */
    struct vsw_cap_rec *rec; /* the record handed out: a private copy */
    uint64_t pos;            /* next record to read */
    int hup;                 /* the connection ended */
};

/**
 * Map the ring of @memfd; the reader takes the three descriptors over
 * (@conn may be -1).  @return 0 or -errno (EPROTO: not a capture ring, or
 * one not sealed against shrinking).
 */
XVN_EXPORT
int vsw_cap_reader_init(struct vsw_cap_reader *r, int conn, int memfd,
                        int evfd);
/** Unmap and close.  Accepts a reader that failed to init. */
XVN_EXPORT
void vsw_cap_reader_fini(struct vsw_cap_reader *r);

/**
 * The next record, skipping padding; NULL when the ring is empty (or
 * holds garbage: *@err then gets -EPROTO).  The record is the reader's
 * private copy, checked (caplen bytes of frame follow its header); it stays
 * valid until the next call.
 */
XVN_EXPORT
const struct vsw_cap_rec *vsw_cap_reader_next(struct vsw_cap_reader *r,
                                              int *err);
/** Give back every record read so far. */
XVN_EXPORT
void vsw_cap_reader_done(struct vsw_cap_reader *r);

/**
 * Wait up to @timeout_ms (-1: forever) for records.
 * @return 1 records are there; 0 timeout; -EPIPE the capture ended (see
 *         vsw_cap_reader_end()) and nothing is left; -EINTR a signal.
 */
XVN_EXPORT
int vsw_cap_reader_wait(struct vsw_cap_reader *r, int timeout_ms);

/** Frames the ring had no room for, so far. */
XVN_EXPORT
uint64_t vsw_cap_reader_drops(const struct vsw_cap_reader *r);
/** Why the capture ended: enum vsw_cap_end, or -1 for a hang-up. */
XVN_EXPORT
int vsw_cap_reader_end(const struct vsw_cap_reader *r);

#ifdef __cplusplus
}
#endif

#endif /* VSWCTL_CAPTURE_H */
