/* SPDX-License-Identifier: MIT */
/*
 * xvmd: domain records.  Each domain is one file,
 * <state_dir>/domains/<name>.cfg, written atomically (temp file, fsync,
 * rename, fsync of the directory).  A record is itself a domain config in
 * the format of xvm/domcfg.h, with the domain's UUID filled in, so it is
 * read back with the same parser and can be handed to `xvm create`.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xvmd.h"

static int store_dir(const struct xvmd *x, char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "%s/domains", x->state_dir);

    return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

static int mkdir_p(const char *path, mode_t mode)
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
    if (mkdir(tmp, mode) < 0 && errno != EEXIST)
        return -errno;
    return 0;
}

static int record_write(FILE *f, const struct xvmd_dom *dom)
{
    struct xvm_domcfg c = dom->cfg;
    char text[XVM_DOMCFG_TEXT_MAX];
    int n;

    memcpy(c.uuid, dom->uuid, sizeof(c.uuid));
    c.has_uuid = 1;
    n = xvm_domcfg_format(&c, text, sizeof(text));
    if (n < 0)
        return n;
    fprintf(f, "# xvmd domain record (rewritten by xvmd)\n%s", text);
    return fflush(f) == 0 && !ferror(f) ? 0 : -EIO;
}

int xvmd_store_save(const struct xvmd *x, const struct xvmd_dom *dom)
{
    char dir[PATH_MAX], tmp[PATH_MAX], path[PATH_MAX];
    FILE *f;
    int fd, dfd, rc;

    rc = store_dir(x, dir, sizeof(dir));
    if (rc < 0)
        return rc;
    rc = mkdir_p(dir, 0700);
    if (rc < 0)
        return rc;
    if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.cfg.tmp", dir,
                         dom->cfg.name) >= sizeof(tmp) ||
        (size_t)snprintf(path, sizeof(path), "%s/%s.cfg", dir,
                         dom->cfg.name) >= sizeof(path))
        return -ENAMETOOLONG;
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return -errno;
    f = fdopen(fd, "w");
    if (!f) {
        rc = -errno;
        close(fd);
        goto err_unlink;
    }
    rc = record_write(f, dom);
    if (rc == 0 && fsync(fd) < 0)
        rc = -errno;
    if (fclose(f) != 0 && rc == 0)
        rc = -EIO;
    if (rc < 0)
        goto err_unlink;
    if (rename(tmp, path) < 0) {
        rc = -errno;
        goto err_unlink;
    }
    dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return 0;

err_unlink:
    unlink(tmp);
    return rc;
}

int xvmd_store_remove(const struct xvmd *x, const char *name)
{
    char dir[PATH_MAX], path[PATH_MAX + 80];
    int rc = store_dir(x, dir, sizeof(dir));

    if (rc < 0)
        return rc;
    snprintf(path, sizeof(path), "%s/%s.cfg", dir, name);
    if (unlink(path) < 0 && errno != ENOENT)
        return -errno;
    return 0;
}

int xvmd_store_load(struct xvmd *x,
                    int (*fn)(struct xvmd *x, const struct xvm_domcfg *cfg))
{
    char dir[PATH_MAX], path[PATH_MAX + 300], err[512];
    struct xvm_domcfg cfg;
    struct dirent *de;
    DIR *d;
    int rc;

    rc = store_dir(x, dir, sizeof(dir));
    if (rc < 0)
        return rc;
    rc = mkdir_p(dir, 0700);
    if (rc < 0)
        return rc;
    d = opendir(dir);
    if (!d)
        return -errno;
    while ((de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name);

        if (de->d_name[0] == '.' || n < 5 ||
            strcmp(de->d_name + n - 4, ".cfg") != 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        if (xvm_domcfg_load(path, &cfg, err, sizeof(err)) < 0) {
            xvmd_log("ignoring domain record %s", err);
            continue;
        }
        if (strlen(cfg.name) != n - 4 ||
            strncmp(cfg.name, de->d_name, n - 4) != 0) {
            xvmd_log("ignoring domain record %s: it names domain %s", path,
                     cfg.name);
            continue;
        }
        rc = fn(x, &cfg);
        if (rc < 0)
            xvmd_log("ignoring domain record %s: %s", path, strerror(-rc));
    }
    closedir(d);
    return 0;
}
