/* SPDX-License-Identifier: MIT */
/*
 * A raw xs_wire client for the xenstore tests.
 *
 * It talks to an in-process server through a socketpair (tc_open) or to a
 * listening socket (tc_connect).  With an in-process server, every wait
 * runs xst_server_dispatch() until the server is idle, so "no reply" and
 * "no event" are decided exactly, without sleeping.  Watch events that
 * arrive while a reply is awaited are kept for tc_event().
 */
#ifndef XST_TEST_CLIENT_H
#define XST_TEST_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xvm/xen.h"
#include <xen/io/xs_wire.h>

#include "xst/xenstore.h"

#define TC_EVENTS 64

struct tc_msg {
    struct xsd_sockmsg hdr;
    char body[XENSTORE_PAYLOAD_MAX + 1]; /* NUL added after hdr.len bytes */
};

struct tc_event {
    char path[XENSTORE_PAYLOAD_MAX + 1];
    char token[XENSTORE_PAYLOAD_MAX + 1];
};

struct tc {
    struct xst_server *srv; /* pumped while waiting */
    int fd;
    bool eof;
    size_t len;
    char buf[4 * (sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX)];
    unsigned nev;        /* events kept by tc_call */
    unsigned ev_dropped; /* beyond TC_EVENTS */
    struct tc_event *ev;
};

/* A socketpair whose server end is served as @domid. */
int tc_open(struct tc *t, struct xst_server *srv, uint16_t domid);
/* Connect to a listening socket, pumping @srv (may be NULL). */
int tc_connect(struct tc *t, struct xst_server *srv, const char *path);
void tc_close(struct tc *t);
/* Dispatch until the server has nothing left to do; returns events. */
int tc_pump(struct tc *t);

/* Send raw bytes; -EPIPE if the server closed, -ETIMEDOUT if stuck. */
int tc_send_raw(struct tc *t, const void *buf, size_t len);
int tc_send(struct tc *t, uint32_t type, uint32_t tx, uint32_t req_id,
            const void *payload, size_t len);
/* The next message: 0, -ETIMEDOUT (none), -EPIPE (connection closed). */
int tc_recv(struct tc *t, struct tc_msg *m);

/*
 * Send a request and wait for its reply, keeping watch events aside.
 * Returns 0 if the reply has the request's type, the negative errno named
 * by an ERROR reply, -EPROTO for anything else, or a tc_recv() error.
 */
int tc_call(struct tc *t, uint32_t type, uint32_t tx, const void *payload,
            size_t len, struct tc_msg *reply);
/* Request with one or two NUL-terminated strings (@b may be NULL). */
int tc_str(struct tc *t, uint32_t type, uint32_t tx, const char *a,
           const char *b, struct tc_msg *reply);
/* READ into @out (NUL-terminated): the value length, or -errno. */
int tc_read(struct tc *t, uint32_t tx, const char *path, char *out, size_t cap);
int tc_write(struct tc *t, uint32_t tx, const char *path, const char *value);
/* SET_PERMS with a space-separated list such as "n5 r0". */
int tc_set_perms(struct tc *t, uint32_t tx, const char *path,
                 const char *perms);
/* GET_PERMS as a space-separated list into @out. */
int tc_get_perms(struct tc *t, uint32_t tx, const char *path, char *out,
                 size_t cap);
/* DIRECTORY as a space-separated list into @out. */
int tc_dir(struct tc *t, uint32_t tx, const char *path, char *out, size_t cap);
/* TRANSACTION_START: the id (> 0) or -errno. */
long tc_tx_start(struct tc *t);
int tc_tx_end(struct tc *t, uint32_t tx, bool commit);
int tc_watch(struct tc *t, const char *path, const char *token);
int tc_unwatch(struct tc *t, const char *path, const char *token);

/* The next watch event: 0, or -ETIMEDOUT if none is pending. */
int tc_event(struct tc *t, struct tc_event *ev);
/* Drop pending events; returns how many there were. */
int tc_drain_events(struct tc *t);

/* errno for an xs_wire error name, or 0 if unknown. */
int tc_errno(const char *name);

#endif /* XST_TEST_CLIENT_H */
