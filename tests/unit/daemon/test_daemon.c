/* SPDX-License-Identifier: MIT */
/*
 * The daemon kit (xvm/daemon.h, xvm/log.h) on real files in a temporary
 * directory: log lines carry an ISO 8601 timestamp and the daemon's name;
 * a state directory of another owner or writable by others is refused,
 * and what a crash left in it is removed; an atomic write goes through an
 * O_EXCL temporary file and never through a link planted at its name; a
 * state file that is a link to /dev/zero, a FIFO, another owner's, or too
 * long is refused at once, and so is such a log file to append to; the
 * control socket replaces only a dead socket of its own and asks the peer
 * check about every client, which can tell a member of a group by its gid
 * or its supplementary groups (a socket of mode 0660 in that group keeps
 * everyone else out); signals arrive on
 * the signalfd; the service manager hears "READY=1" at $NOTIFY_SOCKET.
 * Parts that need root (chown) say so and are skipped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "xvm/daemon.h"
#include "xvm/fdpass.h"
#include "xvm/log.h"

#define OTHER_UID 12345
#define OTHER_GID 12346

static char tmpdir[64];

/* @name in the test's directory; a ring of buffers, each good for the
 * next 15 calls. */
static const char *at(const char *name)
{
    static char path[16][256];
    static unsigned i;

    i = (i + 1) % 16;
    snprintf(path[i], sizeof(path[i]), "%s/%s", tmpdir, name);
    return path[i];
}

/* The whole of @path, or "" (a static buffer). */
static const char *slurp(const char *path)
{
    static char buf[4096];
    ssize_t n;
    int fd = open(path, O_RDONLY);

    buf[0] = '\0';
    if (fd < 0)
        return buf;
    n = read(fd, buf, sizeof(buf) - 1);
    buf[n > 0 ? n : 0] = '\0';
    close(fd);
    return buf;
}

static void put(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

    CHECK(fd >= 0);
    if (fd < 0)
        return;
    CHECK_EQ(write(fd, text, strlen(text)), (long long)strlen(text));
    fchmod(fd, mode);
    close(fd);
}

/* What the log writes while @fn runs, captured from stderr. */
static const char *log_capture(void (*fn)(void))
{
    const char *path = at("log");
    int saved = dup(STDERR_FILENO);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

    dup2(fd, STDERR_FILENO);
    close(fd);
    fn();
    dup2(saved, STDERR_FILENO);
    close(saved);
    return slurp(path);
}

static void log_some(void)
{
    xvm_log_info("hello %d", 42);
    xvm_log_debug("not at this level");
    xvm_log_err("it %s", "broke");
}

static void test_log_lines(void)
{
    const char *pat = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:"
                      "[0-9]{2}\\.[0-9]{3}Z testd: hello 42\n"
                      "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:"
                      "[0-9]{2}\\.[0-9]{3}Z testd: error: it broke\n$";
    const char *out;
    regex_t re;

    unsetenv("XVNET_LOG");
    setenv("XVNET_LOG_LEVEL", "info", 1);
    xvm_log_open("testd", false);
    out = log_capture(log_some);
    CHECK_EQ(regcomp(&re, pat, REG_EXTENDED), 0);
    if (regexec(&re, out, 0, NULL, 0) != 0) {
        CHECK(!"log lines as expected");
        fprintf(stderr, "log said: [%s]\n", out);
    }
    regfree(&re);
    /* Only errors at level err. */
    xvm_log_set_level(XVM_LOG_ERR);
    out = log_capture(log_some);
    CHECK(strstr(out, "hello") == NULL);
    CHECK(strstr(out, "testd: error: it broke\n") != NULL);
    xvm_log_set_level(XVM_LOG_INFO);
}

