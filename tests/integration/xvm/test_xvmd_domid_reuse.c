/* SPDX-License-Identifier: MIT */
/*
 * xvmd's domain table with real process domains, driven in process so the
 * id space can be filled without 32751 guests: a create that fails gives
 * its id back; the last id below Xen's reserved ones is used and written
 * whole into xenstore; past it the ids wrap and a destroyed domain's id is
 * handed out again; with every id in use a create fails with ENOSPC and
 * leaves nothing behind.
 *
 * usage: test_xvmd_domid_reuse XVM-PROCDOM
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "xs/xs.h"
#include "xvmd.h"

static struct xvmd x;
static char dir[] = "/tmp/xvmd-domid.XXXXXX";

/* Create domain @name; its id, or -errno. */
static long create(const char *name)
{
    char text[128], err[256];
    struct xvm_domcfg *old = NULL;
    struct xvmd_dom *dom;
    int n, rc;

    n = snprintf(text, sizeof(text),
                 "name = \"%s\"\ntype = \"process\"\nmemory = 16\n", name);
    rc = xvmd_dom_create(&x, "test.cfg", text, (size_t)n, true, &dom, &old, err,
                         sizeof(err));
    free(old);
    if (rc < 0) {
        fprintf(stderr, "  create %s: %s\n", name, err);
        return rc;
    }
    return (long)dom->id;
}

static void destroy(const char *name)
{
    struct xvmd_dom *dom = xvmd_dom_find(&x, name);
    char err[256];

    CHECK(dom != NULL);
    if (dom)
        CHECK_EQ(xvmd_dom_destroy(&x, dom, err, sizeof(err)), 0);
}

/* The value of xenstore node @path as a number, or -1. */
static long xs_num(const char *path)
{
    char *v = NULL;
    size_t len;
    long n = -1;

    if (xvm_xs_read(x.xs, XVM_XS_NO_TX, path, &v, &len) == 0)
        n = strtol(v, NULL, 10);
    free(v);
    return n;
}

static void test_failed_create_gives_id_back(void)
{
    const char *procdom = x.procdom_path;

    CHECK_EQ(create("d1"), 1);
    x.procdom_path = "/nonexistent/xvm-procdom";
    CHECK(create("d2") < 0);
    x.procdom_path = procdom;
    CHECK_EQ(create("d2"), 2);
}

static void test_last_id_then_wrap_reuses(void)
{
    int id;

    /* ids 3 .. LAST-2 are taken (as by domains that still run) */
    do {
        id = xvmd_domid_alloc(&x.domids);
    } while (id > 0 && id < (int)XVMD_DOMID_LAST - 2);
    CHECK_EQ(id, XVMD_DOMID_LAST - 2);
    CHECK_EQ(create("d3"), XVMD_DOMID_LAST - 1);
    CHECK_EQ(create("d4"), XVMD_DOMID_LAST);
    CHECK_EQ(xs_num("/local/domain/32751/domid"), 32751);
    CHECK_EQ(xs_num("/local/domain/32751/domid"), XVMD_DOMID_LAST);
    /* everything in use: refused, nothing made */
    CHECK_EQ(create("d5"), -ENOSPC);
    CHECK(xvmd_dom_find(&x, "d5") == NULL);
    /* d3's id comes back once d3 is gone */
    destroy("d3");
    CHECK_EQ(xs_num("/local/domain/32750/domid"), -1);
    CHECK_EQ(create("d5"), XVMD_DOMID_LAST - 1);
    CHECK_EQ(xs_num("/local/domain/32750/domid"), 32750);
    /* and d1's, past the wrap */
    destroy("d1");
    CHECK_EQ(create("d3"), 1);
}

int main(int argc, char **argv)
{
    char state[64], netns[64], cmd[256], sock[64], pidf[64];
    long xsd = 0;
    FILE *f;

    if (argc != 3) {
        fprintf(stderr, "usage: %s XVM-PROCDOM XENSTORED\n", argv[0]);
        return 2;
    }
    if (geteuid() != 0) {
        printf("SKIP: needs root (network namespaces, mounts)\n");
        return 77;
    }
    if (!mkdtemp(dir))
        return 1;
    snprintf(state, sizeof(state), "%s/state", dir);
    snprintf(netns, sizeof(netns), "%s/netns", dir);
    x = (struct xvmd){.ep = -1, .state_dir = state, .netns_dir = netns,
                      .procdom_path = argv[1], .shutdown_ms = 1000};
    /* A xenstored of our own, ended by its pid at the end. */
    snprintf(sock, sizeof(sock), "%s/xs.sock", dir);
    snprintf(pidf, sizeof(pidf), "%s/xs.pid", dir);
    snprintf(cmd, sizeof(cmd), "%s -s %s -p %s", argv[2], sock, pidf);
    CHECK_EQ(system(cmd), 0);
    f = fopen(pidf, "r");
    if (!f || fscanf(f, "%ld", &xsd) != 1)
        xsd = 0;
    if (f)
        fclose(f);
    x.xs = xvm_xs_open(sock);
    CHECK(x.xs != NULL);
    if (!x.xs) {
        if (xsd > 0)
            kill((pid_t)xsd, SIGTERM);
        return check_summary();
    }
    CHECK_EQ(xvmd_dom_init(&x), 0);
    RUN(test_failed_create_gives_id_back);
    RUN(test_last_id_then_wrap_reuses);
    /* Domains outlive xvmd: the test's go before it stops. */
    for (struct xvmd_dom *d = x.doms; d; d = d->next)
        if (d->state != XVMD_STATE_SHUTOFF) {
            char err[256];

            xvmd_dom_destroy(&x, d, err, sizeof(err));
        }
    xvmd_dom_fini(&x);
    xvm_xs_close(x.xs);
    if (xsd > 0)
        kill((pid_t)xsd, SIGTERM);
    umount2(netns, MNT_DETACH);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
    return check_summary();
}
