/* SPDX-License-Identifier: MIT */
/*
 * xenstored - libxst as a standalone daemon on a Unix socket.
 *
 *   xenstored [-s socket-path] [-p pidfile] [-f]
 *
 * Every client of the socket is dom0; xvmd introduces each domain with the
 * daemon's end of the domain's own connection (INTRODUCE with a descriptor,
 * wire.c), so the store and the domains' connections outlive xvmd.  Logs
 * go to stderr (xvm/log.h).  Without -f the daemon detaches once its
 * socket is listening and its pid file (-p) is written, so a caller can
 * connect as soon as the command returns.  SIGTERM and SIGINT stop it
 * cleanly and remove the socket and the pid file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xst/xenstore.h"
#include "xvm/daemon.h"
#include "xvm/log.h"
#include "xvm/rundir.h"
#include "xvm/version.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: xenstored [-s socket-path] [-p pidfile] [-f]\n"
               "  -s PATH  listen on PATH (default %s)\n"
               "  -p FILE  write the daemon's pid to FILE\n"
               "  -f       stay in the foreground\n",
            xvm_run_path(XVM_SOCK_XENSTORED));
}

static int pid_write(const char *pidfile, pid_t pid)
{
    char buf[24];
    int n = snprintf(buf, sizeof(buf), "%d\n", (int)pid);
    int r = xvm_file_write(pidfile, buf, (size_t)n, 0644);

    if (r < 0)
        xvm_log_err("%s: %s", pidfile, strerror(-r));
    return r;
}

static int detach(const char *pidfile)
{
    pid_t pid = fork();
    int fd;

    if (pid < 0)
        return -errno;
    if (pid > 0) {
        /* The child owns the socket now; the caller may rely on the pid
         * file once we return. */
        if (pidfile && pid_write(pidfile, pid) < 0) {
            kill(pid, SIGTERM);
            _exit(1);
        }
        _exit(0);
    }
    if (setsid() < 0)
        return -errno;
    if (chdir("/") < 0)
        return -errno;
    fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (fd >= 0) {
        dup2(fd, STDIN_FILENO);
        dup2(fd, STDOUT_FILENO);
        if (fd > STDERR_FILENO)
            close(fd);
    }
    return 0;
}

static int serve(struct xst_server *srv, int sigfd)
{
    struct pollfd pfd[2] = {
        {.fd = xst_server_fd(srv), .events = POLLIN},
        {.fd = sigfd, .events = POLLIN},
    };

    for (;;) {
        if (poll(pfd, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (pfd[1].revents) {
            xvm_log_info("signal %d, exiting", xvm_signalfd_next(sigfd));
            return 0;
        }
        if (pfd[0].revents) {
            int r = xst_server_dispatch(srv, 0);

            if (r < 0)
                return r;
        }
    }
}

int main(int argc, char **argv)
{
    const char *sock = xvm_run_path(XVM_SOCK_XENSTORED), *pidfile = NULL;
    struct xst_server *srv;
    bool foreground = false;
    int opt, sigfd, r;
    long nofile;

    if (xvm_version_opt(argc, argv, "xenstored"))
        return 0;

    while ((opt = getopt(argc, argv, "s:p:fh")) != -1) {
        switch (opt) {
        case 's':
            sock = optarg;
            break;
        case 'p':
            pidfile = optarg;
            break;
        case 'f':
            foreground = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 1;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return 1;
    }
    xvm_log_open("xenstored", false);
    nofile = xvm_nofile_raise();
    if (nofile < 0)
        xvm_log_warn("cannot raise RLIMIT_NOFILE: %s", strerror((int)-nofile));
    /* Signals are blocked before the socket exists, so no signal is lost
     * or leaves the socket behind. */
    sigfd = xvm_signalfd_open(0);
    if (sigfd < 0) {
        xvm_log_err("signalfd: %s", strerror(-sigfd));
        return 1;
    }
    srv = xst_server_create(sock, NULL);
    if (!srv)
        return 1;
    r = foreground ? (pidfile ? pid_write(pidfile, getpid()) : 0)
                   : detach(pidfile);
    if (r == 0) {
        xvm_log_info("listening on %s", sock);
        xvm_daemon_ready("listening on %s", sock);
        r = serve(srv, sigfd);
    }
    if (r < 0)
        xvm_log_err("%s", strerror(-r));
    close(sigfd);
    xst_server_destroy(srv);
    if (pidfile)
        unlink(pidfile);
    return r < 0 ? 1 : 0;
}