static void test_state_dir(void)
{
    struct stat st;

    CHECK_EQ(xvm_state_dir(at("st/a/b"), 0700), 0);
    CHECK_EQ(stat(at("st/a/b"), &st), 0);
    CHECK(S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700);
    /* Made again: fine. */
    CHECK_EQ(xvm_state_dir(at("st/a/b"), 0700), 0);
    /* Writable by others: refused, and left as it is. */
    CHECK_EQ(chmod(at("st/a/b"), 0777), 0);
    CHECK_EQ(xvm_state_dir(at("st/a/b"), 0700), -EPERM);
    CHECK_EQ(chmod(at("st/a/b"), 0770), 0);
    CHECK_EQ(xvm_state_dir(at("st/a/b"), 0700), -EPERM);
    CHECK_EQ(chmod(at("st/a/b"), 0755), 0);
    CHECK_EQ(xvm_state_dir(at("st/a/b"), 0700), 0);
    /* Not a directory. */
    put(at("st/file"), "x", 0600);
    CHECK_EQ(xvm_state_dir(at("st/file"), 0700), -ENOTDIR);
    /* Another owner's. */
    if (geteuid() == 0) {
        CHECK_EQ(chown(at("st/a/b"), OTHER_UID, OTHER_UID), 0);
        CHECK_EQ(xvm_state_dir(at("st/a/b"), 0700), -EPERM);
    } else {
        printf("     (not root: another owner's directory not tried)\n");
    }
}

static void test_stale_temps(void)
{
    struct stat st;

    CHECK_EQ(xvm_state_dir(at("crash"), 0700), 0);
    put(at("crash/.domain.cfg.tmp"), "half", 0600);
    CHECK_EQ(symlink("/dev/zero", at("crash/.datalink.conf.tmp")), 0);
    put(at("crash/domain.cfg"), "kept", 0600);
    put(at("crash/.hidden"), "kept", 0600);
    CHECK_EQ(xvm_state_dir(at("crash"), 0700), 0);
    CHECK(lstat(at("crash/.domain.cfg.tmp"), &st) < 0 && errno == ENOENT);
    CHECK(lstat(at("crash/.datalink.conf.tmp"), &st) < 0 && errno == ENOENT);
    CHECK(strcmp(slurp(at("crash/domain.cfg")), "kept") == 0);
    CHECK(strcmp(slurp(at("crash/.hidden")), "kept") == 0);
}

static void test_write_atomic(void)
{
    char path[256], tmp[256];
    mode_t old = umask(077);
    struct stat st;

    snprintf(path, sizeof(path), "%s", at("w/f.conf"));
    snprintf(tmp, sizeof(tmp), "%s", at("w/.f.conf.tmp"));
    CHECK_EQ(xvm_state_dir(at("w"), 0700), 0);
    CHECK_EQ(xvm_file_write(path, "one\n", 4, 0644), 0);
    CHECK_EQ(xvm_file_write(path, "two\n", 4, 0644), 0);
    CHECK(strcmp(slurp(path), "two\n") == 0);
    CHECK(lstat(tmp, &st) < 0 && errno == ENOENT);
    /* The mode asked for, whatever the umask. */
    CHECK_EQ(stat(path, &st), 0);
    CHECK_EQ(st.st_mode & 0777, 0644);
    umask(old);
    /* A link planted at the temporary name is removed, not written
     * through; so is a file. */
    put(at("victim"), "victim", 0600);
    CHECK_EQ(symlink(at("victim"), tmp), 0);
    CHECK_EQ(xvm_file_write(path, "three\n", 6, 0600), 0);
    CHECK(strcmp(slurp(at("victim")), "victim") == 0);
    CHECK(strcmp(slurp(path), "three\n") == 0);
    CHECK(lstat(tmp, &st) < 0 && errno == ENOENT);
    CHECK_EQ(lstat(path, &st), 0);
    CHECK(S_ISREG(st.st_mode));
    put(tmp, "stale", 0600);
    CHECK_EQ(xvm_file_write(path, "four\n", 5, 0600), 0);
    CHECK(strcmp(slurp(path), "four\n") == 0);
    CHECK_EQ(xvm_file_write(at("nonexistent/f"), "x", 1, 0600), -ENOENT);
}

/* Read @path as a state file of at most @max bytes: the result, and the
 * text in *@text (caller frees). */
static int read_state(const char *path, unsigned flags, size_t max, char **text)
{
    size_t len;
    int rc;

    *text = NULL;
    alarm(10); /* a read that blocks fails the test instead of hanging */
    rc = xvm_file_read(path, flags, max, text, &len);
    alarm(0);
    if (rc == 0)
        CHECK_EQ(len, strlen(*text));
    return rc;
}

