/* SPDX-License-Identifier: MIT */
/* A daemon's control socket and signals (xvm/daemon.h). */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "xvm/daemon.h"
#include "xvm/log.h"

/* The descriptor xvm_unix_accept() gives up to shed a connection when the
 * process has no other; -1 until the first listen. */
static int spare_fd = -1;

static void spare_open(void)
{
    int fd = open("/dev/null", O_RDONLY | O_CLOEXEC), none = -1;

    if (fd >= 0 && !__atomic_compare_exchange_n(&spare_fd, &none, fd, false,
                                                __ATOMIC_SEQ_CST,
                                                __ATOMIC_SEQ_CST))
        close(fd);
}

/* Out of descriptors: take the waiting connection with the spare one and
 * close it, so the listener is no longer readable. */
static void accept_shed(int lfd, int err)
{
    static struct xvm_log_limit shed_limit;
    int fd = __atomic_exchange_n(&spare_fd, -1, __ATOMIC_SEQ_CST);

    if (fd >= 0) {
        close(fd);
        fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (fd >= 0)
            close(fd);
        spare_open();
    }
    xvm_log_limited(&shed_limit, XVM_LOG_WARNING,
                    "out of file descriptors (%s): refusing new clients",
                    strerror(err));
}

long xvm_nofile_raise(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        return -errno;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
            return -errno;
    }
    return rl.rlim_cur > INT_MAX ? INT_MAX : (long)rl.rlim_cur;
}

int xvm_peer_privileged(int fd, const struct ucred *cred, void *arg)
{
    (void)fd;
    (void)arg;
    return cred->uid == 0 || cred->uid == geteuid() ? 0 : -EPERM;
}

int xvm_peer_in_group(int fd, const struct ucred *cred, gid_t gid)
{
    gid_t some[64], *groups = some;
    socklen_t len = sizeof(some);
    int rc = 0;
    size_t i;

    if (cred->gid == gid)
        return 1;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0) {
        if (errno != ERANGE)
            return -errno;
        /* More than fit: len now says how many bytes they take. */
        groups = malloc(len);
        if (!groups)
            return -ENOMEM;
        if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0) {
            rc = -errno;
            goto out;
        }
    }
    for (i = 0; i < len / sizeof(gid_t); i++)
        if (groups[i] == gid) {
            rc = 1;
            break;
        }
out:
    if (groups != some)
        free(groups);
    return rc;
}

/* Is a daemon answering on @sa?  Only a refused connection says no: a
 * full backlog (EAGAIN) or a socket of another type is someone's. */
static bool socket_live(const struct sockaddr_un *sa, int type)
{
    int fd = socket(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    bool live;

    if (fd < 0)
        return true;
    live = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0 ||
           (errno != ECONNREFUSED && errno != ENOENT);
    close(fd);
    return live;
}

/* Make room at @sa: nothing there, or a dead socket of ours removed. */
static int stale_remove(const struct sockaddr_un *sa, int type)
{
    const char *path = sa->sun_path;
    struct stat st;

    if (lstat(path, &st) < 0)
        return errno == ENOENT ? 0 : -errno;
    if (!S_ISSOCK(st.st_mode)) {
        xvm_log_err("%s: not a socket, left alone", path);
        return -EADDRINUSE;
    }
    if (st.st_uid != 0 && st.st_uid != geteuid()) {
        xvm_log_err("%s: a socket of uid %u, left alone", path,
                    (unsigned)st.st_uid);
        return -EPERM;
    }
    if (socket_live(sa, type)) {
        xvm_log_err("%s: another daemon is serving it", path);
        return -EADDRINUSE;
    }
    if (unlink(path) < 0 && errno != ENOENT)
        return -errno;
    return 0;
}

/* The directory of @path, made if missing (one level: mode 0755). */
static int socket_dir_make(const char *path)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');

    if (!slash || slash == path)
        return 0;
    memcpy(dir, path, (size_t)(slash - path));
    dir[slash - path] = '\0';
    if (mkdir(dir, 0755) < 0 && errno != EEXIST)
        return -errno;
    return 0;
}

int xvm_unix_listen(const char *path, int type, mode_t mode)
{
    return xvm_unix_listen_group(path, type, mode, (gid_t)-1);
}

int xvm_unix_listen_group(const char *path, int type, mode_t mode, gid_t gid)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int fd, rc;

    if (strlen(path) >= sizeof(sa.sun_path)) {
        xvm_log_err("%s: socket path too long", path);
        return -ENAMETOOLONG;
    }
    strcpy(sa.sun_path, path);
    rc = socket_dir_make(path);
    if (rc == 0)
        rc = stale_remove(&sa, type & ~SOCK_NONBLOCK);
    if (rc < 0)
        goto log;
    fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        rc = -errno;
        goto log;
    }
    /* Nobody can connect before listen(), so the chown and chmod leave
     * no window in which the umask's mode lets a stranger in. */
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        rc = -errno;
        goto close_fd;
    }
    if ((gid != (gid_t)-1 && lchown(path, (uid_t)-1, gid) < 0) ||
        chmod(path, mode) < 0 || listen(fd, 64) < 0) {
        rc = -errno;
        unlink(path);
        goto close_fd;
    }
    spare_open();
    return fd;

