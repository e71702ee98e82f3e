/* SPDX-License-Identifier: MIT */
/*
 * libxvm's control-message parser (xvm/ctlmsg.h), the one both control
 * protocols use, on its edges: the framing of a message (short, trailing
 * bytes, a length that is not a multiple of 4, a length of 2^31), its
 * attributes (unknown, ill-typed, too long or short, not a whole number
 * of units, bytes after the last one) and nested attributes.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <limits.h>
#include <string.h>

#include "check.h"
#include "xvm/ctlmsg.h"

enum {
    T_UNSPEC,
    T_U32,
    T_STR, /* at most 8 bytes with its NUL */
    T_FLAG,
    T_NEST, /* N_* */
    T_MAC,  /* exactly 6 bytes */
    T_IPS,  /* 4-byte units, at most 3 */
    T_GAP,  /* no policy: refused */
    T_BLOB, /* any length */
    T_MAX_ = T_BLOB,
};

static const struct xvm_attr_policy pol[T_MAX_ + 1] = {
    [T_U32] = {MNL_TYPE_U32, 0},
    [T_STR] = {MNL_TYPE_NUL_STRING, 8},
    [T_FLAG] = {MNL_TYPE_FLAG, 0},
    [T_NEST] = {MNL_TYPE_NESTED, 0},
    [T_MAC] = {MNL_TYPE_BINARY, 6, .min_len = 6},
    [T_IPS] = {MNL_TYPE_BINARY, 12, .unit = 4},
    [T_BLOB] = {MNL_TYPE_BINARY, 0},
};

enum { N_UNSPEC, N_U64, N_STR, N_MAX_ = N_STR };

static const struct xvm_attr_policy npol[N_MAX_ + 1] = {
    [N_U64] = {MNL_TYPE_U64, 0},
    [N_STR] = {MNL_TYPE_NUL_STRING, 0},
};

static _Alignas(8) char buf[4096];
static const struct nlattr *tb[T_MAX_ + 1];

static struct nlmsghdr *msg(void)
{
    memset(buf, 0, sizeof(buf));
    return mnl_nlmsg_put_header(buf);
}

/* The whole message as one buffer: 0 valid, -1 invalid. */
static int parse(const struct nlmsghdr *nlh)
{
    return xvm_msg_parse(nlh, nlh->nlmsg_len, tb, T_MAX_, pol) ? 0 : -1;
}

/* A message holding one attribute of @type with @len payload bytes. */
static int one(uint16_t type, const void *data, size_t len)
{
    struct nlmsghdr *nlh = msg();

    mnl_attr_put(nlh, type, len, data);
    return parse(nlh);
}

/* Raw bytes appended to @nlh as they are (no header, no padding). */
static void raw(struct nlmsghdr *nlh, const void *p, size_t len)
{
    memcpy((char *)nlh + nlh->nlmsg_len, p, len);
    nlh->nlmsg_len += (uint32_t)len;
}

static bool tb_clear(void)
{
    unsigned t;

    for (t = 0; t <= T_MAX_; t++)
        if (tb[t])
            return false;
    return true;
}

static void test_valid(void)
{
    static const uint8_t mac[6] = {2, 8, 0x20, 1, 2, 3};
    struct nlmsghdr *nlh = msg();
    const struct nlattr *first;

    CHECK_EQ(parse(nlh), 0); /* a header alone */
    CHECK(tb_clear());
    mnl_attr_put_u32(nlh, T_U32, 1);
    first = mnl_nlmsg_get_payload(nlh);
    mnl_attr_put_strz(nlh, T_STR, "1234567"); /* 8 with the NUL */
    mnl_attr_put(nlh, T_FLAG, 0, NULL);
    mnl_attr_put(nlh, T_MAC, 6, mac);
    mnl_attr_put(nlh, T_IPS, 12, "abcdefghijkl");
    mnl_attr_put(nlh, T_BLOB, 5, "12345"); /* unpadded payload */
    mnl_attr_put_u32(nlh, T_U32, 2);       /* repeated: the last counts */
    CHECK(xvm_msg_parse(buf, nlh->nlmsg_len, tb, T_MAX_, pol) ==
          (const struct nlmsghdr *)buf);
    CHECK(tb[T_U32] && tb[T_U32] != first && mnl_attr_get_u32(tb[T_U32]) == 2);
    CHECK(tb[T_STR] && strcmp(mnl_attr_get_str(tb[T_STR]), "1234567") == 0);
    CHECK(tb[T_FLAG] && tb[T_MAC] && tb[T_IPS] && tb[T_BLOB]);
    CHECK(!tb[T_NEST] && !tb[T_GAP] && !tb[T_UNSPEC]);
    CHECK_EQ(xvm_msg_attrs(nlh, tb, T_MAX_, pol), 0);
    /* The type's flag bits are not part of the type. */
    CHECK_EQ(one(T_U32 | NLA_F_NET_BYTEORDER, "\0\0\0\1", 4), 0);
    CHECK(tb[T_U32] != NULL);
}

