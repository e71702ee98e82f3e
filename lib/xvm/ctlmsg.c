/* SPDX-License-Identifier: MIT */
/* The control messages' parser (xvm/ctlmsg.h): one rule, many policies. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <limits.h>
#include <string.h>

#include "xvm/ctlmsg.h"

bool xvm_msg_ok(const struct nlmsghdr *nlh, int len)
{
    return len >= (int)sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) &&
           nlh->nlmsg_len <= (unsigned)len;
}

struct parse_ctx {
    const struct nlattr **tb;
    unsigned max;
    const struct xvm_attr_policy *pol;
    const char *end; /* just past the last attribute seen, padding included */
};

static int attr_cb(const struct nlattr *attr, void *data)
{
    struct parse_ctx *c = data;
    uint16_t type = mnl_attr_get_type(attr);
    uint16_t len = mnl_attr_get_payload_len(attr);
    const struct xvm_attr_policy *p;

    if (type > c->max || c->pol[type].type == MNL_TYPE_UNSPEC)
        return MNL_CB_ERROR;
    p = &c->pol[type];
    if (mnl_attr_validate(attr, (enum mnl_attr_data_type)p->type) < 0 ||
        len < p->min_len || (p->max_len && len > p->max_len) ||
        (p->unit && len % p->unit))
        return MNL_CB_ERROR;
    c->tb[type] = attr;
    c->end = (const char *)attr + MNL_ALIGN(attr->nla_len);
    return MNL_CB_OK;
}

int xvm_msg_attrs(const struct nlmsghdr *nlh, const struct nlattr **tb,
                  unsigned max, const struct xvm_attr_policy *pol)
{
    struct parse_ctx c = {tb, max, pol, mnl_nlmsg_get_payload(nlh)};

    memset(tb, 0, sizeof(*tb) * (max + 1));
    if (nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_len % NLMSG_ALIGNTO ||
        nlh->nlmsg_len > INT_MAX)
        return -EINVAL;
    if (mnl_attr_parse(nlh, 0, attr_cb, &c) != MNL_CB_OK)
        return -EINVAL;
    /* libmnl stops quietly at a bad attribute: insist on using it all */
    if (c.end != (const char *)mnl_nlmsg_get_payload_tail(nlh))
        return -EINVAL;
    return 0;
}

const struct nlmsghdr *xvm_msg_parse(const void *buf, size_t len,
                                     const struct nlattr **tb, unsigned max,
                                     const struct xvm_attr_policy *pol)
{
    const struct nlmsghdr *nlh = buf;

    memset(tb, 0, sizeof(*tb) * (max + 1));
    if (len > INT_MAX || !xvm_msg_ok(nlh, (int)len) || nlh->nlmsg_len != len)
        return NULL;
    return xvm_msg_attrs(nlh, tb, max, pol) == 0 ? nlh : NULL;
}

int xvm_nest_parse(const struct nlattr *nest, const struct nlattr **tb,
                   unsigned max, const struct xvm_attr_policy *pol)
{
    struct parse_ctx c = {tb, max, pol, mnl_attr_get_payload(nest)};

    memset(tb, 0, sizeof(*tb) * (max + 1));
    if (mnl_attr_parse_nested(nest, attr_cb, &c) != MNL_CB_OK)
        return -EINVAL;
    if (c.end != (const char *)mnl_attr_get_payload(nest) +
                     MNL_ALIGN(mnl_attr_get_payload_len(nest)))
        return -EINVAL;
    return 0;
}
