/* SPDX-License-Identifier: MIT */
/* Path syntax, permission strings, domain ids and errno names. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "xst_pvt.h"

static bool path_char_ok(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
           (ch >= '0' && ch <= '9') || ch == '-' || ch == '/' || ch == '_' ||
           ch == '@';
}

/*
 * xenstore.txt: alphanumerics and -/_@, no empty path, no doubled or
 * trailing slash except for the root itself, at most 3072 bytes.
 */
bool xst_path_is_valid(const char *abs)
{
    size_t i, len = strlen(abs);

    if (len == 0 || len > XENSTORE_ABS_PATH_MAX || abs[0] != '/')
        return false;
    if (len == 1)
        return true;
    if (abs[len - 1] == '/')
        return false;
    for (i = 0; i < len; i++) {
        if (!path_char_ok(abs[i]))
            return false;
        if (abs[i] == '/' && abs[i + 1] == '/')
            return false;
    }
    return true;
}

size_t xst_path_home(uint16_t domid, char buf[XST_HOME_BUF])
{
    return (size_t)snprintf(buf, XST_HOME_BUF, "/local/domain/%u/",
                            (unsigned)domid);
}

int xst_path_resolve(uint16_t domid, const char *in, char out[XST_PATH_BUF])
{
    size_t len = strnlen(in, XST_PATH_BUF);

    if (len == 0 || len >= XST_PATH_BUF)
        return -EINVAL;
    if (in[0] == '/') {
        memcpy(out, in, len + 1);
    } else {
        char home[XST_HOME_BUF];
        size_t hl;

        /* '@' names are watch specials, never nodes. */
        if (in[0] == '@' || len > XENSTORE_REL_PATH_MAX)
            return -EINVAL;
        hl = xst_path_home(domid, home);
        if (hl + len >= XST_PATH_BUF)
            return -EINVAL;
        memcpy(out, home, hl);
        memcpy(out + hl, in, len + 1);
    }
    return xst_path_is_valid(out) ? 0 : -EINVAL;
}

bool xst_path_is_child(const char *child, const char *parent)
{
    size_t pl = strlen(parent);

    if (pl == 1 && parent[0] == '/')
        return child[0] == '/';
    return strncmp(child, parent, pl) == 0 &&
           (child[pl] == '\0' || child[pl] == '/');
}

size_t xst_path_parent_len(const char *p, size_t len)
{
    while (len > 1 && p[len - 1] != '/')
        len--;
    /* "/a" -> "/"; "/a/b" -> "/a" (drop the slash). */
    return len > 1 ? len - 1 : 1;
}

int xst_domid_parse(const char *s, uint16_t *out)
{
    unsigned long v = 0;
    size_t i;

    if (!s[0] || strlen(s) > 5)
        return -EINVAL;
    for (i = 0; s[i]; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -EINVAL;
        v = v * 10 + (unsigned long)(s[i] - '0');
    }
    if (v > UINT16_MAX)
        return -EINVAL;
    *out = (uint16_t)v;
    return 0;
}

static const char perm_chars[] = "nrwb"; /* indexed by XST_PERM_* */

int xst_perm_parse(const char *s, struct xst_perm *out)
{
    const char *c;

    if (!s[0] || !(c = strchr(perm_chars, s[0])))
        return -EINVAL;
    out->perm = (uint8_t)(c - perm_chars);
    return xst_domid_parse(s + 1, &out->domid);
}

size_t xst_perm_format(const struct xst_perm *p, char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "%c%u", perm_chars[p->perm & XST_PERM_BOTH],
                     (unsigned)p->domid);

    return n < 0 || (size_t)n >= cap ? 0 : (size_t)n + 1;
}

/* The owner may do anything; a listed domain gets its entry; everyone
 * else gets the first entry's permission. */
unsigned xst_perm_for(const struct xst_perm *perms, unsigned n, uint16_t domid)
{
    unsigned i;

    if (perms[0].domid == domid)
        return XST_PERM_BOTH | XST_PERM_OWNER;
    for (i = 1; i < n; i++)
        if (perms[i].domid == domid)
            return perms[i].perm;
    return perms[0].perm;
}

const char *xst_errno_name(int err)
{
    size_t i;

    if (err < 0)
        err = -err;
    for (i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
        if (xsd_errors[i].errnum == err)
            return xsd_errors[i].errstring;
    return "EIO";
}
