/* SPDX-License-Identifier: MIT */
/*
 * xvmd: domain records.  Each domain is one file,
 * <state_dir>/domains/<name>.cfg, written atomically and read back only
 * if xvmd wrote it (xvm/daemon.h).  A record is itself a domain config in
 * the format of xvm/domcfg.h, with the domain's UUID filled in, so it is
 * read back with the same parser and can be handed to `xvm create`.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "xvm/daemon.h"
#include "xvmd.h"

static int store_dir(const struct xvmd *x, char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "%s/domains", x->state_dir);

    return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

int xvmd_store_save(const struct xvmd *x, const struct xvmd_dom *dom)
{
    static const char head[] = "# xvmd domain record (rewritten by xvmd)\n";
    struct xvm_domcfg c = dom->cfg;
    char dir[PATH_MAX], path[PATH_MAX];
    size_t cap = sizeof(head) + XVM_DOMCFG_TEXT_MAX;
    char *buf;
    int rc, n;

    rc = store_dir(x, dir, sizeof(dir));
    if (rc < 0)
        return rc;
    if ((size_t)snprintf(path, sizeof(path), "%s/%s.cfg", dir, dom->cfg.name) >=
        sizeof(path))
        return -ENAMETOOLONG;
    buf = malloc(cap);
    if (!buf)
        return -ENOMEM;
    memcpy(c.uuid, dom->uuid, sizeof(c.uuid));
    c.has_uuid = 1;
    memcpy(buf, head, sizeof(head) - 1);
    n = xvm_domcfg_format(&c, buf + sizeof(head) - 1,
                          cap - (sizeof(head) - 1));
    rc = n < 0 ? n
               : xvm_file_write(path, buf, sizeof(head) - 1 + (size_t)n, 0600);
    free(buf);
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

/* <state_dir>/autostart/<name> in @buf; made when @make.  0 or -errno. */
static int autostart_path(const struct xvmd *x, const char *name, bool make,
                          char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "%s/autostart", x->state_dir), rc;

    if (n < 0 || (size_t)n >= cap)
        return -ENAMETOOLONG;
    if (make && (rc = xvm_state_dir(buf, 0700)) < 0)
        return rc;
    n = snprintf(buf, cap, "%s/autostart/%s", x->state_dir, name);
    return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

int xvmd_store_autostart(const struct xvmd *x, const char *name, bool on)
{
    static const char mark[] = "autostart\n";
    char path[PATH_MAX];
    int rc = autostart_path(x, name, on, path, sizeof(path));

    if (rc < 0)
        return rc;
    if (on)
        return xvm_file_write(path, mark, sizeof(mark) - 1, 0600);
    if (unlink(path) < 0 && errno != ENOENT)
        return -errno;
    return 0;
}

int xvmd_store_autostart_get(const struct xvmd *x, const char *name)
{
    char path[PATH_MAX], *text = NULL;
    size_t len;

    if (autostart_path(x, name, false, path, sizeof(path)) < 0 ||
        xvm_file_read(path, XVM_FILE_OWNED, 64, &text, &len) < 0)
        return 0;
    free(text);
    return 1;
}

/* Read the record @name of @dir into @cfg; failures are logged. */
static int record_load(const char *dir, const char *name,
                       struct xvm_domcfg *cfg)
{
    char path[PATH_MAX + 300], err[512];
    size_t n = strlen(name) - 4, len; /* without ".cfg" */
    char *text;
    int rc;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    rc = xvm_file_read(path, XVM_FILE_OWNED, XVM_DOMCFG_TEXT_MAX, &text, &len);
    if (rc < 0) {
        xvm_log_warn("ignoring domain record %s", path);
        return rc;
    }
    rc = xvm_domcfg_parse(text, len, path, cfg, err, sizeof(err));
    free(text);
    if (rc < 0) {
        xvm_log_warn("ignoring domain record %s", err);
    } else if (strlen(cfg->name) != n || strncmp(cfg->name, name, n) != 0) {
        xvm_log_warn("ignoring domain record %s: it names domain %s", path,
                     cfg->name);
        rc = -EINVAL;
    }
    return rc;
}

/*
 * One xvmd per state directory: <state_dir>/xvmd.lock, held (flock) for
 * the life of the process.  A second xvmd on the same directory would
 * take the first one's running domains for a dead xvmd's orphans (their
 * run records, their cgroups: cgroup.c sweeps them).  0 or -errno.
 */
static int state_lock(const struct xvmd *x)
{
    static int fd = -1;
    char path[PATH_MAX];

    if (fd >= 0)
        return 0;
    if (snprintf(path, sizeof(path), "%s/xvmd.lock", x->state_dir) >=
        (int)sizeof(path))
        return -ENAMETOOLONG;
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return -errno;
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        int rc = -errno;

        close(fd);
        fd = -1;
        if (rc == -EWOULDBLOCK)
            xvm_log_err("another xvmd runs on the state directory %s",
                        x->state_dir);
        return rc;
    }
    return 0;
}

int xvmd_store_load(struct xvmd *x,
                    int (*fn)(struct xvmd *x, const struct xvm_domcfg *cfg))
{
    char dir[PATH_MAX];
    struct xvm_domcfg cfg;
    struct dirent *de;
    DIR *d;
    int rc;

    /* The state directory itself first: whoever may write there could
     * swap the directories under it. */
    rc = xvm_state_dir(x->state_dir, 0700);
    if (rc == 0)
        rc = state_lock(x);
    if (rc == 0)
        rc = store_dir(x, dir, sizeof(dir));
    if (rc < 0)
        return rc;
    rc = xvm_state_dir(dir, 0700);
    if (rc < 0)
        return rc;
    d = opendir(dir);
    if (!d)
        return -errno;
    while ((de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name);

        if (de->d_name[0] == '.' || n < 5 ||
            strcmp(de->d_name + n - 4, ".cfg") != 0 ||
            record_load(dir, de->d_name, &cfg) < 0)
            continue;
        rc = fn(x, &cfg);
        if (rc < 0)
            xvm_log_warn("ignoring domain record %s/%s: %s", dir, de->d_name,
                         strerror(-rc));
    }
    closedir(d);
    return 0;
}
