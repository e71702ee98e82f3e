/* SPDX-License-Identifier: MIT */
/*
 * The xvmd control socket refuses what is not one well-formed request and
 * keeps serving: garbage, short and oversized headers, trailing bytes, an
 * unknown command or attribute, a wrongly typed attribute, attached fds;
 * and it checks a config itself (a client that skips the CLI's check gets
 * the same file:line:key message and nothing is created).
 *
 * usage: test_xvmd_proto SOCKET   (run by test_xvm_lifecycle.sh)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <libmnl/libmnl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "check.h"
#include "xvmdctl/proto.h"
#include "xvm/fdpass.h"

static const char *sock_path;
static char rep[XVMD_MSG_MAX];

static int conn(void)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);

    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/*
 * Send @len raw bytes (with @fd attached if >= 0); return the reply's
 * errno, or -1 if the connection was closed without a reply.  The reply's
 * message is copied to @msg.
 */
static long exchange(const void *buf, size_t len, int fd, char *msg,
                     size_t cap)
{
    const struct xvm_attr_policy *pol = xvmd_reply_policy;
    const struct nlattr *tb[XVMD_A_MAX_ + 1];
    int s = conn();
    ssize_t n;

    msg[0] = '\0';
    CHECK(s >= 0);
    if (s < 0)
        return -2;
    xvm_fd_send(s, buf, len, &fd, fd >= 0 ? 1 : 0);
    n = recv(s, rep, sizeof(rep), 0);
    close(s);
    if (n <= 0)
        return -1;
    CHECK(xvmd_msg_parse(rep, (size_t)n, tb, XVMD_A_MAX_, pol) != NULL);
    if (!xvmd_msg_parse(rep, (size_t)n, tb, XVMD_A_MAX_, pol) ||
        !tb[XVMD_A_ERRNO])
        return -3;
    if (tb[XVMD_A_ERRMSG])
        snprintf(msg, cap, "%s", mnl_attr_get_str(tb[XVMD_A_ERRMSG]));
    return mnl_attr_get_u32(tb[XVMD_A_ERRNO]);
}

static struct nlmsghdr *req(char *buf, uint16_t type)
{
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

    nlh->nlmsg_type = type;
    nlh->nlmsg_flags = NLM_F_REQUEST;
    nlh->nlmsg_seq = 7;
    return nlh;
}

/* LIST still works: the daemon survived what came before. */
static void alive(void)
{
    static char buf[256];
    char msg[256];
    struct nlmsghdr *nlh = req(buf, XVMD_CMD_LIST);

    CHECK_EQ(exchange(nlh, nlh->nlmsg_len, -1, msg, sizeof(msg)), 0);
}

static void test_garbage(void)
{
    static char buf[4096];
    char msg[256];
    struct nlmsghdr *nlh;

    memset(buf, 0xa5, sizeof(buf));
    CHECK_EQ(exchange(buf, 3, -1, msg, sizeof(msg)), EINVAL);
    CHECK(strcmp(msg, "malformed request") == 0);
    CHECK_EQ(exchange(buf, sizeof(buf), -1, msg, sizeof(msg)), EINVAL);
    /* nlmsg_len says more than was sent */
    nlh = req(buf, XVMD_CMD_LIST);
    nlh->nlmsg_len = 64;
    CHECK_EQ(exchange(buf, 16, -1, msg, sizeof(msg)), EINVAL);
    /* trailing bytes after the message */
    nlh = req(buf, XVMD_CMD_LIST);
    CHECK_EQ(exchange(buf, nlh->nlmsg_len + 8, -1, msg, sizeof(msg)),
             EINVAL);
    /* a length that is not a multiple of 4, even with the attribute
     * inside it (found by fuzz_xvmdctl) */
    nlh = req(buf, XVMD_CMD_DOMINFO);
    mnl_attr_put_strz(nlh, XVMD_A_DOM, "ab");
    nlh->nlmsg_len -= 1;
    CHECK_EQ(exchange(nlh, nlh->nlmsg_len, -1, msg, sizeof(msg)), EINVAL);
    CHECK(strcmp(msg, "malformed request") == 0);
    /* not flagged as a request, or an unknown command */
    nlh = req(buf, XVMD_CMD_LIST);
    nlh->nlmsg_flags = 0;
    CHECK_EQ(exchange(nlh, nlh->nlmsg_len, -1, msg, sizeof(msg)), EINVAL);
    nlh = req(buf, XVMD_CMD_MAX_ + 1);
    CHECK_EQ(exchange(nlh, nlh->nlmsg_len, -1, msg, sizeof(msg)), EINVAL);
    alive();
}

