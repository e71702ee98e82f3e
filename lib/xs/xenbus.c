/* SPDX-License-Identifier: MIT */
/*
 * The mechanics both ends of a xenbus device share (xs/xenbus.h).  Every
 * value read here may have been written by another domain, so every read
 * is strict: a value that is not exactly what the key holds is refused,
 * never guessed at.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xs/xenbus.h"
#include "xs/xs.h"

/* A transaction that keeps losing to other writers is given up on. */
#define TXN_TRIES 16
/* Longest "<dir>/<key>" built here. */
#define KEY_PATH_MAX (XVM_XS_DEV_PATH_MAX * 2)

int xvm_xs_key_path(char *buf, size_t size, const char *dir, const char *key)
{
    int n = snprintf(buf, size, "%s/%s", dir, key);

    return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int xvm_xs_read_key_uint(struct xvm_xs *xs, const char *dir, const char *key,
                         uint64_t max, uint64_t *out)
{
    char p[KEY_PATH_MAX];
    int r = xvm_xs_key_path(p, sizeof(p), dir, key);

    return r < 0 ? r : xvm_xs_read_uint(xs, XVM_XS_NO_TX, p, max, out);
}

int xvm_xs_read_key_bool(struct xvm_xs *xs, const char *dir, const char *key,
                         bool dflt, bool *out)
{
    uint64_t v;
    int r = xvm_xs_read_key_uint(xs, dir, key, 1, &v);

    if (r == -ENOENT) {
        *out = dflt;
        return 0;
    }
    if (r == -ERANGE)
        return -EINVAL;
    if (r == 0)
        *out = v != 0;
    return r;
}

int xvm_xs_read_key_str(struct xvm_xs *xs, const char *dir, const char *key,
                        char *out, size_t cap)
{
    char p[KEY_PATH_MAX], *v;
    size_t len;
    int r = xvm_xs_key_path(p, sizeof(p), dir, key);

    if (r == 0)
        r = xvm_xs_read(xs, XVM_XS_NO_TX, p, &v, &len);
    if (r < 0)
        return r;
    if (len == 0 || len >= cap || strlen(v) != len)
        r = -EINVAL;
    else
        memcpy(out, v, len + 1);
    free(v);
    return r;
}

int xvm_xs_write_key(struct xvm_xs *xs, uint32_t tx, const char *dir,
                     const char *key, const char *fmt, ...)
{
    char p[KEY_PATH_MAX], v[64];
    va_list ap;
    int n, r = xvm_xs_key_path(p, sizeof(p), dir, key);

    if (r < 0)
        return r;
    va_start(ap, fmt);
    n = vsnprintf(v, sizeof(v), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(v))
        return -EINVAL;
    return xvm_xs_write_str(xs, tx, p, v);
}

int xvm_xs_read_state(struct xvm_xs *xs, const char *dir,
                      enum xenbus_state *st)
{
    uint64_t v;
    int r = xvm_xs_read_key_uint(xs, dir, "state", XenbusStateReconfigured,
                                 &v);

    *st = XenbusStateUnknown;
    if (r == -ENOENT)
        return 0;
    if (r == -ERANGE)
        return -EINVAL;
    if (r == 0)
        *st = (enum xenbus_state)v;
    return r;
}

int xvm_xs_transact(struct xvm_xs *xs, int (*fn)(void *arg, uint32_t tx),
                    void *arg)
{
    uint32_t tx;
    int r, tries;

    for (tries = 0; tries < TXN_TRIES; tries++) {
        r = xvm_xs_transaction_start(xs, &tx);
        if (r < 0)
            return r;
        r = fn(arg, tx);
        if (r < 0) {
            xvm_xs_transaction_end(xs, tx, false);
            return r;
        }
        r = xvm_xs_transaction_end(xs, tx, true);
        if (r != -EAGAIN)
            return r;
    }
    return -EAGAIN;
}

int xvm_xs_dev_init(struct xvm_xs_dev *dev, struct xvm_xs *xs,
                    const char *path, const uint16_t *allowed,
                    enum xenbus_state initial,
                    void (*disconnect)(void *owner), void *owner)
{
    size_t len = path ? strlen(path) : 0;

    if (!xs || !allowed || len < 2 || path[0] != '/' ||
        len >= XVM_XS_DEV_PATH_MAX || path[len - 1] == '/')
        return -EINVAL;
    memset(dev, 0, sizeof(*dev));
    dev->xs = xs;
    dev->allowed = allowed;
    dev->state = initial;
    dev->disconnect = disconnect;
    dev->owner = owner;
    memcpy(dev->path, path, len + 1);
    return 0;
}

int xvm_xs_dev_otherend(struct xvm_xs_dev *dev, const char *path_key,
                        const char *id_key)
{
    char home[40];
    uint64_t id;
    size_t n;
    int r;

    r = xvm_xs_read_key_uint(dev->xs, dev->path, id_key,
                             DOMID_FIRST_RESERVED - 1, &id);
    if (r < 0)
        return r == -ERANGE ? -EINVAL : r;
    r = xvm_xs_read_key_str(dev->xs, dev->path, path_key, dev->otherend,
                            sizeof(dev->otherend));
    if (r < 0)
        return r;
    snprintf(home, sizeof(home), "/local/domain/%u/", (unsigned)id);
    n = strlen(dev->otherend);
    if (strncmp(dev->otherend, home, strlen(home)) != 0 ||
        dev->otherend[n - 1] == '/') {
        dev->otherend[0] = '\0';
        return -EINVAL;
    }
    dev->otherend_id = (uint16_t)id;
    return 0;
}

struct switch_arg {
    struct xvm_xs_dev *dev;
    enum xenbus_state to;
    int (*keys)(void *arg, uint32_t tx);
    void *arg;
};

static int write_state(void *arg, uint32_t tx)
{
    struct switch_arg *s = arg;
    int r = s->keys ? s->keys(s->arg, tx) : 0;

    return r < 0 ? r
                 : xvm_xs_write_key(s->dev->xs, tx, s->dev->path, "state",
                                    "%d", (int)s->to);
}

int xvm_xs_dev_switch(struct xvm_xs_dev *dev, enum xenbus_state to,
                      int (*keys)(void *arg, uint32_t tx), void *arg)
{
    struct switch_arg s = {dev, to, keys, arg};
    int r;

    if (to == dev->state)
        return 0;
    if ((unsigned)dev->state > XenbusStateReconfigured ||
        (unsigned)to > XenbusStateReconfigured ||
        !(dev->allowed[dev->state] & (1u << to)))
        return -EINVAL;
    if (dev->live && to != XenbusStateConnected) {
        dev->live = false;
        if (dev->disconnect)
            dev->disconnect(dev->owner);
    }
    r = keys ? xvm_xs_transact(dev->xs, write_state, &s)
             : write_state(&s, XVM_XS_NO_TX);
    if (r == 0)
        dev->state = to;
    return r;
}

int xvm_xs_error_dir(char *buf, size_t size, const char *path)
{
    int home = 0, n;

    if (sscanf(path, "/local/domain/%*u/%n", &home) != 0 || home <= 0)
        home = 0;
    if (!home && path[0] == '/')
        path++;
    n = snprintf(buf, size, "%.*serror/%s", home, path, path + home);
    return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int xvm_xs_dev_fatal(struct xvm_xs_dev *dev, int err, const char *fmt, ...)
{
    char dir[KEY_PATH_MAX], p[KEY_PATH_MAX], msg[256];
    va_list ap;
    int n;

    if (xvm_xs_error_dir(dir, sizeof(dir), dev->path) == 0 &&
        xvm_xs_key_path(p, sizeof(p), dir, "error") == 0) {
        /* The error node is best effort: the state change is what
         * counts. */
        n = snprintf(msg, sizeof(msg), "%d ", err < 0 ? -err : err);
        va_start(ap, fmt);
        vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
        va_end(ap);
        xvm_xs_write_str(dev->xs, XVM_XS_NO_TX, p, msg);
    }
    return xvm_xs_dev_switch(dev, XenbusStateClosing, NULL, NULL);
}
