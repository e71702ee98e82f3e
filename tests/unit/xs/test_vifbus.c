/* SPDX-License-Identifier: MIT */
/*
 * The vif bus (nbd_vifmgr) recovering from a lost xenstore: its socket
 * path is a symlink the test points at one libxst server, then, once that
 * server is gone, at a new one holding some of the old directories and a
 * new one.  The manager must notice the loss, retry with a growing
 * backoff without a busy loop, reconnect, reap the device whose directory
 * is gone, probe again the one whose directory is there but not as it
 * left it, and serve the new one.  No frontend connects (that needs
 * xvmd): the devices wait in InitWait.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "netback/nbd_vifmgr.h"
#include "xsd.h"
#include "xs/xs.h"

struct rec {
    int adds, removes, gone;
    unsigned added[8], removed[8]; /* domids, in order */
};

static unsigned lines_lost, lines_reconnected, lines_resync;
static char last_resync[256];

__attribute__((format(printf, 1, 2))) static void logf_(const char *fmt, ...)
{
    char line[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    fprintf(stderr, "  vifbus: %s\n", line);
    if (strstr(line, "connection lost"))
        lines_lost++;
    if (strstr(line, "reconnected to"))
        lines_reconnected++;
    if (strstr(line, "resynchronised")) {
        lines_resync++;
        snprintf(last_resync, sizeof(last_resync), "%s", line);
    }
}

static void op_add(void *arg, struct nbd_vifdev *dev)
{
    struct rec *r = arg;

    if (r->adds < 8)
        r->added[r->adds] = dev->domid;
    r->adds++;
}

static void op_remove(void *arg, struct nbd_vifdev *dev, bool gone)
{
    struct rec *r = arg;

    if (r->removes < 8)
        r->removed[r->removes] = dev->domid;
    r->removes++;
    r->gone += gone;
}

static int op_connect(void *arg, struct nbd_vifdev *dev,
                      const struct nbd_vifconn *c)
{
    (void)arg, (void)dev, (void)c;
    return -EOPNOTSUPP;
}

static void op_disconnect(void *arg, struct nbd_vifdev *dev)
{
    (void)arg, (void)dev;
}

static const struct nbd_vifmgr_ops ops = {
    .add = op_add,
    .remove = op_remove,
    .connect = op_connect,
    .disconnect = op_disconnect,
};

static int wr(struct xvm_xs *xs, const char *dir, const char *key,
              const char *val)
{
    char p[256];

    snprintf(p, sizeof(p), "%s/%s", dir, key);
    return xvm_xs_write_str(xs, XVM_XS_NO_TX, p, val);
}

/* The toolstack's keys of vif <domid>/0, the backend in @state, the
 * frontend Initialising. */
static void vif_dir(struct xvm_xs *ts, unsigned domid, const char *state)
{
    char be[96], fe[64], id[16];

    snprintf(be, sizeof(be), NBD_BE_ROOT "/%u/0", domid);
    snprintf(fe, sizeof(fe), "/local/domain/%u/device/vif/0", domid);
    snprintf(id, sizeof(id), "%u", domid);
    CHECK_EQ(wr(ts, be, "frontend", fe), 0);
    CHECK_EQ(wr(ts, be, "frontend-id", id), 0);
    CHECK_EQ(wr(ts, be, "handle", "0"), 0);
    CHECK_EQ(wr(ts, be, "mac", "00:16:3e:00:00:01"), 0);
    CHECK_EQ(wr(ts, be, "state", state), 0);
    CHECK_EQ(wr(ts, fe, "state", "1"), 0);
}

static bool be_state_is(struct xvm_xs *ts, unsigned domid, const char *want)
{
    char p[96], *v = NULL;
    bool ok;

    snprintf(p, sizeof(p), NBD_BE_ROOT "/%u/0/state", domid);
    ok = xvm_xs_read(ts, XVM_XS_NO_TX, p, &v, NULL) == 0 &&
         strcmp(v, want) == 0;
    if (!ok)
        fprintf(stderr, "  %s = %s, want %s\n", p, v ? v : "(none)", want);
    free(v);
    return ok;
}

/* Run the manager as a control thread would for @ms milliseconds;
 * @return how many times it was run. */
static unsigned serve(struct nbd_vifmgr *vm, int ms)
{
    unsigned runs = 0;

    while (ms > 0) {
        struct pollfd p = {.fd = nbd_vifmgr_fd(vm), .events = POLLIN};
        int t = nbd_vifmgr_timeout(vm);

        t = t < 0 || t > 20 ? 20 : t;
        if (poll(&p, 1, t) > 0 || nbd_vifmgr_timeout(vm) == 0) {
            nbd_vifmgr_run(vm);
            runs++;
        }
        ms -= t ? t : 1;
    }
    return runs;
}

static void test_recover(void)
{
    char dir[] = "/tmp/xvnet-vifbus.XXXXXX", link[64];
    struct xsd *a = xsd_start(), *b = NULL;
    struct xvm_xs *ts = NULL;
    struct nbd_vifmgr *vm = NULL;
    struct rec r = {0};
    unsigned runs;

    CHECK(a && mkdtemp(dir));
    if (!a)
        return;
    snprintf(link, sizeof(link), "%s/xs.sock", dir);
    CHECK_EQ(symlink(xsd_path(a), link), 0);
    ts = xvm_xs_open(link);
    CHECK(ts != NULL);
    vif_dir(ts, 5, "1");
    vif_dir(ts, 6, "1");
    vif_dir(ts, 8, "1");
    vm = nbd_vifmgr_create(&(struct nbd_vifmgr_params){
        .xs_sock = link, .xvmd_sock = "/nonexistent", .ops = &ops,
        .arg = &r, .log = logf_});
    CHECK(vm != NULL);
    if (!vm)
        goto out;
    nbd_vifmgr_run(vm);
    serve(vm, 200);
    CHECK_EQ(r.adds, 3);
    CHECK(be_state_is(ts, 5, "2") && be_state_is(ts, 6, "2") &&
          be_state_is(ts, 8, "2"));
    CHECK_EQ(nbd_vifmgr_timeout(vm), -1);

    /* The server goes: the loss is noticed, the devices stay. */
    xvm_xs_close(ts);
    ts = NULL;
    xsd_stop(a);
    a = NULL;
    serve(vm, 100);
    CHECK_EQ(lines_lost, 1);
    CHECK_EQ(nbd_vifmgr_fd(vm), -1);
    CHECK(nbd_vifmgr_xs(vm) == NULL);
    CHECK(nbd_vifmgr_timeout(vm) >= 0);
    CHECK_EQ(r.removes, 0);
    /* Backing off: a few attempts in 1.5 s, not a busy loop. */
    runs = serve(vm, 1500);
    CHECK(runs >= 3 && runs <= 8);
    CHECK_EQ(lines_reconnected, 0);

    /* A new server: vif 5 is gone, vif 6 is as it was (the store
     * survived), vif 8 is fresh as a toolstack writes it, vif 7 is new. */
    b = xsd_start();
    CHECK(b != NULL);
    if (!b)
        goto out;
    CHECK_EQ(unlink(link), 0);
    CHECK_EQ(symlink(xsd_path(b), link), 0);
    ts = xvm_xs_open(link);
    CHECK(ts != NULL);
    vif_dir(ts, 6, "2");
    vif_dir(ts, 7, "1");
    vif_dir(ts, 8, "1");
    serve(vm, 2500);
    CHECK_EQ(lines_reconnected, 1);
    CHECK_EQ(lines_resync, 1);
    CHECK(strstr(last_resync, "1 vifs kept, 1 probed again, 1 reaped"));
    /* 5 reaped, 8 removed and added again, 7 added, 6 untouched. */
    CHECK_EQ(r.removes, 2);
    CHECK_EQ(r.gone, 2);
    CHECK_EQ(r.removed[0] + r.removed[1], 13u);
    CHECK_EQ(r.adds, 5);
    CHECK(be_state_is(ts, 6, "2") && be_state_is(ts, 7, "2") &&
          be_state_is(ts, 8, "2"));
    CHECK(nbd_vifmgr_fd(vm) >= 0 && nbd_vifmgr_xs(vm) != NULL);
    CHECK_EQ(nbd_vifmgr_timeout(vm), -1);

    /* Still following: a directory removed is reaped. */
    CHECK_EQ(xvm_xs_rm(ts, XVM_XS_NO_TX, NBD_BE_ROOT "/7"), 0);
    serve(vm, 200);
    CHECK_EQ(r.removes, 3);
    CHECK_EQ(r.removed[2], 7u);
    /* And vif 6, kept, still follows its frontend. */
    CHECK_EQ(xvm_xs_write_str(ts, XVM_XS_NO_TX,
                              "/local/domain/6/device/vif/0/state", "6"), 0);
    serve(vm, 200);
    CHECK(be_state_is(ts, 6, "6"));
out:
    nbd_vifmgr_destroy(vm);
    xvm_xs_close(ts);
    xsd_stop(b);
    xsd_stop(a);
    unlink(link);
    rmdir(dir);
}

/* Started before xenstore listens: it waits for it. */
static void test_late_start(void)
{
    char dir[] = "/tmp/xvnet-vifbus.XXXXXX", link[64];
    struct nbd_vifmgr *vm = NULL;
    struct xvm_xs *ts = NULL;
    struct xsd *a = NULL;
    struct rec r = {0};

    CHECK(mkdtemp(dir) != NULL);
    snprintf(link, sizeof(link), "%s/xs.sock", dir);
    lines_reconnected = 0;
    vm = nbd_vifmgr_create(&(struct nbd_vifmgr_params){
        .xs_sock = link, .xvmd_sock = "/nonexistent", .ops = &ops,
        .arg = &r, .log = logf_});
    CHECK(vm != NULL);
    if (!vm)
        goto out;
    CHECK_EQ(nbd_vifmgr_fd(vm), -1);
    CHECK(nbd_vifmgr_timeout(vm) >= 0);
    serve(vm, 300);
    a = xsd_start();
    CHECK(a != NULL);
    if (!a)
        goto out;
    CHECK_EQ(symlink(xsd_path(a), link), 0);
    ts = xvm_xs_open(link);
    CHECK(ts != NULL);
    vif_dir(ts, 5, "1");
    serve(vm, 1500);
    CHECK_EQ(lines_reconnected, 1);
    CHECK_EQ(r.adds, 1);
    CHECK(be_state_is(ts, 5, "2"));
out:
    nbd_vifmgr_destroy(vm);
    xvm_xs_close(ts);
    xsd_stop(a);
    unlink(link);
    rmdir(dir);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    RUN(test_recover);
    RUN(test_late_start);
    return check_summary();
}
