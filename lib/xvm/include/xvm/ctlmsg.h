/* SPDX-License-Identifier: MIT */
/*
 * xvm/ctlmsg.h - the one parser of the daemons' control messages.
 *
 * xvmd's control protocol (xvmdctl/proto.h) and vswitchd's (vswctl/ctl.h)
 * carry netlink-format messages over SOCK_SEQPACKET sockets: a struct
 * nlmsghdr, then type-length-value attributes aligned to 4 bytes, built
 * with libmnl.  Both validate what they receive here, each against its
 * own policy: a table, indexed by attribute type, of struct
 * xvm_attr_policy.
 *
 * The rule, the same for a message and for the attributes nested in one:
 *  - the attributes tile the payload exactly: each lies inside it, and
 *    bytes after the last one that do not form an attribute make the
 *    whole invalid (libmnl's walk would stop there quietly);
 *  - a message's length is a multiple of 4 (libmnl never builds another
 *    and bounds attributes by the aligned length: the last one could
 *    otherwise borrow bytes that were never received);
 *  - every attribute's type is at most the table's @max and has a policy
 *    entry (type 0 has none), passes mnl_attr_validate() for its libmnl
 *    type (integers exact, flags empty, strings NUL-terminated, nests
 *    empty or at least one header) and the entry's length limits;
 *  - a repeated attribute is indexed by its last instance.
 */
#ifndef XVM_CTLMSG_H
#define XVM_CTLMSG_H

#include "xvm/export.h"

#include <linux/netlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** What one attribute type must look like; an all-zero entry refuses it. */
struct xvm_attr_policy {
    uint16_t type;    /**< enum mnl_attr_data_type; 0 (UNSPEC): refused */
    uint32_t max_len; /**< payload bytes at most; 0: no limit but mnl's */
    uint16_t min_len; /**< payload bytes at least */
    uint16_t unit;    /**< payload a whole number of these; 0: any */
};

/**
 * Is @nlh a whole message within the @len bytes left of a buffer?  What
 * mnl_nlmsg_ok() answers, except that a length of 2^31 or more is refused
 * (libmnl 1.0.4 compares it signed: such a message would be walked past
 * the buffer, or forever).  Walk a buffer of several messages with this
 * and mnl_nlmsg_next().
 */
XVN_EXPORT
bool xvm_msg_ok(const struct nlmsghdr *nlh, int len);

/**
 * Index the attributes of @nlh, a whole message in memory (xvm_msg_ok()),
 * into @tb (@max + 1 entries, zeroed first) under @pol (@max + 1 entries).
 * @return 0, or -EINVAL when the message breaks the rule above.
 */
XVN_EXPORT
int xvm_msg_attrs(const struct nlmsghdr *nlh, const struct nlattr **tb,
                  unsigned max, const struct xvm_attr_policy *pol);

/**
 * Validate the @len bytes at @buf as exactly one message (nlmsg_len is
 * @len: nothing short, nothing after it) and index its attributes as
 * xvm_msg_attrs() does.  @tb is zeroed whatever the answer.
 * @return the header, or NULL (invalid).
 */
XVN_EXPORT
const struct nlmsghdr *xvm_msg_parse(const void *buf, size_t len,
                                     const struct nlattr **tb, unsigned max,
                                     const struct xvm_attr_policy *pol);

/**
 * Index the attributes nested in @nest (an attribute of a message
 * xvm_msg_attrs() accepted) as xvm_msg_attrs() does; they tile its
 * payload up to the padding after it.  @return 0 or -EINVAL.
 */
XVN_EXPORT
int xvm_nest_parse(const struct nlattr *nest, const struct nlattr **tb,
                   unsigned max, const struct xvm_attr_policy *pol);

#ifdef __cplusplus
}
#endif

#endif /* XVM_CTLMSG_H */
