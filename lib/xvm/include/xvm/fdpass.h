/* SPDX-License-Identifier: MIT */
/*
 * xvm/fdpass.h - Unix sockets: connect to one by path, and send and
 * receive file descriptors over one (SCM_RIGHTS), used to hand a domain's
 * memfd and event-channel eventfds to the backend that serves it.
 */
#ifndef XVM_FDPASS_H
#define XVM_FDPASS_H

#include "xvm/export.h"

#include <stddef.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/** How long a command-line tool waits for a daemon (connect, each send
 *  and each receive): xvm and dladm give up after it. */
#define XVM_CALL_TIMEOUT_MS 10000

/**
 * Connect a new Unix socket of @type (SOCK_STREAM or SOCK_SEQPACKET, may
 * carry SOCK_NONBLOCK; SOCK_CLOEXEC is always added) to @path.  With
 * @timeout_ms > 0 a blocking connect, send or receive on it that waits
 * longer fails with EAGAIN (SO_SNDTIMEO, SO_RCVTIMEO).
 * @return the fd, or -errno (-ENAMETOOLONG, -ENOENT, -ECONNREFUSED,
 *         -EAGAIN: no room in the listener's backlog for @timeout_ms).
 */
XVN_EXPORT
int xvm_unix_connect(const char *path, int type, unsigned timeout_ms);

/**
 * Who may use the daemon socket @path, from its group and mode (a daemon
 * with a read-only group makes its socket root:GROUP 0660): "needs root",
 * or "needs root, or group NAME to read".  For a refused connect's
 * message.  @return @buf.
 */
XVN_EXPORT
const char *xvm_unix_who_may(const char *path, char *buf, size_t cap);

/** Most descriptors one message may carry. */
#define XVM_FDPASS_MAX 16

/**
 * Send @len bytes of @buf (at least 1 byte) with @nfds descriptors attached.
 * @return bytes sent, or -errno (-EINVAL if @nfds > XVM_FDPASS_MAX or
 *         @len == 0).
 */
XVN_EXPORT
ssize_t xvm_fd_send(int sock, const void *buf, size_t len, const int *fds,
                    unsigned nfds);

/**
 * Receive one message into @buf (@cap bytes) and up to @max_fds descriptors
 * into @fds; *@nfds is set to the number received.  Descriptors beyond
 * @max_fds, and all of them when the message was truncated, are closed and
 * the call fails with -EMSGSIZE, so a peer cannot leak fds into us.
 * Received fds have O_CLOEXEC set.
 * @return bytes received (0 on orderly shutdown), or -errno.
 */
XVN_EXPORT
ssize_t xvm_fd_recv(int sock, void *buf, size_t cap, int *fds,
                    unsigned max_fds, unsigned *nfds);

#ifdef __cplusplus
}
#endif

#endif /* XVM_FDPASS_H */
