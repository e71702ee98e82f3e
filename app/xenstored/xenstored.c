/* SPDX-License-Identifier: MIT */
/*
 * xenstored - libxst as a standalone daemon on a Unix socket.
 *
 *   xenstored [-s socket-path] [-f]
 *
 * Every client of the socket is dom0.  Logs go to stderr.  Without -f the
 * daemon detaches once its socket is listening, so a caller can connect as
 * soon as the command returns.  SIGTERM and SIGINT stop it cleanly and
 * remove the socket.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xst/xenstore.h"

static void log_stderr(void *arg, int level, const char *msg)
{
    (void)arg;
    fprintf(stderr, "xenstored: %s%s\n",
            level <= XST_LOG_ERR       ? "error: "
            : level <= XST_LOG_WARNING ? "warning: "
                                       : "",
            msg);
}

static void usage(FILE *f)
{
    fprintf(f, "usage: xenstored [-s socket-path] [-f]\n"
               "  -s PATH  listen on PATH (default " XST_DEFAULT_SOCKET ")\n"
               "  -f       stay in the foreground\n");
}

/* Create the socket's directory, private, if it does not exist yet; an
 * existing directory is left as its owner made it. */
static int make_socket_dir(const char *sock)
{
    char *copy = strdup(sock);
    int r = 0;

    if (!copy)
        return -ENOMEM;
    if (mkdir(dirname(copy), 0700) < 0 && errno != EEXIST)
        r = -errno;
    free(copy);
    return r;
}

static int detach(void)
{
    pid_t pid = fork();
    int fd;

    if (pid < 0)
        return -errno;
    if (pid > 0)
        _exit(0); /* the child owns the socket now */
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
            struct signalfd_siginfo si;

            if (read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
                fprintf(stderr, "xenstored: signal %u, exiting\n",
                        si.ssi_signo);
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
    const char *sock = XST_DEFAULT_SOCKET;
    struct xst_config cfg = {.log = log_stderr};
    struct xst_server *srv;
    bool foreground = false;
    sigset_t mask;
    int opt, sigfd, r;

    while ((opt = getopt(argc, argv, "s:fh")) != -1) {
        switch (opt) {
        case 's':
            sock = optarg;
            break;
        case 'f':
            foreground = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    /* Blocked before the socket exists, so no signal is lost or leaves the
     * socket behind. */
    sigprocmask(SIG_BLOCK, &mask, NULL);
    r = make_socket_dir(sock);
    if (r < 0) {
        fprintf(stderr, "xenstored: %s: %s\n", sock, strerror(-r));
        return 1;
    }
    srv = xst_server_create(sock, &cfg);
    if (!srv) {
        fprintf(stderr, "xenstored: %s: %s\n", sock, strerror(errno));
        return 1;
    }
    sigfd = signalfd(-1, &mask, SFD_CLOEXEC);
    r = sigfd < 0 ? -errno : 0;
    if (r == 0 && !foreground)
        r = detach();
    if (r == 0) {
        fprintf(stderr, "xenstored: listening on %s\n", sock);
        r = serve(srv, sigfd);
    }
    if (r < 0)
        fprintf(stderr, "xenstored: %s\n", strerror(-r));
    if (sigfd >= 0)
        close(sigfd);
    xst_server_destroy(srv);
    return r < 0 ? 1 : 0;
}