static void test_read_refusals(void)
{
    char *text;

    put(at("ok.conf"), "link stub0 class=etherstub\n", 0644);
    CHECK_EQ(read_state(at("ok.conf"), XVM_FILE_OWNED, 4096, &text), 0);
    CHECK(text && strcmp(text, "link stub0 class=etherstub\n") == 0);
    free(text);
    CHECK_EQ(read_state(at("none.conf"), XVM_FILE_OWNED, 4096, &text), -ENOENT);
    /* A link to /dev/zero: refused at once, owned or not. */
    CHECK_EQ(symlink("/dev/zero", at("zero.conf")), 0);
    CHECK_EQ(read_state(at("zero.conf"), XVM_FILE_OWNED, 4096, &text), -ELOOP);
    CHECK_EQ(read_state(at("zero.conf"), 0, 4096, &text), -EINVAL);
    /* A link to a file: only an administrator's file may be one. */
    CHECK_EQ(symlink(at("ok.conf"), at("link.conf")), 0);
    CHECK_EQ(read_state(at("link.conf"), XVM_FILE_OWNED, 4096, &text), -ELOOP);
    CHECK_EQ(read_state(at("link.conf"), 0, 4096, &text), 0);
    free(text);
    /* A FIFO nobody writes: refused, not waited on. */
    CHECK_EQ(mkfifo(at("fifo.conf"), 0600), 0);
    CHECK_EQ(read_state(at("fifo.conf"), XVM_FILE_OWNED, 4096, &text), -EINVAL);
    CHECK_EQ(read_state(at("fifo.conf"), 0, 4096, &text), -EINVAL);
    /* Writable by others, too long. */
    put(at("open.conf"), "x\n", 0666);
    CHECK_EQ(read_state(at("open.conf"), XVM_FILE_OWNED, 4096, &text), -EPERM);
    CHECK_EQ(read_state(at("ok.conf"), XVM_FILE_OWNED, 8, &text), -EFBIG);
    if (geteuid() == 0) {
        put(at("other.conf"), "x\n", 0644);
        CHECK_EQ(chown(at("other.conf"), OTHER_UID, OTHER_UID), 0);
        CHECK_EQ(read_state(at("other.conf"), XVM_FILE_OWNED, 4096, &text),
                 -EPERM);
        CHECK_EQ(read_state(at("other.conf"), 0, 4096, &text), 0);
        free(text);
    }
}

/* Open @path to append, as a daemon's log; alarm: never blocks. */
static int append_open(const char *path, off_t *size)
{
    int fd;

    alarm(10);
    fd = xvm_file_append_open(path, 0600, size);
    alarm(0);
    return fd;
}

