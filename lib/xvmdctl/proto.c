/* SPDX-License-Identifier: MIT */
/* The xvmd control protocol: message validation shared by xvmd and xvm. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <limits.h>
#include <string.h>

#include "xvmdctl/proto.h"

const struct xvmd_attr_policy xvmd_req_policy[XVMD_A_MAX_ + 1] = {
    [XVMD_A_DOM] = {MNL_TYPE_NUL_STRING, 128},
    [XVMD_A_FILE] = {MNL_TYPE_NUL_STRING, PATH_MAX},
    [XVMD_A_CONFIG] = {MNL_TYPE_BINARY, XVMD_CONFIG_MAX},
    [XVMD_A_ALL] = {MNL_TYPE_FLAG, 0},
    [XVMD_A_PORT] = {MNL_TYPE_U32, 0},
    [XVMD_A_VIF] = {MNL_TYPE_U32, 0},
    [XVMD_A_VIFSPEC] = {MNL_TYPE_NUL_STRING, XVMD_VIFSPEC_MAX},
    [XVMD_A_WAIT] = {MNL_TYPE_U32, 0},
    [XVMD_A_AUTOSTART] = {MNL_TYPE_U32, 0},
};

const struct xvmd_attr_policy xvmd_reply_policy[XVMD_A_MAX_ + 1] = {
    [XVMD_A_ERRNO] = {MNL_TYPE_U32, 0},
    [XVMD_A_ERRMSG] = {MNL_TYPE_NUL_STRING, 4096},
    [XVMD_A_DOMAIN] = {MNL_TYPE_NESTED, 0},
    [XVMD_A_GT_GFN] = {MNL_TYPE_U64, 0},
    [XVMD_A_GT_FRAMES] = {MNL_TYPE_U32, 0},
    [XVMD_A_VIFINFO] = {MNL_TYPE_NESTED, 0},
};

const struct xvmd_attr_policy xvmd_vif_policy[XVMD_V_MAX_ + 1] = {
    [XVMD_V_INDEX] = {MNL_TYPE_U32, 0},
    [XVMD_V_LINK] = {MNL_TYPE_NUL_STRING, 64},
    [XVMD_V_MAC] = {MNL_TYPE_NUL_STRING, 32},
    [XVMD_V_VLAN] = {MNL_TYPE_U32, 0},
    [XVMD_V_MAXBW] = {MNL_TYPE_U64, 0},
    [XVMD_V_STATE] = {MNL_TYPE_U32, 0},
    [XVMD_V_ERROR] = {MNL_TYPE_NUL_STRING, 512},
};

const struct xvmd_attr_policy xvmd_dom_policy[XVMD_D_MAX_ + 1] = {
    [XVMD_D_ID] = {MNL_TYPE_U32, 0},
    [XVMD_D_NAME] = {MNL_TYPE_NUL_STRING, 64},
    [XVMD_D_UUID] = {MNL_TYPE_BINARY, 16},
    [XVMD_D_STATE] = {MNL_TYPE_U32, 0},
    [XVMD_D_OSTYPE] = {MNL_TYPE_NUL_STRING, 32},
    [XVMD_D_MEMORY] = {MNL_TYPE_U64, 0},
    [XVMD_D_VCPUS] = {MNL_TYPE_U32, 0},
    [XVMD_D_PID] = {MNL_TYPE_U32, 0},
    [XVMD_D_AUTOSTART] = {MNL_TYPE_U32, 0},
};

struct parse_ctx {
    const struct nlattr **tb;
    unsigned max;
    const struct xvmd_attr_policy *pol;
    const char *end; /* just past the last attribute seen */
};

static int attr_cb(const struct nlattr *attr, void *data)
{
    struct parse_ctx *c = data;
    uint16_t type = mnl_attr_get_type(attr);
    const struct xvmd_attr_policy *p;

    if (type > c->max || c->pol[type].mnl_type == 0)
        return MNL_CB_ERROR;
    p = &c->pol[type];
    if (mnl_attr_validate(attr, (enum mnl_attr_data_type)p->mnl_type) < 0)
        return MNL_CB_ERROR;
    if (p->max_len && mnl_attr_get_payload_len(attr) > p->max_len)
        return MNL_CB_ERROR;
    c->tb[type] = attr;
    c->end = (const char *)attr + MNL_ALIGN(attr->nla_len);
    return MNL_CB_OK;
}

const struct nlmsghdr *xvmd_msg_parse(const void *buf, size_t len,
                                      const struct nlattr **tb,
                                      unsigned max,
                                      const struct xvmd_attr_policy *pol)
{
    const struct nlmsghdr *nlh = buf;
    struct parse_ctx c = {tb, max, pol, NULL};

    memset(tb, 0, sizeof(*tb) * (max + 1));
    /* libmnl bounds attributes by the aligned length: with a length that
     * is not a multiple of 4 the last one could borrow bytes past @len. */
    if (len < sizeof(*nlh) || len > XVMD_MSG_MAX || len % NLMSG_ALIGNTO ||
        nlh->nlmsg_len != len || !mnl_nlmsg_ok(nlh, (int)len))
        return NULL;
    c.end = mnl_nlmsg_get_payload(nlh);
    if (mnl_attr_parse(nlh, 0, attr_cb, &c) != MNL_CB_OK)
        return NULL;
    /* libmnl stops quietly at a bad attribute: insist on using it all */
    if (c.end != (const char *)mnl_nlmsg_get_payload_tail(nlh))
        return NULL;
    return nlh;
}

int xvmd_nest_parse(const struct nlattr *nest, const struct nlattr **tb,
                    unsigned max, const struct xvmd_attr_policy *pol)
{
    struct parse_ctx c = {tb, max, pol, NULL};

    memset(tb, 0, sizeof(*tb) * (max + 1));
    c.end = mnl_attr_get_payload(nest);
    if (mnl_attr_parse_nested(nest, attr_cb, &c) != MNL_CB_OK)
        return -EINVAL;
    if (c.end != (const char *)mnl_attr_get_payload(nest) +
                     MNL_ALIGN(mnl_attr_get_payload_len(nest)))
        return -EINVAL;
    return 0;
}
