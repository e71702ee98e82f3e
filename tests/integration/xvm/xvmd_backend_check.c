/* SPDX-License-Identifier: MIT */
/*
 * What a backend gets from xvmd for a running domain: its memory (the
 * domain's whole memfd, of the configured size, with the grant table where
 * xvmd says) and refusals for what it may not have (no such domain,
 * Domain-0, a port the guest never allocated).
 *
 * usage: xvmd_backend_check SOCKET DOMID MEMORY_MIB
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "xvmdctl/client.h"
#include "xvm/gnttab.h"
#include "xvm/mem.h"

static const char *sock;
static uint32_t domid, mib;

static void test_dommem(void)
{
    struct xvmd_dommem m;
    struct xvm_mem *mem;
    char err[256];

    CHECK_EQ(xvmd_dommem_get(sock, domid, &m, err, sizeof(err)), 0);
    mem = xvm_mem_open(m.memfd);
    CHECK(mem != NULL);
    if (mem)
        CHECK_EQ(xvm_mem_nr_frames(mem), mib * 256);
    CHECK_EQ(m.gt_gfn, XVM_GNTTAB_GFN);
    CHECK_EQ(m.gt_frames, XVM_GNTTAB_FRAMES);
    xvm_mem_destroy(mem);
    close(m.memfd);
}

static void test_refusals(void)
{
    struct xvmd_dommem m;
    char err[256] = "";
    int a, b;

    CHECK_EQ(xvmd_dommem_get(sock, 999, &m, err, sizeof(err)), -ENOENT);
    printf("  no such domain: %s\n", err);
    CHECK(strstr(err, "999") != NULL);
    CHECK_EQ(xvmd_dommem_get(sock, 0, &m, err, sizeof(err)), -EPERM);
    printf("  dom0: %s\n", err);
    CHECK_EQ(xvmd_evtchn_bind(sock, domid, 1, &a, &b, err, sizeof(err)),
             -EINVAL);
    printf("  unallocated port: %s\n", err);
    CHECK(strstr(err, "port 1") != NULL);
    CHECK_EQ(xvmd_dommem_get("/nonexistent/xvmd.sock", domid, &m, err,
                             sizeof(err)), -ENOENT);
    CHECK(strstr(err, "not running") != NULL);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: xvmd_backend_check SOCKET DOMID MIB\n");
        return 2;
    }
    sock = argv[1];
    domid = (uint32_t)strtoul(argv[2], NULL, 10);
    mib = (uint32_t)strtoul(argv[3], NULL, 10);
    RUN(test_dommem);
    RUN(test_refusals);
    return check_summary();
}
