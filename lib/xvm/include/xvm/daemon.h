/* SPDX-License-Identifier: MIT */
/*
 * xvm/daemon.h - what every xvnet daemon needs around its own work: the
 * control socket and who may use it, its state directory and state files,
 * its signals.  xvmd, xenstored (libxst) and vswitchd (libvswmgr) use
 * these and nothing of their own; the log is xvm/log.h.
 *
 * Trust: a daemon runs as root and trusts only files and sockets that
 * root (its effective uid) made.  A state directory or state file that
 * someone else owns or may write, a symbolic link, a FIFO or a device
 * where a state file should be is refused with a logged reason, at
 * once: nothing here blocks on a file or follows a planted link.
 *
 * Failures are logged (xvm/log.h) with the path and the reason unless
 * said otherwise, so a caller only needs to stop.
 *
 * Threads: any thread; nothing here keeps state between calls, except
 * xvm_signalfd_open() and xvm_nofile_raise(), which belong to main()
 * before other threads start, and the one spare descriptor that
 * xvm_unix_listen() keeps for xvm_unix_accept() (taken atomically).
 */
#ifndef XVM_DAEMON_H
#define XVM_DAEMON_H

#include "xvm/export.h"

#include <stddef.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the control socket ---------------------------------------------- */

/**
 * Decides whether the peer @cred of the new connection @fd may stay.
 * @return 0 to accept it, -EPERM to refuse it.  A daemon that lets a
 * read-only group in (vswitchd) passes its own check, which asks
 * xvm_peer_in_group() and leaves in @arg (the caller's) what the
 * connection may do.
 */
typedef int xvm_peer_check_fn(int fd, const struct ucred *cred, void *arg);

/** The group whose members may read a daemon's state (`-G`). */
#define XVM_READ_GROUP "xvnet"

/**
 * A daemon's read-only group from its `-G` option @opt (NULL: not given)
 * into *@gid: a number is taken as it is (no such group need exist); a
 * name must exist, unless it is the default XVM_READ_GROUP, whose absence
 * leaves the socket root-only (logged, naming @prog's man page); "none"
 * is root-only.  (gid_t)-1 means root-only.
 * @return 0, or -1 with a message on stderr prefixed "@prog: -G: ".
 */
XVN_EXPORT
int xvm_group_resolve(const char *prog, const char *opt, gid_t *gid);

/**
 * What xvm_peer_reader_check() is given (@gid) and leaves (@ro, @cred).
 */
struct xvm_peer_verdict {
    gid_t gid;         /**< the read-only group; (gid_t)-1: none */
    bool ro;           /**< a member of it, not root: reads only */
    struct ucred cred; /**< the peer's credentials */
};

/**
 * A check for xvm_unix_accept() with a struct xvm_peer_verdict as @arg:
 * root (or the daemon's uid) may do everything, a member of @arg->gid
 * may read (@arg->ro set); anyone else is refused (-EPERM).
 */
XVN_EXPORT
int xvm_peer_reader_check(int fd, const struct ucred *cred, void *arg);

/** The default check: root, or the daemon's own effective uid. */
XVN_EXPORT
int xvm_peer_privileged(int fd, const struct ucred *cred, void *arg);

/**
 * Is the peer of connection @fd, whose credentials are @cred
 * (SO_PEERCRED), in group @gid: its gid, or one of its supplementary
 * groups as they were when it connected (SO_PEERGROUPS)?
 * @return 1 yes, 0 no, or -errno (not logged).
 */
XVN_EXPORT
int xvm_peer_in_group(int fd, const struct ucred *cred, gid_t gid);

/**
 * Listen on a new Unix socket of @type (SOCK_STREAM or SOCK_SEQPACKET,
 * may carry SOCK_NONBLOCK; SOCK_CLOEXEC is added) bound at @path with file
 * mode @mode (0600: root only).
 *
 * The directory of @path is made if missing (mode 0755; one level, its
 * parent must exist).  What is already
 * at @path is replaced only if it is a socket of root or of the daemon
 * that nobody answers on (a daemon that died); a live socket, or
 * anything but a socket, is left alone: -EADDRINUSE.
 * The first successful call also opens the process's spare descriptor
 * (see xvm_unix_accept()).
 * @return the listening fd, or -errno (-ENAMETOOLONG, -EADDRINUSE,
 *         -EPERM: a socket of another uid, ...).
 */
XVN_EXPORT
int xvm_unix_listen(const char *path, int type, mode_t mode);

/**
 * xvm_unix_listen(), and the socket file's group is @gid ((gid_t)-1:
 * left as made), set before anyone can connect: with @mode 0660 the
 * members of @gid may connect too (the peer check still decides).
 */
XVN_EXPORT
int xvm_unix_listen_group(const char *path, int type, mode_t mode, gid_t gid);

/**
 * Accept one connection on @lfd with @flags (SOCK_NONBLOCK; SOCK_CLOEXEC
 * is added) and ask @check (NULL: xvm_peer_privileged()) about the peer's
 * credentials (SO_PEERCRED).  A refused peer is logged and closed.
 * When the process is out of descriptors (EMFILE, ENFILE) the waiting
 * connection is taken with the spare descriptor and closed at once, so
 * the client sees its connection end instead of waiting, and the
 * listening socket stops being readable (a level-triggered loop would
 * otherwise spin on it); this is logged through one limit
 * (xvm_log_limited(): ten lines, then one a second).
 * @return the connection's fd, or -errno: -EAGAIN (nothing waiting),
 *         -EPERM (refused), -EMFILE or -ENFILE (refused for want of
 *         descriptors), or accept(2)'s other errors (not logged).
 */
