/* SPDX-License-Identifier: MIT */
/*
 * One xvmd per xenstored.  xvmd owns the domains under /local/domain: at
 * start it takes over those its run records name and removes the others
 * from the store (vif.c's sweep).  A second xvmd on the same xenstored,
 * with another state directory, would remove the first one's running
 * domains.  So each xvmd claims the store in XVMD_CLAIM_PATH (dom0's, no
 * guest reads it): "pid P start S boot B state DIR".  A claim whose
 * process still runs (same boot, same start time) and is not this one
 * refuses the start.  The claim stays when its xvmd stops or dies, since
 * its domains run on: only an xvmd of the same state directory (the same
 * xvmd started again) takes it over, or any xvmd once the store holds no
 * domain but dom0.  Read and written in one transaction, so two xvmds
 * starting together cannot both win.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xs/xs.h"
#include "xvm/log.h"
#include "xvmd.h"

#define CLAIM_MAX 512

struct claim {
    long pid;
    unsigned long long start;
    char boot[40];
    char state[PATH_MAX];
};

/* "pid P start S boot B state DIR" (DIR to the end): 0, or -EINVAL. */
static int claim_parse(const char *s, struct claim *c)
{
    int off = -1;

    if (sscanf(s, "pid %ld start %llu boot %39s state %n", &c->pid, &c->start,
               c->boot, &off) != 3 || off < 0 || c->pid <= 0)
        return -EINVAL;
    snprintf(c->state, sizeof(c->state), "%s", s + off);
    return 0;
}

/* Does the store hold a domain other than dom0? */
static bool store_has_domains(struct xvm_xs *xs, uint32_t tx)
{
    char **names = NULL;
    unsigned n = 0, i;
    bool any = false;

    if (xvm_xs_directory(xs, tx, "/local/domain", &names, &n) < 0)
        return false;
    for (i = 0; i < n && !any; i++)
        any = strcmp(names[i], "0") != 0;
    free(names);
    return any;
}

/* Does the claim's xvmd still run? */
static bool claim_live(const struct claim *c, const char *boot)
{
    return strcmp(c->boot, boot) == 0 && c->pid != (long)getpid() &&
           xvmd_pid_start((pid_t)c->pid) == c->start;
}

int xvmd_claim(struct xvmd *x)
{
    char me[CLAIM_MAX], boot[40];
    int tries, rc = -EAGAIN;

    xvmd_boot_id(boot, sizeof(boot));
    snprintf(me, sizeof(me), "pid %d start %llu boot %s state %s",
             (int)getpid(), (unsigned long long)xvmd_pid_start(getpid()),
             boot[0] ? boot : "-", x->state_dir);
    for (tries = 0; tries < 8 && rc == -EAGAIN; tries++) {
        struct claim c;
        uint32_t tx;
        char *v = NULL;
        size_t len;

        rc = xvm_xs_transaction_start(x->xs, &tx);
        if (rc < 0)
            break;
        rc = xvm_xs_read(x->xs, tx, XVMD_CLAIM_PATH, &v, &len);
        if (rc == 0 && len < CLAIM_MAX && claim_parse(v, &c) == 0 &&
            claim_live(&c, boot)) {
            xvm_log_err("the xenstored on %s is another xvmd's (pid %ld, "
                        "state in %s): one xvmd per xenstored, or it would "
                        "take that xvmd's domains for stale ones",
                        x->xs_path, c.pid, c.state);
            free(v);
            xvm_xs_transaction_end(x->xs, tx, false);
            return -EBUSY;
        }
        if (rc == 0 && len < CLAIM_MAX && claim_parse(v, &c) == 0 &&
            strcmp(c.state, x->state_dir) != 0 &&
            store_has_domains(x->xs, tx)) {
            xvm_log_err("the xenstored on %s holds the domains of the xvmd "
                        "with state in %s, which is not running: start that "
                        "one (this one would take its domains for stale "
                        "ones), or remove %s once they may go",
                        x->xs_path, c.state, XVMD_CLAIM_PATH);
            free(v);
            xvm_xs_transaction_end(x->xs, tx, false);
            return -EBUSY;
        }
        if (rc == 0 && strcmp(v, me) != 0)
            xvm_log_info("claiming the xenstore of an xvmd that is gone "
                         "(%.*s)", (int)(len < 200 ? len : 200), v);
        free(v);
        if (rc < 0 && rc != -ENOENT) {
            xvm_xs_transaction_end(x->xs, tx, false);
            break;
        }
        rc = xvm_xs_write_str(x->xs, tx, XVMD_CLAIM_PATH, me);
        if (rc < 0) {
            xvm_xs_transaction_end(x->xs, tx, false);
            break;
        }
        rc = xvm_xs_transaction_end(x->xs, tx, true);
    }
    if (rc < 0)
        xvm_log_err("cannot claim the xenstore (%s): %s", XVMD_CLAIM_PATH,
                    strerror(-rc));
    return rc;
}
