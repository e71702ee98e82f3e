/* SPDX-License-Identifier: MIT */
/*
 * fuzz_xvmdctl.c - libFuzzer harness for xvmd's message validation
 * (xvmd_msg_parse(), xvmd_nest_parse(): the shared parser of xvm/ctlmsg.h
 * under xvmd's policies).
 *
 * The input is one datagram, checked three ways: as a request the way
 * xvmd checks it (xvmd_req_policy, then NLM_F_REQUEST and a known
 * command), as a reply the way xvm checks it (xvmd_reply_policy), and
 * every DOMAIN of a valid reply as xvm reads it (xvmd_nest_parse() with
 * xvmd_dom_policy).  Each answer is compared with the plain re-statement
 * of the rule in ctlmsg_ref.h: the message is exactly the datagram, at
 * most XVMD_MSG_MAX long, and ref_msg() holds.  The parse must agree both
 * ways, and whatever it indexes must be the last attribute of that type.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>

#include "ctlmsg_ref.h"
#include "xvmdctl/proto.h"

#define FUZZ_NAME "fuzz_xvmdctl"
#include "fuzz_harness.h"

/* Parse @buf both ways and compare; @return the header if valid. */
static const struct nlmsghdr *check_msg(const uint8_t *buf, size_t len,
                                        const struct xvm_attr_policy *pol,
                                        const struct nlattr **tb)
{
    const uint8_t *last[XVMD_A_MAX_ + 1];
    bool ref = ref_msg(buf, len, XVMD_A_MAX_, pol, last) && len <= XVMD_MSG_MAX;
    const struct nlmsghdr *nlh = xvmd_msg_parse(buf, len, tb, XVMD_A_MAX_, pol);

    INV((nlh != NULL) == ref);
    if (!nlh)
        return NULL;
    INV((const uint8_t *)nlh == buf);
    INV(ref_same(tb, last, XVMD_A_MAX_));
    return nlh;
}

static void check_domains(const struct nlmsghdr *nlh)
{
    const struct nlattr *a;

    mnl_attr_for_each(a, nlh, 0)
    {
        const struct nlattr *tb[XVMD_D_MAX_ + 1];
        const uint8_t *last[XVMD_D_MAX_ + 1];
        bool ref;
        int rc;

        if (mnl_attr_get_type(a) != XVMD_A_DOMAIN)
            continue;
        ref = ref_attrs(mnl_attr_get_payload(a), mnl_attr_get_payload_len(a),
                        XVMD_D_MAX_, xvmd_dom_policy, last);
        rc = xvmd_nest_parse(a, tb, XVMD_D_MAX_, xvmd_dom_policy);
        INV((rc == 0) == ref && (rc == 0 || rc == -EINVAL));
        if (rc < 0)
            continue;
        INV(ref_same(tb, last, XVMD_D_MAX_));
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
