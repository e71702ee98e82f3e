/* SPDX-License-Identifier: MIT */
/*
 * fuzz_xvmdctl.c - libFuzzer harness for libxvmdctl's message validation
 * (xvmd_msg_parse(), xvmd_nest_parse()).
 *
 * The input is one datagram, checked three ways: as a request the way
 * xvmd checks it (xvmd_req_policy, then NLM_F_REQUEST and a known
 * command), as a reply the way xvm checks it (xvmd_reply_policy), and
 * every DOMAIN of a valid reply as xvm reads it (xvmd_nest_parse() with
 * xvmd_dom_policy).  Each answer is compared with a plain re-statement of
 * proto.h's rule: the message is exactly the datagram, its length a
 * multiple of 4; its attributes tile the payload, each inside it, of a
 * known type, with the policy's size (integers exact, strings
 * NUL-terminated, nothing past max_len).  The parse must agree both ways,
 * and whatever it indexes must be the last attribute of that type.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>

#include "xvmdctl/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define INV(c)                                                                 \
    do {                                                                       \
        if (!(c)) {                                                            \
            fprintf(stderr, "fuzz_xvmdctl: invariant broken: %s (line %d)\n",  \
                    #c, __LINE__);                                             \
            abort();                                                           \
        }                                                                      \
    } while (0)

#define TB_MAX 16 /* above XVMD_A_MAX_ and XVMD_D_MAX_ */

/* The reference: one attribute of @len payload bytes at @p against @pol. */
static bool ref_attr(const struct xvmd_attr_policy *pol, const uint8_t *p,
                     size_t len)
{
    static const size_t fixed[] = {[MNL_TYPE_U8] = 1,
                                   [MNL_TYPE_U16] = 2,
                                   [MNL_TYPE_U32] = 4,
                                   [MNL_TYPE_U64] = 8};

    if (pol->max_len && len > pol->max_len)
        return false;
    switch (pol->mnl_type) {
    case MNL_TYPE_U8:
    case MNL_TYPE_U16:
    case MNL_TYPE_U32:
    case MNL_TYPE_U64:
        return len == fixed[pol->mnl_type];
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
 * The reference: attributes tile @len bytes at @p (the last one may lack
 * its padding), each valid under @pol.  Records the last of each type in
 * @last.
 */
static bool ref_attrs(const uint8_t *p, size_t len, unsigned max,
                      const struct xvmd_attr_policy *pol, const uint8_t **last)
{
    size_t off = 0;

    memset(last, 0, sizeof(*last) * TB_MAX);
    while (off < len) {
        struct nlattr a;
        unsigned type;

        if (len - off < sizeof(a))
            return false;
        memcpy(&a, p + off, sizeof(a));
        type = a.nla_type & NLA_TYPE_MASK;
        if (a.nla_len < sizeof(a) || a.nla_len > len - off || type > max ||
            pol[type].mnl_type == 0 ||
            !ref_attr(&pol[type], p + off + sizeof(a), a.nla_len - sizeof(a)))
            return false;
        last[type] = p + off;
        off += MNL_ALIGN(a.nla_len);
    }
    return true;
}

static bool ref_msg(const uint8_t *buf, size_t len, unsigned max,
                    const struct xvmd_attr_policy *pol, const uint8_t **last)
{
    struct nlmsghdr h;

    if (len < sizeof(h) || len > XVMD_MSG_MAX || len % 4)
        return false;
    memcpy(&h, buf, sizeof(h));
    return h.nlmsg_len == len &&
           ref_attrs(buf + sizeof(h), len - sizeof(h), max, pol, last);
}

/* Parse @buf both ways and compare; @return the header if valid. */
static const struct nlmsghdr *check_msg(const uint8_t *buf, size_t len,
                                        const struct xvmd_attr_policy *pol,
                                        const struct nlattr **tb)
{
    const uint8_t *last[TB_MAX];
    bool ref = ref_msg(buf, len, XVMD_A_MAX_, pol, last);
    const struct nlmsghdr *nlh = xvmd_msg_parse(buf, len, tb, XVMD_A_MAX_, pol);
    unsigned t;

    INV((nlh != NULL) == ref);
    if (!nlh)
        return NULL;
    INV((const uint8_t *)nlh == buf);
    for (t = 0; t <= XVMD_A_MAX_; t++)
        INV((const uint8_t *)tb[t] == last[t]);
    return nlh;
}

static void check_domains(const struct nlmsghdr *nlh)
{
    const struct nlattr *a;

    mnl_attr_for_each(a, nlh, 0)
    {
        const struct nlattr *tb[XVMD_D_MAX_ + 1];
        const uint8_t *last[TB_MAX];
        bool ref;
        unsigned t;
        int rc;

        if (mnl_attr_get_type(a) != XVMD_A_DOMAIN)
            continue;
        ref = ref_attrs(mnl_attr_get_payload(a), mnl_attr_get_payload_len(a),
                        XVMD_D_MAX_, xvmd_dom_policy, last);
        rc = xvmd_nest_parse(a, tb, XVMD_D_MAX_, xvmd_dom_policy);
        INV((rc == 0) == ref && (rc == 0 || rc == -EINVAL));
        if (rc < 0)
            continue;
        for (t = 0; t <= XVMD_D_MAX_; t++)
            INV((const uint8_t *)tb[t] == last[t]);
        if (tb[XVMD_D_NAME]) /* what xvm prints */
            INV(strlen(mnl_attr_get_str(tb[XVMD_D_NAME])) < 64);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct nlattr *tb[XVMD_A_MAX_ + 1];
    const struct nlmsghdr *nlh;
    uint8_t *buf;

    /* Exactly the datagram in its own allocation: reading past it is
     * caught. */
    if (size > XVMD_MSG_MAX + 4)
        return 0;
    buf = malloc(size ? size : 1);
    if (!buf)
        abort();
    memcpy(buf, data, size);
    nlh = check_msg(buf, size, xvmd_req_policy, tb);
    if (nlh && (nlh->nlmsg_flags & NLM_F_REQUEST) &&
        nlh->nlmsg_type >= XVMD_CMD_CREATE &&
        nlh->nlmsg_type <= XVMD_CMD_MAX_) {
        /* What xvmd reads of a request. */
        if (tb[XVMD_A_DOM])
            INV(strlen(mnl_attr_get_str(tb[XVMD_A_DOM])) < 128);
        if (tb[XVMD_A_FILE])
            (void)strlen(mnl_attr_get_str(tb[XVMD_A_FILE]));
    }
    nlh = check_msg(buf, size, xvmd_reply_policy, tb);
    if (nlh)
        check_domains(nlh);
    free(buf);
    return 0;
}
