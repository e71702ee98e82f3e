/* SPDX-License-Identifier: MIT */
/* The xvmd control protocol: the policies xvmd and xvm validate messages
 * with (the rule is xvm/ctlmsg.h's), and its size limit. */
#include <libmnl/libmnl.h>
#include <limits.h>

#include "xvmdctl/proto.h"

const struct xvm_attr_policy xvmd_req_policy[XVMD_A_MAX_ + 1] = {
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

const struct xvm_attr_policy xvmd_reply_policy[XVMD_A_MAX_ + 1] = {
    [XVMD_A_ERRNO] = {MNL_TYPE_U32, 0},
    [XVMD_A_ERRMSG] = {MNL_TYPE_NUL_STRING, 4096},
    [XVMD_A_DOMAIN] = {MNL_TYPE_NESTED, 0},
    [XVMD_A_GT_GFN] = {MNL_TYPE_U64, 0},
    [XVMD_A_GT_FRAMES] = {MNL_TYPE_U32, 0},
    [XVMD_A_VIFINFO] = {MNL_TYPE_NESTED, 0},
};

const struct xvm_attr_policy xvmd_vif_policy[XVMD_V_MAX_ + 1] = {
    [XVMD_V_INDEX] = {MNL_TYPE_U32, 0},
    [XVMD_V_LINK] = {MNL_TYPE_NUL_STRING, 64},
    [XVMD_V_MAC] = {MNL_TYPE_NUL_STRING, 32},
    [XVMD_V_VLAN] = {MNL_TYPE_U32, 0},
    [XVMD_V_MAXBW] = {MNL_TYPE_U64, 0},
    [XVMD_V_STATE] = {MNL_TYPE_U32, 0},
    [XVMD_V_ERROR] = {MNL_TYPE_NUL_STRING, 512},
    [XVMD_V_VNIC] = {MNL_TYPE_NUL_STRING, 32},
    [XVMD_V_QUEUES] = {MNL_TYPE_U32, 0},
    [XVMD_V_CPUS] = {MNL_TYPE_NUL_STRING, 48},
};

const struct xvm_attr_policy xvmd_dom_policy[XVMD_D_MAX_ + 1] = {
    [XVMD_D_ID] = {MNL_TYPE_U32, 0},
    [XVMD_D_NAME] = {MNL_TYPE_NUL_STRING, 64},
    [XVMD_D_UUID] = {MNL_TYPE_BINARY, 16},
    [XVMD_D_STATE] = {MNL_TYPE_U32, 0},
    [XVMD_D_OSTYPE] = {MNL_TYPE_NUL_STRING, 32},
    [XVMD_D_MEMORY] = {MNL_TYPE_U64, 0},
    [XVMD_D_VCPUS] = {MNL_TYPE_U32, 0},
    [XVMD_D_PID] = {MNL_TYPE_U32, 0},
    [XVMD_D_AUTOSTART] = {MNL_TYPE_U32, 0},
    [XVMD_D_HYPERVISOR] = {MNL_TYPE_NUL_STRING, 32},
    [XVMD_D_IRQ] = {MNL_TYPE_U32, 0},
    [XVMD_D_UNLIMITED] = {MNL_TYPE_U32, 0},
};

const struct nlmsghdr *xvmd_msg_parse(const void *buf, size_t len,
                                      const struct nlattr **tb,
                                      unsigned max,
                                      const struct xvm_attr_policy *pol)
{
    /* Longer than either side sends: handed on as 0 bytes, which
     * xvm_msg_parse() refuses (zeroing @tb all the same). */
    return xvm_msg_parse(buf, len <= XVMD_MSG_MAX ? len : 0, tb, max, pol);
}

int xvmd_nest_parse(const struct nlattr *nest, const struct nlattr **tb,
                    unsigned max, const struct xvm_attr_policy *pol)
{
    return xvm_nest_parse(nest, tb, max, pol);
}