static void test_framing(void)
{
    struct nlmsghdr *nlh = msg();

    mnl_attr_put_u32(nlh, T_U32, 1);
    /* short: less than a header, or a header saying less than itself */
    CHECK(xvm_msg_parse(buf, 0, tb, T_MAX_, pol) == NULL);
    CHECK(xvm_msg_parse(buf, 15, tb, T_MAX_, pol) == NULL);
    nlh->nlmsg_len = 12;
    CHECK(xvm_msg_parse(buf, 12, tb, T_MAX_, pol) == NULL);
    CHECK(xvm_msg_parse(buf, 16, tb, T_MAX_, pol) == NULL);
    CHECK_EQ(xvm_msg_attrs(nlh, tb, T_MAX_, pol), -EINVAL);
    /* nlmsg_len says more, or less, than the buffer holds */
    nlh->nlmsg_len = 24;
    CHECK(xvm_msg_parse(buf, 24, tb, T_MAX_, pol) != NULL);
    CHECK(tb[T_U32] != NULL);
    CHECK(xvm_msg_parse(buf, 20, tb, T_MAX_, pol) == NULL);
    CHECK(tb_clear()); /* zeroed, whatever the answer */
    CHECK(xvm_msg_parse(buf, 28, tb, T_MAX_, pol) == NULL); /* trailing */
    CHECK(xvm_msg_parse(buf, 48, tb, T_MAX_, pol) == NULL);
    /* two whole messages are not one */
    memcpy(buf + 24, buf, 24);
    CHECK(xvm_msg_parse(buf, 48, tb, T_MAX_, pol) == NULL);
    /* a length of 2^31 or more is refused before anything is read */
    CHECK(xvm_msg_parse(buf, (size_t)INT_MAX + 1, tb, T_MAX_, pol) == NULL);
    nlh->nlmsg_len = 0x80000000u;
    CHECK(!xvm_msg_ok(nlh, 48));
    CHECK_EQ(xvm_msg_attrs(nlh, tb, T_MAX_, pol), -EINVAL);
}

/* A length that is not a multiple of 4, even with the attribute inside. */
static void test_unaligned(void)
{
    struct nlmsghdr *nlh = msg();

    mnl_attr_put(nlh, T_BLOB, 3, "abc"); /* nla_len 7, padded to 8 */
    nlh->nlmsg_len -= 1;
    CHECK(xvm_msg_parse(buf, nlh->nlmsg_len, tb, T_MAX_, pol) == NULL);
    CHECK_EQ(xvm_msg_attrs(nlh, tb, T_MAX_, pol), -EINVAL);
    /* The same as a message of a datagram: still refused. */
    CHECK(xvm_msg_ok(nlh, 24));
    CHECK_EQ(xvm_msg_attrs(nlh, tb, T_MAX_, pol), -EINVAL);
}

/* Bytes after the last attribute that do not make one. */
static void test_trailing_attr_bytes(void)
{
    static const uint8_t junk[][4] = {
        {0, 0, 0, 0},       /* nla_len 0 */
        {3, 0, T_FLAG, 0},  /* nla_len below a header */
        {0xff, 0xff, 1, 0}, /* nla_len past the end */
        {8, 0, T_U32, 0},   /* a header and no payload */
    };
    unsigned i;

    for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
        struct nlmsghdr *nlh = msg();

        mnl_attr_put_u32(nlh, T_U32, 1);
        raw(nlh, junk[i], 4);
        CHECK_EQ(parse(nlh), -1);
        CHECK_EQ(xvm_msg_attrs(nlh, tb, T_MAX_, pol), -EINVAL);
    }
}

static void test_unknown(void)
{
    CHECK_EQ(one(T_UNSPEC, NULL, 0), -1);
    CHECK_EQ(one(T_GAP, NULL, 0), -1);
    CHECK_EQ(one(T_MAX_ + 1, NULL, 0), -1);
    CHECK_EQ(one((uint16_t)NLA_TYPE_MASK, "x", 1), -1);
    CHECK(tb_clear());
}

static void test_ill_typed(void)
{
    CHECK_EQ(one(T_U32, "abc", 3), -1);
    CHECK_EQ(one(T_U32, "abcde", 5), -1);
    CHECK_EQ(one(T_U32, "", 0), -1);
    CHECK_EQ(one(T_FLAG, "", 1), -1);
    CHECK_EQ(one(T_STR, "ab", 2), -1);  /* no NUL */
    CHECK_EQ(one(T_STR, "", 0), -1);    /* empty */
    CHECK_EQ(one(T_STR, "", 1), 0);     /* "" */
    CHECK_EQ(one(T_NEST, "ab", 2), -1); /* less than one header */
}

