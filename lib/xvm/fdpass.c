/* SPDX-License-Identifier: MIT */
/* File descriptors over Unix sockets (SCM_RIGHTS). */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "xvm/fdpass.h"

int xvm_unix_connect(const char *path, int type, unsigned timeout_ms)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    struct timeval tv = {.tv_sec = timeout_ms / 1000,
                         .tv_usec = (timeout_ms % 1000) * 1000};
    int fd, rc;

    if (strlen(path) >= sizeof(sa.sun_path))
        return -ENAMETOOLONG;
    strcpy(sa.sun_path, path);
    fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    if (timeout_ms &&
        (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
         setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)) {
        rc = -errno;
        close(fd);
        return rc;
    }
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        rc = -errno;
        close(fd);
        return rc;
    }
    return fd;
}

ssize_t xvm_fd_send(int sock, const void *buf, size_t len, const int *fds,
                    unsigned nfds)
{
    union {
        char buf[CMSG_SPACE(sizeof(int) * XVM_FDPASS_MAX)];
        struct cmsghdr align;
    } u;
    struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
    ssize_t n;

    if (len == 0 || nfds > XVM_FDPASS_MAX)
        return -EINVAL;
    if (nfds) {
        struct cmsghdr *c;

        memset(&u, 0, sizeof(u));
        msg.msg_control = u.buf;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
        c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
    }
    do
        n = sendmsg(sock, &msg, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n < 0 ? -errno : n;
}

ssize_t xvm_fd_recv(int sock, void *buf, size_t cap, int *fds,
                    unsigned max_fds, unsigned *nfds)
{
    union {
        char buf[CMSG_SPACE(sizeof(int) * XVM_FDPASS_MAX)];
        struct cmsghdr align;
    } u;
    struct iovec iov = {.iov_base = buf, .iov_len = cap};
    struct msghdr msg = {.msg_iov = &iov,
                         .msg_iovlen = 1,
                         .msg_control = u.buf,
                         .msg_controllen = sizeof(u.buf)};
    struct cmsghdr *c;
    unsigned got = 0;
    bool overflow = false;
    ssize_t n;

    *nfds = 0;
    do
        n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return -errno;
    if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
        overflow = true;
    for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        size_t i, cnt;
        int fd;

        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        cnt = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (i = 0; i < cnt; i++) {
            memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
            if (!overflow && got < max_fds)
                fds[got++] = fd;
            else {
                overflow = true;
                close(fd);
            }
        }
    }
    if (overflow) {
        while (got)
            close(fds[--got]);
        return -EMSGSIZE;
    }
    *nfds = got;
    return n;
}

const char *xvm_unix_who_may(const char *path, char *buf, size_t cap)
{
    struct stat st;
    struct group *gr;

    if (stat(path, &st) < 0 || st.st_gid == 0 || !(st.st_mode & 0060)) {
        snprintf(buf, cap, "needs root");
        return buf;
    }
    gr = getgrgid(st.st_gid);
    if (gr)
        snprintf(buf, cap, "needs root, or group %s to read", gr->gr_name);
    else
        snprintf(buf, cap, "needs root, or group %u to read",
                 (unsigned)st.st_gid);
    return buf;
}