XVN_EXPORT
int xvm_unix_accept(int lfd, int flags, xvm_peer_check_fn *check, void *arg);

/**
 * Raise the soft limit on open descriptors (RLIMIT_NOFILE) to the hard
 * limit, so that a daemon's quotas are computed from the most it may
 * hold.  Call from main() at start.
 * @return the soft limit now in force (capped at INT_MAX), or -errno.
 */
XVN_EXPORT
long xvm_nofile_raise(void);

/* ---- signals ------------------------------------------------------------ */

/**
 * Block SIGTERM, SIGINT and SIGHUP, and @extra unless 0 (SIGCHLD, say),
 * ignore SIGPIPE (a peer gone is an EPIPE, not a death), and return a
 * non-blocking signalfd (close-on-exec) that reports them.
 * @return the fd, or -errno.
 */
XVN_EXPORT
int xvm_signalfd_open(int extra);

/**
 * The next signal waiting on @sfd (xvm_signalfd_open()).
 * @return its number, 0 if none is waiting, or -errno.  Not logged.
 */
XVN_EXPORT
int xvm_signalfd_next(int sfd);

/**
 * Tell the service manager that started the daemon that it is ready:
 * systemd's notify protocol (a unit of Type=notify), "READY=1" and
 * "STATUS=" and @fmt's text ("ready" if NULL) in one datagram to the AF_UNIX socket named by
 * $NOTIFY_SOCKET (a path, or an abstract name written with a leading
 * '@').  Call it once the control socket listens.  Without the variable
 * nothing is sent.  The send never blocks, and a control character in
 * the status is sent as '?' (the status stays one field).  A daemon that
 * starts other programs removes the variable after the call (they are
 * not the service), where no other thread reads the environment.
 * @return 1 sent, 0 no manager asked, or -errno (logged as a warning: a
 *         daemon goes on without it).
 */
XVN_EXPORT
int xvm_daemon_ready(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* ---- the state directory and state files ------------------------------- */

/**
 * Make the state directory @path (mkdir -p, new directories get @mode)
 * and check it: a directory (a symbolic link to one is followed), owned
 * by the daemon's effective uid, writable by nobody else (no group or
 * other write bit).  Then remove what a crash in xvm_file_write() left
 * in it (its ".<name>.tmp" files).
 * @return 0, or -errno: -ENOTDIR, -EPERM (wrong owner or mode), or
 *         mkdir(2)'s or opendir(2)'s error.
 */
XVN_EXPORT
int xvm_state_dir(const char *path, mode_t mode);

/**
 * Replace the file @path with @len bytes of @data, file mode @mode, so
 * that a crash leaves either the old or the new file: the data go to a
 * new file ".<name>.tmp" in the same directory (O_CREAT | O_EXCL |
 * O_NOFOLLOW: whatever was planted there is removed, never followed or
 * written through), which is fsynced and renamed over @path; then the
 * directory is fsynced.  Not logged: the caller says what it was saving.
 * @return 0 or -errno.
 */
XVN_EXPORT
int xvm_file_write(const char *path, const void *data, size_t len, mode_t mode);

/**
 * Write @text with one write(2) to the existing file @path, relative to
 * @dirfd (AT_FDCWD: the working directory): a kernel interface such as a
 * cgroup's control file or /proc/PID/uid_map, which takes a value whole.
 * Nothing is created.  @return 0 or -errno.
 */
XVN_EXPORT
int xvm_file_put(int dirfd, const char *path, const char *text);

/** xvm_file_read(): @path is a state file the daemon wrote itself. */
#define XVM_FILE_OWNED 0x1u

/**
 * Read the whole regular file @path, at most @max bytes, into *@data
 * (malloc'd, NUL-terminated, free() it) and its length into *@len.
 * The open never blocks (O_NONBLOCK): a FIFO or a device is refused at
 * once, as is a file longer than @max.  With XVM_FILE_OWNED in @flags
 * @path must also be no symbolic link (O_NOFOLLOW), owned by the
 * daemon's effective uid and writable by nobody else; without it (a
 * configuration file an administrator wrote) a link is followed.
 * @return 0, or -errno: -ENOENT (no file: not logged), -ELOOP (a
 *         symbolic link), -EINVAL (not a regular file), -EPERM (owner or
 *         mode), -EFBIG (too long), -ENOMEM, or an I/O error.
 */
XVN_EXPORT
int xvm_file_read(const char *path, unsigned flags, size_t max, char **data,
                  size_t *len);

/**
 * Open the file @path to append to it (a log the daemon keeps beside its
 * state files), making it with file mode @mode if it is missing.  As for
 * a state file, nothing planted there is followed or blocked on: a
 * symbolic link (O_NOFOLLOW), a FIFO or a device (the open does not block,
 * then anything but a regular file is refused), or a file of another uid
 * or that group or others may write is refused.
 * @param size  receives the file's current size, if not NULL
 * @return the fd (O_APPEND, close-on-exec, blocking), or -errno: -ELOOP,
 *         -ENXIO (a FIFO nobody reads), -EINVAL (not a regular file),
 *         -EPERM (owner or mode), or open(2)'s error; logged, as the
 *         refusals are.
 */
XVN_EXPORT
int xvm_file_append_open(const char *path, mode_t mode, off_t *size);

#ifdef __cplusplus
}
#endif

#endif /* XVM_DAEMON_H */
