/* SPDX-License-Identifier: MIT */
/*
 * ctlmsg_ref.h - a plain re-statement of the control messages' rule
 * (xvm/ctlmsg.h), which the harnesses of both control protocols
 * (fuzz_xvmdctl, fuzz_vswctl) compare the shared parser with: the
 * message's length a multiple of 4; its attributes tile the payload, each
 * inside it, of a known type, with the policy's size (integers exact,
 * strings NUL-terminated, within min_len and max_len, a whole number of
 * units).  It reads bytes one field at a time and uses no libmnl walk.
 */
#ifndef FUZZ_CTLMSG_REF_H
#define FUZZ_CTLMSG_REF_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <libmnl/libmnl.h>

#include "xvm/ctlmsg.h"

/* One attribute of @len payload bytes at @p against @pol. */
static bool ref_attr(const struct xvm_attr_policy *pol, const uint8_t *p,
                     size_t len)
{
    static const size_t fixed[] = {[MNL_TYPE_U8] = 1,
                                   [MNL_TYPE_U16] = 2,
                                   [MNL_TYPE_U32] = 4,
                                   [MNL_TYPE_U64] = 8};

    if (len < pol->min_len || (pol->max_len && len > pol->max_len) ||
        (pol->unit && len % pol->unit))
        return false;
    switch (pol->type) {
    case MNL_TYPE_U8:
    case MNL_TYPE_U16:
    case MNL_TYPE_U32:
    case MNL_TYPE_U64:
        return len == fixed[pol->type];
    case MNL_TYPE_FLAG:
        return len == 0;
    case MNL_TYPE_NUL_STRING:
        return len > 0 && p[len - 1] == '\0';
    case MNL_TYPE_STRING:
        return len > 0;
    case MNL_TYPE_NESTED:
        return len == 0 || len >= MNL_ATTR_HDRLEN;
    default:
        return true;
    }
}

/*
 * Attributes tile @len bytes at @p (the last one may lack its padding),
 * each valid under @pol (@max + 1 entries).  Records the last of each
 * type in @last (@max + 1 entries).
 */
static bool ref_attrs(const uint8_t *p, size_t len, unsigned max,
                      const struct xvm_attr_policy *pol, const uint8_t **last)
{
    size_t off = 0;

    memset(last, 0, sizeof(*last) * (max + 1));
    while (off < len) {
        struct nlattr a;
        unsigned type;

        if (len - off < sizeof(a))
            return false;
        memcpy(&a, p + off, sizeof(a));
        type = a.nla_type & NLA_TYPE_MASK;
        if (a.nla_len < sizeof(a) || a.nla_len > len - off || type > max ||
            pol[type].type == 0 ||
            !ref_attr(&pol[type], p + off + sizeof(a), a.nla_len - sizeof(a)))
            return false;
        last[type] = p + off;
        off += MNL_ALIGN(a.nla_len);
    }
    return true;
}

/* Exactly one message in the @len bytes at @buf, as ref_attrs() says. */
static bool ref_msg(const uint8_t *buf, size_t len, unsigned max,
                    const struct xvm_attr_policy *pol, const uint8_t **last)
{
    struct nlmsghdr h;

    memset(last, 0, sizeof(*last) * (max + 1));
    if (len < sizeof(h) || len % 4)
        return false;
    memcpy(&h, buf, sizeof(h));
    return h.nlmsg_len == len &&
           ref_attrs(buf + sizeof(h), len - sizeof(h), max, pol, last);
}

/* Did the parser index what the reference found? */
static bool ref_same(const struct nlattr *const *tb, const uint8_t *const *last,
                     unsigned max)
{
    unsigned t;

    for (t = 0; t <= max; t++)
        if ((const uint8_t *)tb[t] != last[t])
            return false;
    return true;
}

#endif /* FUZZ_CTLMSG_REF_H */
