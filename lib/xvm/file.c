/* SPDX-License-Identifier: MIT */
/* A daemon's state directory and state files (xvm/daemon.h). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xvm/daemon.h"
#include "xvm/log.h"

#define TMP_SUFFIX ".tmp"

static int mkdir_parents(const char *path, mode_t mode)
{
    char tmp[PATH_MAX], *p;

    if (strlen(path) >= sizeof(tmp))
        return -ENAMETOOLONG;
    strcpy(tmp, path);
    for (p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, mode) < 0 && errno != EEXIST)
            return -errno;
        *p = '/';
    }
    return 0;
}

/* Is @st a directory or file that only the daemon may change? */
static int owned_check(const char *path, const struct stat *st,
                       const char *what)
{
    if (st->st_uid != geteuid()) {
        xvm_log_err("%s %s refused: owned by uid %u, not %u", what, path,
                    (unsigned)st->st_uid, (unsigned)geteuid());
        return -EPERM;
    }
    if (st->st_mode & (S_IWGRP | S_IWOTH)) {
        xvm_log_err("%s %s refused: writable by group or others (mode "
                    "%04o)",
                    what, path, (unsigned)(st->st_mode & 07777));
        return -EPERM;
    }
    return 0;
}

static bool is_temp_name(const char *name)
{
    size_t n = strlen(name), s = strlen(TMP_SUFFIX);

    return name[0] == '.' && n > s + 1 && strcmp(name + n - s, TMP_SUFFIX) == 0;
}

/* Remove the ".<name>.tmp" files a crash left in @path. */
static int temps_remove(const char *path)
{
    struct dirent *de;
    DIR *d = opendir(path);

    if (!d)
        return -errno;
    while ((de = readdir(d)) != NULL) {
        if (!is_temp_name(de->d_name))
            continue;
        if (unlinkat(dirfd(d), de->d_name, 0) == 0)
            xvm_log_info("removed %s/%s, left by a crash", path, de->d_name);
    }
    closedir(d);
    return 0;
}

int xvm_state_dir(const char *path, mode_t mode)
{
    struct stat st;
    int rc = mkdir_parents(path, mode);

    if (rc == 0 && mkdir(path, mode) < 0 && errno != EEXIST)
        rc = -errno;
    if (rc == 0 && stat(path, &st) < 0)
        rc = -errno;
    if (rc < 0) {
        xvm_log_err("state directory %s: %s", path, strerror(-rc));
        return rc;
    }
    if (!S_ISDIR(st.st_mode)) {
        xvm_log_err("state directory %s refused: not a directory", path);
        return -ENOTDIR;
    }
    rc = owned_check(path, &st, "state directory");
    if (rc == 0)
        rc = temps_remove(path);
    if (rc < 0 && rc != -EPERM)
        xvm_log_err("state directory %s: %s", path, strerror(-rc));
    return rc;
}

/* "<dir>/.<base>.tmp" and "<dir>" of @path. */
static int temp_name(const char *path, char *tmp, char *dir, size_t cap)
{
    const char *slash = strrchr(path, '/');
    size_t dlen = slash ? (size_t)(slash - path) : 0;
    const char *base = slash ? slash + 1 : path;
    int n;

    if (dlen + 1 >= cap)
        return -ENAMETOOLONG;
    if (slash) {
        memcpy(dir, path, dlen ? dlen : 1);
        dir[dlen ? dlen : 1] = '\0';
    } else {
        strcpy(dir, ".");
    }
    n = snprintf(tmp, cap, "%.*s%s.%s" TMP_SUFFIX, (int)dlen, path,
                 slash ? "/" : "", base);
    return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

/* A new file at @tmp; whatever was there (a link) is removed, unfollowed. */
static int temp_create(const char *tmp, mode_t mode)
{
    const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
    int fd = open(tmp, flags, mode);

    if (fd < 0 && errno == EEXIST && unlink(tmp) == 0)
        fd = open(tmp, flags, mode);
    if (fd < 0)
        return -errno;
    if (fchmod(fd, mode) < 0) { /* exactly @mode, whatever the umask */
        close(fd);
        unlink(tmp);
        return -errno;
    }
    return fd;
}

static int write_all(int fd, const char *data, size_t len)
{
    size_t off = 0;

    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);

        if (w < 0 && errno != EINTR)
            return -errno;
        if (w > 0)
            off += (size_t)w;
    }
    return 0;
}