close_fd:
    close(fd);
log:
    if (rc != -EPERM && rc != -EADDRINUSE)
        xvm_log_err("cannot listen on %s: %s", path, strerror(-rc));
    return rc;
}

int xvm_unix_accept(int lfd, int flags, xvm_peer_check_fn *check, void *arg)
{
    struct ucred cred;
    socklen_t len = sizeof(cred);
    int fd = accept4(lfd, NULL, NULL, flags | SOCK_CLOEXEC);

    if (fd < 0 && (errno == EMFILE || errno == ENFILE)) {
        int e = errno;

        accept_shed(lfd, e);
        return -e;
    }
    if (fd < 0)
        return errno == EWOULDBLOCK ? -EAGAIN : -errno;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
        close(fd);
        return -EPERM;
    }
    if ((check ? check : xvm_peer_privileged)(fd, &cred, arg) < 0) {
        xvm_log_warn("refused a client of uid %u (pid %d)", (unsigned)cred.uid,
                     (int)cred.pid);
        close(fd);
        return -EPERM;
    }
    return fd;
}

int xvm_signalfd_open(int extra)
{
    sigset_t set;
    int fd;

    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    if (extra)
        sigaddset(&set, extra);
    if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
        return -errno;
    signal(SIGPIPE, SIG_IGN);
    fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    return fd < 0 ? -errno : fd;
}

int xvm_signalfd_next(int sfd)
{
    struct signalfd_siginfo si;
    ssize_t n = read(sfd, &si, sizeof(si));

    if (n == (ssize_t)sizeof(si))
        return (int)si.ssi_signo;
    if (n < 0 && errno != EAGAIN)
        return -errno;
    return 0;
}

int xvm_daemon_ready(const char *fmt, ...)
{
    const char *path = getenv("NOTIFY_SOCKET");
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    char msg[512];
    size_t n;
    int fd, len, rc = 1;

    if (!path || !*path)
        return 0;
    n = strlen(path);
    if ((path[0] != '/' && path[0] != '@') || n < 2 ||
        n >= sizeof(sa.sun_path)) {
        xvm_log_warn("NOTIFY_SOCKET '%s' is no socket name: the service "
                     "manager is not told the daemon is ready", path);
        return -EINVAL;
    }
    memcpy(sa.sun_path, path, n);
    if (path[0] == '@')
        sa.sun_path[0] = '\0';
    len = snprintf(msg, sizeof(msg), "READY=1\nSTATUS=%s", fmt ? "" : "ready");
    if (fmt) {
        va_list ap;

        va_start(ap, fmt);
        len += vsnprintf(msg + len, sizeof(msg) - (size_t)len, fmt, ap);
        va_end(ap);
    }
    if (len < 0 || (size_t)len >= sizeof(msg))
        len = (int)sizeof(msg) - 1;
    /* One STATUS line: a control character (a newline in a socket path)
     * would start another field of the protocol. */
    for (int i = (int)sizeof("READY=1\nSTATUS=") - 1; i < len; i++)
        if (iscntrl((unsigned char)msg[i]))
            msg[i] = '?';
    /* Never wait on a manager that does not read. */
    fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0 ||
        sendto(fd, msg, (size_t)len, MSG_NOSIGNAL | MSG_DONTWAIT,
               (struct sockaddr *)&sa,
               (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n)) < 0) {
        rc = -errno;
        xvm_log_warn("cannot tell the service manager at %s the daemon is "
                     "ready: %s", path, strerror(-rc));
    }
    if (fd >= 0)
        close(fd);
    return rc;
}

int xvm_group_resolve(const char *prog, const char *opt, gid_t *gid)
{
    const char *name = opt ? opt : XVM_READ_GROUP;
    struct group *gr;
    unsigned long v;
    char *end;

    *gid = (gid_t)-1;
    if (opt && strcmp(opt, "none") == 0)
        return 0;
    if (isdigit((unsigned char)*name)) {
        errno = 0;
        v = strtoul(name, &end, 10);
        if (*end || errno || v >= (gid_t)-1) {
            fprintf(stderr, "%s: -G: '%s' is not a group\n", prog, name);
            return -1;
        }
        *gid = (gid_t)v;
        return 0;
    }
    errno = 0;
    gr = getgrnam(name);
    if (gr) {
        *gid = gr->gr_gid;
        return 0;
    }
    if (opt) {
        fprintf(stderr, "%s: -G: no group named '%s'%s%s\n", prog, name,
                errno ? ": " : "", errno ? strerror(errno) : "");
        return -1;
    }
    xvm_log_info("group %s does not exist: the control socket is root-only "
                 "(make install creates it; see %s(8))", name, prog);
    return 0;
}

int xvm_peer_reader_check(int fd, const struct ucred *cred, void *arg)
{
    struct xvm_peer_verdict *v = arg;

    v->ro = false;
    v->cred = *cred;
    if (xvm_peer_privileged(fd, cred, NULL) == 0)
        return 0;
    if (v->gid == (gid_t)-1 || xvm_peer_in_group(fd, cred, v->gid) != 1)
        return -EPERM;
    v->ro = true;
    return 0;
}