static void test_bad_attrs(void)
{
    static char buf[4096];
    char msg[256];
    struct nlmsghdr *nlh;
    struct nlattr *a;

    /* unknown attribute */
    nlh = req(buf, XVMD_CMD_LIST);
    mnl_attr_put_u32(nlh, XVMD_A_MAX_ + 5, 1);
    CHECK_EQ(exchange(nlh, nlh->nlmsg_len, -1, msg, sizeof(msg)), EINVAL);
    /* a reply-only attribute in a request */
    nlh = req(buf, XVMD_CMD_LIST);
    mnl_attr_put_u32(nlh, XVMD_A_ERRNO, 1);
    CHECK_EQ(exchange(nlh, nlh->nlmsg_len, -1, msg, sizeof(msg)), EINVAL);
    /* DOM without its NUL */
    nlh = req(buf, XVMD_CMD_DOMINFO);
    mnl_attr_put(nlh, XVMD_A_DOM, 4, "web1");
    CHECK_EQ(exchange(nlh, nlh->nlmsg_len, -1, msg, sizeof(msg)), EINVAL);
    /* an attribute whose length runs past the message */
    nlh = req(buf, XVMD_CMD_DOMINFO);
    mnl_attr_put_strz(nlh, XVMD_A_DOM, "web1");
    a = (struct nlattr *)((char *)nlh + MNL_NLMSG_HDRLEN);
    a->nla_len = 200;
    CHECK_EQ(exchange(nlh, nlh->nlmsg_len, -1, msg, sizeof(msg)), EINVAL);
    /* a missing DOM */
    nlh = req(buf, XVMD_CMD_PAUSE);
    CHECK_EQ(exchange(nlh, nlh->nlmsg_len, -1, msg, sizeof(msg)), EINVAL);
    CHECK(strcmp(msg, "no domain given") == 0);
    /* an fd attached: the connection is dropped, the fd not kept */
    nlh = req(buf, XVMD_CMD_LIST);
    CHECK_EQ(exchange(nlh, nlh->nlmsg_len, 0, msg, sizeof(msg)), -1);
    alive();
}

static void test_config_checked_by_daemon(void)
{
    static const char cfg[] = "name = \"raw1\"\nvif = [ \"link=p0,"
                              "vlan=5000\" ]\n";
    static const char kvm[] = "name=\"vm1\"\ntype = \"kvm\"\n";
    static char buf[4096];
    char msg[256];
    struct nlmsghdr *nlh;

    nlh = req(buf, XVMD_CMD_CREATE);
    mnl_attr_put_strz(nlh, XVMD_A_FILE, "raw1.cfg");
    mnl_attr_put(nlh, XVMD_A_CONFIG, sizeof(cfg) - 1, cfg);
    CHECK_EQ(exchange(nlh, nlh->nlmsg_len, -1, msg, sizeof(msg)), EINVAL);
    CHECK(strcmp(msg, "raw1.cfg:2: vif: vlan 5000 out of range (1-4094)") ==
          0);
    nlh = req(buf, XVMD_CMD_DOMINFO);
    mnl_attr_put_strz(nlh, XVMD_A_DOM, "raw1");
    CHECK_EQ(exchange(nlh, nlh->nlmsg_len, -1, msg, sizeof(msg)), ENOENT);
    /* a kvm domain needs its kernel */
    nlh = req(buf, XVMD_CMD_CREATE);
    mnl_attr_put_strz(nlh, XVMD_A_FILE, "vm.cfg");
    mnl_attr_put(nlh, XVMD_A_CONFIG, sizeof(kvm) - 1, kvm);
    CHECK_EQ(exchange(nlh, nlh->nlmsg_len, -1, msg, sizeof(msg)), EINVAL);
    CHECK(strcmp(msg, "vm.cfg:3: kernel: required key missing: a kvm "
                      "domain boots the kernel it names") == 0);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_xvmd_proto SOCKET\n");
        return 2;
    }
    sock_path = argv[1];
    RUN(test_garbage);
    RUN(test_bad_attrs);
    RUN(test_config_checked_by_daemon);
    return check_summary();
}