static void test_append_open(void)
{
    struct stat st;
    off_t size = -1;
    int fd;

    fd = append_open(at("new.log"), &size);
    CHECK(fd >= 0);
    CHECK_EQ(size, 0);
    CHECK(fstat(fd, &st) == 0 && (st.st_mode & 07777) == 0600);
    CHECK((fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
    CHECK_EQ(fcntl(fd, F_GETFL) & (O_APPEND | O_NONBLOCK), O_APPEND);
    CHECK_EQ(write(fd, "one\n", 4), 4);
    close(fd);
    fd = append_open(at("new.log"), &size);
    CHECK(fd >= 0);
    CHECK_EQ(size, 4);
    CHECK_EQ(write(fd, "two\n", 4), 4);
    close(fd);
    CHECK(strcmp(slurp(at("new.log")), "one\ntwo\n") == 0);
    /* planted: a link (to a file or /dev/zero), a FIFO, an open file */
    CHECK_EQ(symlink(at("new.log"), at("link.log")), 0);
    CHECK_EQ(append_open(at("link.log"), NULL), -ELOOP);
    CHECK_EQ(symlink("/dev/zero", at("zero.log")), 0);
    CHECK_EQ(append_open(at("zero.log"), NULL), -ELOOP);
    CHECK_EQ(mkfifo(at("fifo.log"), 0600), 0);
    CHECK_EQ(append_open(at("fifo.log"), NULL), -ENXIO); /* no reader */
    {
        int rd = open(at("fifo.log"), O_RDONLY | O_NONBLOCK);

        CHECK(rd >= 0);
        CHECK_EQ(append_open(at("fifo.log"), NULL), -EINVAL);
        close(rd);
    }
    put(at("open.log"), "x\n", 0622);
    CHECK_EQ(append_open(at("open.log"), NULL), -EPERM);
    if (geteuid() == 0) {
        put(at("other.log"), "x\n", 0600);
        CHECK_EQ(chown(at("other.log"), OTHER_UID, OTHER_UID), 0);
        CHECK_EQ(append_open(at("other.log"), NULL), -EPERM);
    }
    CHECK(strcmp(slurp(at("new.log")), "one\ntwo\n") == 0);
}

static int refuse_all(int fd, const struct ucred *cred, void *arg)
{
    (void)fd;
    *(pid_t *)arg = cred->pid;
    return -EPERM;
}

static void test_listen(void)
{
    char path[256], longpath[200];
    struct stat st;
    pid_t seen = 0;
    char c;
    int lfd, cfd, sfd, fd;

    snprintf(path, sizeof(path), "%s", at("run/ctl.sock"));

    lfd = xvm_unix_listen(path, SOCK_SEQPACKET | SOCK_NONBLOCK, 0600);
    CHECK(lfd >= 0);
    CHECK_EQ(stat(path, &st), 0);
    CHECK(S_ISSOCK(st.st_mode) && (st.st_mode & 0777) == 0600);
    CHECK_EQ(xvm_unix_accept(lfd, 0, NULL, NULL), -EAGAIN);
    /* Root (or the daemon's uid) gets in. */
    cfd = xvm_unix_connect(path, SOCK_SEQPACKET, 0);
    sfd = xvm_unix_accept(lfd, 0, NULL, NULL);
    CHECK(cfd >= 0 && sfd >= 0);
    CHECK_EQ(write(cfd, "x", 1), 1);
    CHECK_EQ(read(sfd, &c, 1), 1);
    close(sfd);
    close(cfd);
    /* The caller's check decides; a refused client sees the end. */
    cfd = xvm_unix_connect(path, SOCK_SEQPACKET, 0);
    CHECK_EQ(xvm_unix_accept(lfd, 0, refuse_all, &seen), -EPERM);
    CHECK_EQ(seen, getpid());
    CHECK_EQ(read(cfd, &c, 1), 0);
    close(cfd);
    /* A live socket is not taken over. */
    CHECK_EQ(xvm_unix_listen(path, SOCK_SEQPACKET, 0600), -EADDRINUSE);
    close(lfd);
    /* A dead one is. */
    lfd = xvm_unix_listen(path, SOCK_SEQPACKET, 0600);
    CHECK(lfd >= 0);
    close(lfd);
    /* A live one of another type is not. */
    lfd = xvm_unix_listen(path, SOCK_STREAM, 0600);
    CHECK(lfd >= 0);
    CHECK_EQ(xvm_unix_listen(path, SOCK_SEQPACKET, 0600), -EADDRINUSE);
    close(lfd);
    /* Another uid's dead socket, or what is no socket, is left alone. */
    if (geteuid() == 0) {
        CHECK_EQ(chown(path, OTHER_UID, OTHER_UID), 0);
        CHECK_EQ(xvm_unix_listen(path, SOCK_SEQPACKET, 0600), -EPERM);
        CHECK_EQ(lstat(path, &st), 0);
        CHECK(S_ISSOCK(st.st_mode));
    }
    unlink(path);
    put(path, "data", 0600);
    CHECK_EQ(xvm_unix_listen(path, SOCK_SEQPACKET, 0600), -EADDRINUSE);
    CHECK(strcmp(slurp(path), "data") == 0);
    unlink(path);
    memset(longpath, 'a', sizeof(longpath) - 1);
    longpath[sizeof(longpath) - 1] = '\0';
    CHECK_EQ(xvm_unix_listen(longpath, SOCK_STREAM, 0600), -ENAMETOOLONG);
    /* The socket's directory is made, one level only. */
    fd = xvm_unix_listen(at("no/such/ctl.sock"), SOCK_STREAM, 0600);
    CHECK_EQ(fd, -ENOENT);
}

/* A child that connects to @path as uid OTHER_UID with @gid and the
 * supplementary groups @groups and waits for the end; it exits 3 if it
 * cannot connect. */
static pid_t connect_as(const char *path, gid_t gid, const gid_t *groups,
                        size_t n)
{
    pid_t pid = fork();

    if (pid == 0) {
        char c;
        int fd;

        if (setgroups(n, groups) < 0 || setgid(gid) < 0 ||
            setuid(OTHER_UID) < 0)
            _exit(2);
        fd = xvm_unix_connect(path, SOCK_SEQPACKET, 5000);
        if (fd < 0)
            _exit(3);
        if (read(fd, &c, 1) < 0)
            _exit(4);
        _exit(0);
    }
    return pid;
}

static int group_check(int fd, const struct ucred *cred, void *arg)
{
    *(int *)arg = xvm_peer_in_group(fd, cred, OTHER_GID);
    return 0;
}

/* What group_check() said about a child connecting as connect_as() would
 * (-100: it did not connect), and the child's exit status. */
static int in_group_as(int lfd, const char *path, gid_t gid,
                       const gid_t *groups, size_t n, int *status)
{
    pid_t pid = connect_as(path, gid, groups, n);
    struct pollfd pfd = {.fd = lfd, .events = POLLIN};
    int said = -100, fd = -EAGAIN, i;

    for (i = 0; i < 50 && fd == -EAGAIN; i++) {
        if (waitpid(pid, status, WNOHANG) == pid)
            return said;
        if (poll(&pfd, 1, 100) > 0)
            fd = xvm_unix_accept(lfd, 0, group_check, &said);
    }
    if (fd >= 0)
        close(fd);
    waitpid(pid, status, 0);
    return said;
}

static void test_listen_group(void)
{
    gid_t many[100];
    char path[256];
    struct stat st;
    int lfd, status, i;

    if (geteuid() != 0) {
        printf("  (skipped: needs root to change uid)\n");
        return;
    }
    snprintf(path, sizeof(path), "%s", at("grp/ctl.sock"));
    /* The children must reach the socket's directory. */
    CHECK_EQ(chmod(tmpdir, 0711), 0);
    lfd = xvm_unix_listen_group(path, SOCK_SEQPACKET | SOCK_NONBLOCK, 0660,
                                OTHER_GID);
    CHECK(lfd >= 0);
    CHECK_EQ(stat(path, &st), 0);
    CHECK(st.st_uid == 0 && st.st_gid == OTHER_GID &&
          (st.st_mode & 0777) == 0660);
    /* By a supplementary group, by the gid itself, by the 100th group. */
    CHECK_EQ(in_group_as(lfd, path, 54321, (gid_t[]){7, OTHER_GID}, 2,
                         &status), 1);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_EQ(in_group_as(lfd, path, OTHER_GID, NULL, 0, &status), 1);
    for (i = 0; i < 100; i++)
        many[i] = (gid_t)(20000 + i);
    many[99] = OTHER_GID;
    CHECK_EQ(in_group_as(lfd, path, 54321, many, 100, &status), 1);
    /* Not in it: the file's mode keeps it out... */
    CHECK_EQ(in_group_as(lfd, path, 54321, (gid_t[]){7}, 1, &status), -100);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 3);
    /* ...and the check would tell it too. */
    CHECK_EQ(chmod(path, 0666), 0);
    CHECK_EQ(in_group_as(lfd, path, 54321, (gid_t[]){7}, 1, &status), 0);
    close(lfd);
    unlink(path);
    CHECK_EQ(chmod(tmpdir, 0700), 0);
}

static void test_signals(void)
{
    struct sigaction sa;
    int sfd = xvm_signalfd_open(SIGUSR1);

    CHECK(sfd >= 0);
    CHECK_EQ(xvm_signalfd_next(sfd), 0);
    raise(SIGUSR1);
    raise(SIGTERM);
    CHECK_EQ(xvm_signalfd_next(sfd) + xvm_signalfd_next(sfd),
             SIGUSR1 + SIGTERM);
    CHECK_EQ(xvm_signalfd_next(sfd), 0);
    CHECK_EQ(sigaction(SIGPIPE, NULL, &sa), 0);
    CHECK(sa.sa_handler == SIG_IGN);
    close(sfd);
}

/* Out of descriptors, accept sheds the waiting client with the spare fd:
 * the client sees the end and the listener is no longer readable (a
 * level-triggered loop does not spin); a timed connect to a silent
 * listener's full backlog gives up. */
static void test_accept_emfile(void)
{
    char path[256];
    struct rlimit old, low;
    struct pollfd pfd;
    char c;
    int lfd, cfd, fd;

    snprintf(path, sizeof(path), "%s", at("run/emfile.sock"));
    lfd = xvm_unix_listen(path, SOCK_SEQPACKET | SOCK_NONBLOCK, 0600);
    CHECK(lfd >= 0);
    cfd = xvm_unix_connect(path, SOCK_SEQPACKET, 1000);
    CHECK(cfd >= 0);
    CHECK_EQ(getrlimit(RLIMIT_NOFILE, &old), 0);
    /* No descriptor above the highest in use may be opened. */
    fd = dup(0);
    CHECK(fd >= 0);
    close(fd);
    low = old;
    low.rlim_cur = (rlim_t)fd;
    CHECK_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
    CHECK_EQ(xvm_unix_accept(lfd, 0, NULL, NULL), -EMFILE);
    CHECK_EQ(setrlimit(RLIMIT_NOFILE, &old), 0);
    pfd = (struct pollfd){.fd = lfd, .events = POLLIN};
    CHECK_EQ(poll(&pfd, 1, 0), 0);
    CHECK_EQ(read(cfd, &c, 1), 0);
    close(cfd);
    /* The spare is back: it works a second time. */
    cfd = xvm_unix_connect(path, SOCK_SEQPACKET, 1000);
    CHECK_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
    CHECK_EQ(xvm_unix_accept(lfd, 0, NULL, NULL), -EMFILE);
    CHECK_EQ(setrlimit(RLIMIT_NOFILE, &old), 0);
    CHECK_EQ(read(cfd, &c, 1), 0);
    close(cfd);
    close(lfd);
    unlink(path);
}

/* The service manager's notification: one datagram "READY=1\nSTATUS=..."
 * to $NOTIFY_SOCKET, a path or an abstract '@' name; nothing without the
 * variable; a name that is no socket name refused. */
static void test_ready_notify(void)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    char path[128], buf[600];
    ssize_t n;
    int fd;

    unsetenv("NOTIFY_SOCKET");
    CHECK_EQ(xvm_daemon_ready("x"), 0);
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/notify", tmpdir);
    snprintf(path, sizeof(path), "%s", sa.sun_path);
    fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
    setenv("NOTIFY_SOCKET", path, 1);
    CHECK_EQ(xvm_daemon_ready("listening on /run/x.sock"), 1);
    n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
    CHECK(n > 0);
    buf[n > 0 ? n : 0] = '\0';
    CHECK(strcmp(buf, "READY=1\nSTATUS=listening on /run/x.sock") == 0);
    close(fd);
    unlink(path);
    /* abstract: '@' stands for the leading NUL */
    memset(sa.sun_path, 0, sizeof(sa.sun_path));
    snprintf(sa.sun_path + 1, sizeof(sa.sun_path) - 1, "xvnet-test-%d",
             (int)getpid());
    fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    CHECK(fd >= 0 &&
          bind(fd, (struct sockaddr *)&sa,
               (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
                           strlen(sa.sun_path + 1))) == 0);
    snprintf(path, sizeof(path), "@%s", sa.sun_path + 1);
    setenv("NOTIFY_SOCKET", path, 1);
    CHECK_EQ(xvm_daemon_ready(NULL), 1);
    n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
    buf[n > 0 ? n : 0] = '\0';
    CHECK(strcmp(buf, "READY=1\nSTATUS=ready") == 0);
    /* the status stays one field */
    CHECK_EQ(xvm_daemon_ready("on /x\nMAINPID=1"), 1);
    n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
    buf[n > 0 ? n : 0] = '\0';
    CHECK(strcmp(buf, "READY=1\nSTATUS=on /x?MAINPID=1") == 0);
    close(fd);
    /* a relative name, and a socket nobody listens on */
    setenv("NOTIFY_SOCKET", "notify", 1);
    CHECK_EQ(xvm_daemon_ready("x"), -EINVAL);
    snprintf(path, sizeof(path), "%s/nobody", tmpdir);
    setenv("NOTIFY_SOCKET", path, 1);
    CHECK_EQ(xvm_daemon_ready("x"), -ENOENT);
    unsetenv("NOTIFY_SOCKET");
}

int main(void)
{
    char cmd[128];
    int rc;

    snprintf(tmpdir, sizeof(tmpdir), "/tmp/xvm-daemon-ut.XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_log_lines);
    RUN(test_state_dir);
    RUN(test_stale_temps);
    RUN(test_write_atomic);
    RUN(test_read_refusals);
    RUN(test_append_open);
    RUN(test_listen);
    RUN(test_listen_group);
    RUN(test_accept_emfile);
    RUN(test_signals);
    RUN(test_ready_notify);
    rc = check_summary();
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return rc;
}