static int dir_sync(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

    if (fd < 0)
        return -errno;
    if (fsync(fd) < 0)
        rc = -errno;
    close(fd);
    return rc;
}

int xvm_file_put(int dirfd, const char *path, const char *text)
{
    size_t len = strlen(text);
    int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC), rc = 0;

    if (fd < 0)
        return -errno;
    if (write(fd, text, len) != (ssize_t)len)
        rc = errno ? -errno : -EIO;
    close(fd);
    return rc;
}

int xvm_file_write(const char *path, const void *data, size_t len, mode_t mode)
{
    char tmp[PATH_MAX], dir[PATH_MAX];
    int fd, rc;

    rc = temp_name(path, tmp, dir, sizeof(tmp));
    if (rc < 0)
        return rc;
    fd = temp_create(tmp, mode);
    if (fd < 0)
        return fd;
    rc = write_all(fd, data, len);
    if (rc == 0 && fsync(fd) < 0)
        rc = -errno;
    if (close(fd) < 0 && rc == 0)
        rc = -errno;
    if (rc == 0 && rename(tmp, path) < 0)
        rc = -errno;
    if (rc < 0) {
        unlink(tmp);
        return rc;
    }
    return dir_sync(dir);
}

/* Open @path for xvm_file_read() and check what it is. */
static int read_open(const char *path, unsigned flags, size_t max,
                     struct stat *st)
{
    int fd, rc;

    fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY |
                        (flags & XVM_FILE_OWNED ? O_NOFOLLOW : 0));
    if (fd < 0) {
        rc = -errno;
        if (rc == -ELOOP)
            xvm_log_err("%s refused: a symbolic link", path);
        else if (rc != -ENOENT)
            xvm_log_err("%s: %s", path, strerror(-rc));
        return rc;
    }
    rc = fstat(fd, st) < 0 ? -errno : 0;
    if (rc == 0 && !S_ISREG(st->st_mode)) {
        xvm_log_err("%s refused: not a regular file", path);
        rc = -EINVAL;
    }
    if (rc == 0 && flags & XVM_FILE_OWNED)
        rc = owned_check(path, st, "file");
    if (rc == 0 && (size_t)st->st_size > max) {
        xvm_log_err("%s refused: %lld bytes, more than %zu", path,
                    (long long)st->st_size, max);
        rc = -EFBIG;
    }
    if (rc < 0) {
        close(fd);
        return rc;
    }
    return fd;
}

int xvm_file_read(const char *path, unsigned flags, size_t max, char **data,
                  size_t *len)
{
    struct stat st;
    size_t n = 0;
    ssize_t r;
    char *buf;
    int rc = 0, fd = read_open(path, flags, max, &st);

    if (fd < 0)
        return fd;
    buf = malloc(max + 1);
    if (!buf) {
        close(fd);
        return -ENOMEM;
    }
    /* Up to one byte more than allowed: a file that grew is caught. */
    while (rc == 0 && n <= max && (r = read(fd, buf + n, max + 1 - n)) != 0) {
        if (r > 0)
            n += (size_t)r;
        else if (errno != EINTR)
            rc = -errno;
    }
    close(fd);
    if (rc == 0 && n > max)
        rc = -EFBIG;
    if (rc < 0) {
        xvm_log_err("%s: %s", path, strerror(-rc));
        free(buf);
        return rc;
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return 0;
}

int xvm_file_append_open(const char *path, mode_t mode, off_t *size)
{
    struct stat st;
    int fd, rc;

    fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
                        O_NOCTTY | O_CLOEXEC,
              mode);
    if (fd < 0) {
        rc = -errno;
        if (rc == -ELOOP)
            xvm_log_err("%s refused: a symbolic link", path);
        else
            xvm_log_err("%s: %s", path, strerror(-rc));
        return rc;
    }
    rc = fstat(fd, &st) < 0 ? -errno : 0;
    if (rc == 0 && !S_ISREG(st.st_mode)) {
        xvm_log_err("%s refused: not a regular file", path);
        rc = -EINVAL;
    }
    if (rc == 0)
        rc = owned_check(path, &st, "file");
    if (rc == 0 && fcntl(fd, F_SETFL, O_APPEND) < 0)
        rc = -errno;
    if (rc < 0) {
        close(fd);
        return rc;
    }
    if (size)
        *size = st.st_size;
    return fd;
}