static void test_lengths(void)
{
    static const char blob[2000];

    CHECK_EQ(one(T_STR, "12345678", 9), -1); /* over max_len */
    CHECK_EQ(one(T_MAC, "12345", 5), -1);    /* under min_len */
    CHECK_EQ(one(T_MAC, "123456", 6), 0);
    CHECK_EQ(one(T_MAC, "1234567", 7), -1);
    CHECK_EQ(one(T_IPS, "", 0), 0); /* no unit at all */
    CHECK_EQ(one(T_IPS, "1234", 4), 0);
    CHECK_EQ(one(T_IPS, "123456", 6), -1);            /* not whole units */
    CHECK_EQ(one(T_IPS, "1234567890123456", 16), -1); /* over max_len */
    CHECK_EQ(one(T_BLOB, blob, sizeof(blob)), 0);
}

static void test_nested(void)
{
    struct nlmsghdr *nlh = msg();
    const struct nlattr *ntb[N_MAX_ + 1];
    struct nlattr *nest;

    nest = mnl_attr_nest_start(nlh, T_NEST);
    mnl_attr_put_u64(nlh, N_U64, 7);
    mnl_attr_put_strz(nlh, N_STR, "abc");
    mnl_attr_nest_end(nlh, nest);
    CHECK_EQ(parse(nlh), 0);
    CHECK(tb[T_NEST] == nest);
    CHECK_EQ(xvm_nest_parse(nest, ntb, N_MAX_, npol), 0);
    CHECK(ntb[N_U64] && mnl_attr_get_u64(ntb[N_U64]) == 7);
    CHECK(ntb[N_STR] && strcmp(mnl_attr_get_str(ntb[N_STR]), "abc") == 0);

    /* empty */
    nlh = msg();
    nest = mnl_attr_nest_start(nlh, T_NEST);
    mnl_attr_nest_end(nlh, nest);
    CHECK_EQ(parse(nlh), 0);
    CHECK_EQ(xvm_nest_parse(nest, ntb, N_MAX_, npol), 0);
    CHECK(!ntb[N_U64] && !ntb[N_STR]);

    /* an unknown, or ill-typed, attribute inside */
    nlh = msg();
    nest = mnl_attr_nest_start(nlh, T_NEST);
    mnl_attr_put_u64(nlh, N_MAX_ + 1, 7);
    mnl_attr_nest_end(nlh, nest);
    CHECK_EQ(parse(nlh), 0); /* the outer level does not look inside */
    CHECK_EQ(xvm_nest_parse(nest, ntb, N_MAX_, npol), -EINVAL);
    nlh = msg();
    nest = mnl_attr_nest_start(nlh, T_NEST);
    mnl_attr_put_u32(nlh, N_U64, 7);
    mnl_attr_nest_end(nlh, nest);
    CHECK_EQ(xvm_nest_parse(nest, ntb, N_MAX_, npol), -EINVAL);

    /* bytes inside the nest after its last attribute */
    nlh = msg();
    nest = mnl_attr_nest_start(nlh, T_NEST);
    mnl_attr_put_u64(nlh, N_U64, 7);
    raw(nlh, "\0\0\0\0", 4);
    mnl_attr_nest_end(nlh, nest);
    CHECK_EQ(parse(nlh), 0);
    CHECK_EQ(xvm_nest_parse(nest, ntb, N_MAX_, npol), -EINVAL);

    /* the last attribute inside may end in the nest's padding, not past */
    nlh = msg();
    nest = mnl_attr_nest_start(nlh, T_NEST);
    mnl_attr_put_strz(nlh, N_STR, "ab"); /* nla_len 7 */
    mnl_attr_nest_end(nlh, nest);
    nest->nla_len = 4 + 7;
    CHECK_EQ(parse(nlh), 0);
    CHECK_EQ(xvm_nest_parse(nest, ntb, N_MAX_, npol), 0);
    nest->nla_len = 4 + 6;
    CHECK_EQ(xvm_nest_parse(nest, ntb, N_MAX_, npol), -EINVAL);
}

/* Several messages in one buffer, as vswitchd's datagrams carry them. */
static void test_walk(void)
{
    struct nlmsghdr *nlh = msg(), *second;
    const struct nlmsghdr *it;
    int rest, n = 0;

    mnl_attr_put_u32(nlh, T_U32, 1);
    second = mnl_nlmsg_put_header(buf + nlh->nlmsg_len);
    mnl_attr_put_strz(second, T_STR, "x");
    rest = (int)(nlh->nlmsg_len + second->nlmsg_len);
    for (it = nlh; xvm_msg_ok(it, rest); it = mnl_nlmsg_next(it, &rest)) {
        CHECK_EQ(xvm_msg_attrs(it, tb, T_MAX_, pol), 0);
        n++;
    }
    CHECK_EQ(n, 2);
    CHECK(tb[T_STR] && !tb[T_U32]); /* the second's only */
    CHECK(!xvm_msg_ok(nlh, 15));
    CHECK(!xvm_msg_ok(nlh, (int)nlh->nlmsg_len - 4));
}

int main(void)
{
    RUN(test_valid);
    RUN(test_framing);
    RUN(test_unaligned);
    RUN(test_trailing_attr_bytes);
    RUN(test_unknown);
    RUN(test_ill_typed);
    RUN(test_lengths);
    RUN(test_nested);
    RUN(test_walk);
    return check_summary();
}
