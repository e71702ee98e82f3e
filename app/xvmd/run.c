/* SPDX-License-Identifier: MIT */
/*
 * xvmd: what outlives xvmd about its running domains.
 *
 * A guest does not end with xvmd: the xenstored holds the store and the
 * guest's xenstore connection, and the guest program (xvm-procdom,
 * xvm-kvm) holds a copy of xvmd's end of its channel, of its console's
 * pty master and of its memory (fds 5, 6 and 7, see guest.c), so none of
 * them closes when xvmd goes.  For
 * the next xvmd to find it again, each running domain has a run record,
 * <state>/running/<name>, written atomically when it starts and when it
 * gets a new event channel, removed when its run ends:
 *
 *   boot <boot id>  id <domid>  pid <pid> <start>  init <pid> <start>
 *   ports <hex mask>  cg <cgroup path>
 *
 * (one "key value..." per line).  At start xvmd reads the record of each
 * domain it has, and takes the guest over only if the kernel's boot id is
 * the same, the pid still runs the guest program of the domain's kind
 * (xvm-procdom, xvm-kvm) and its
 * start time (clock
 * ticks since boot, from /proc/<pid>/stat) is the one written: a pid
 * reused by another process is never adopted.  The kind then takes the
 * guest's descriptors back with pidfd_getfd() (adopt op).  The event
 * channels the guest holds stay reserved (their doorbells are with the
 * guest and its backends already; xvmd no longer has them, so such a port
 * cannot be bound again, not even by a restarted backend).  A record that does not check out is removed,
 * and so is what the dead run left (its namespace pin; its xenstore nodes
 * go with the sweep that follows, vif.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xs/xs.h"
#include "xvm/daemon.h"
#include "xvmd.h"

#define RUN_MAX 2048

static int run_path(const struct xvmd *x, const char *name, char *buf,
                    size_t cap)
{
    int n = name ? snprintf(buf, cap, "%s/running/%s", x->state_dir, name)
                 : snprintf(buf, cap, "%s/running", x->state_dir);

    return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

ssize_t xvmd_read_small(int dirfd, const char *path, char *buf, size_t cap)
{
    int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0)
        return -errno;
    n = read(fd, buf, cap - 1);
    if (n < 0)
        n = -errno;
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    return n;
}

void xvmd_boot_id(char *buf, size_t cap)
{
    if (xvmd_read_small(AT_FDCWD, "/proc/sys/kernel/random/boot_id", buf,
                        cap) <= 0)
        buf[0] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
}

int xvmd_pid_stat(pid_t pid, char *state, uint64_t *start)
{
    char path[64], buf[1024], *p;
    unsigned long long st = 0;
    int i;

    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    if (xvmd_read_small(AT_FDCWD, path, buf, sizeof(buf)) <= 0)
        return -ESRCH;
    /* The command may hold spaces and parentheses: fields count from the
     * last ')'; the state is field 3, the start time field 22. */
    p = strrchr(buf, ')');
    if (!p || p[1] != ' ' || !p[2])
        return -EINVAL;
    if (state)
        *state = p[2];
    for (i = 0; i < 20; i++)
        if (!(p = strchr(p + 1, ' ')))
            return -EINVAL;
    if (sscanf(p + 1, "%llu", &st) != 1)
        return -EINVAL;
    if (start)
        *start = st;
    return 0;
}

uint64_t xvmd_pid_start(pid_t pid)
{
    uint64_t start = 0;

    return xvmd_pid_stat(pid, NULL, &start) == 0 ? start : 0;
}

bool xvmd_pid_runs(pid_t pid, const char *comm)
{
    char path[64], buf[32];

    snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
    if (xvmd_read_small(AT_FDCWD, path, buf, sizeof(buf)) <= 0)
        return false;
    buf[strcspn(buf, "\n")] = '\0';
    return strcmp(buf, comm) == 0;
}

/* The name the kernel gives the processes of @dom's guest program (its
 * base name, cut to 15 characters). */
static const char *guest_comm(const struct xvmd *x, const struct xvmd_dom *dom,
                              char *buf, size_t cap)
{
    const char *prog = dom->ops->program(x), *b = strrchr(prog, '/');

    snprintf(buf, cap, "%.15s", b ? b + 1 : prog);
    return buf;
}

void xvmd_run_save(struct xvmd *x, struct xvmd_dom *dom)
{
    struct xvmd_run r = {0};
    char path[PATH_MAX], text[RUN_MAX];
    unsigned p;
    int n, rc;

    if (dom->pid <= 0 || run_path(x, NULL, path, sizeof(path)) < 0)
        return;
    if ((rc = xvm_state_dir(path, 0700)) < 0) {
        xvm_log_limited(&dom->log_limit, XVM_LOG_WARNING,
                        "%s: %s: domain %s cannot outlive xvmd", path,
                        strerror(-rc), dom->cfg.name);
        return;
    }
    xvmd_boot_id(r.boot_id, sizeof(r.boot_id));
    r.id = dom->id;
    r.pid = dom->pid;
    r.start = xvmd_pid_start(dom->pid);
    for (p = 1; p < XVMD_EVTCHN_PORTS; p++)
        if (dom->evt[p].used)
            r.ports |= 1ull << p;
    if (dom->ops->run_info)
        dom->ops->run_info(dom, &r);
    n = snprintf(text, sizeof(text),
                 "boot %s\nid %" PRIu32 "\npid %d %" PRIu64 "\n"
                 "init %d %" PRIu64 "\nports %" PRIx64 "\ncg %s\n",
                 r.boot_id, r.id, (int)r.pid, r.start, (int)r.init,
                 r.init_start, r.ports, r.cg[0] ? r.cg : "-");
    if (n < 0 || (size_t)n >= sizeof(text) ||
        run_path(x, dom->cfg.name, path, sizeof(path)) < 0)
        return;
    rc = xvm_file_write(path, text, (size_t)n, 0600);
    if (rc == 0)
        dom->ports_saved = r.ports;
    else /* each new port of the guest tries again */
        xvm_log_limited(&dom->log_limit, XVM_LOG_WARNING,
                        "%s: %s: domain %s cannot outlive xvmd", path,
                        strerror(-rc), dom->cfg.name);
}

void xvmd_run_remove(struct xvmd *x, const struct xvmd_dom *dom)
{
    char path[PATH_MAX];

    if (run_path(x, dom->cfg.name, path, sizeof(path)) == 0 &&
        unlink(path) < 0 && errno != ENOENT)
        xvm_log_warn("%s: %s", path, strerror(errno));
}

/* Parse a run record; every line must be known and well formed. */
static int run_parse(char *text, struct xvmd_run *r)
{
    char *line, *save = NULL;
    unsigned seen = 0;

    memset(r, 0, sizeof(*r));
    for (line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        int a = 0;
        unsigned long long v1 = 0, v2 = 0;
        char s[PATH_MAX];

        if (sscanf(line, "boot %39s", r->boot_id) == 1) {
            seen |= 1;
        } else if (sscanf(line, "id %llu", &v1) == 1 && v1 >= 1 &&
                   v1 <= XVMD_DOMID_LAST) {
            r->id = (uint32_t)v1;
            seen |= 2;
        } else if (sscanf(line, "pid %d %llu", &a, &v1) == 2 && a > 1) {
            r->pid = a;
            r->start = v1;
            seen |= 4;
        } else if (sscanf(line, "init %d %llu", &a, &v2) == 2 && a >= 0) {
            r->init = a;
            r->init_start = v2;
            seen |= 8;
        } else if (sscanf(line, "ports %llx", &v1) == 1) {
            r->ports = v1 & ~1ull; /* port 0 is never used */
            seen |= 16;
        } else if (strncmp(line, "cg ", 3) == 0 && strlen(line + 3) < sizeof(s) &&
                   sscanf(line, "cg %s", s) == 1) {
            snprintf(r->cg, sizeof(r->cg), "%s", strcmp(s, "-") ? s : "");
            seen |= 32;
        } else {
            return -EINVAL;
        }
    }
    return seen == 63 ? 0 : -EINVAL;
}

/* Whether the store still holds domain @id as @dom (its xenstore
 * connection then still works: the store and it live and die together). */
static bool store_has(struct xvmd *x, const struct xvmd_dom *dom, uint32_t id)
{
    char path[64], *v = NULL;
    bool ok;

    snprintf(path, sizeof(path), "/local/domain/%u/name", id);
    ok = xvm_xs_read(x->xs, XVM_XS_NO_TX, path, &v, NULL) == 0 && v &&
         strcmp(v, dom->cfg.name) == 0;
    free(v);
    return ok;
}

/* Kill the guest of @r: its whole cgroup if it has one, else the guest
 * process (whose sandbox then dies with its PID namespace's parent). */
static void run_kill(const struct xvmd_run *r)
{
    int dir, fd;

    if (r->cg[0] && (dir = open(r->cg, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
        fd = openat(dir, "cgroup.kill", O_WRONLY | O_CLOEXEC);
        if (fd >= 0) {
            if (write(fd, "1", 1) < 0)
                xvm_log_warn("%s/cgroup.kill: %s", r->cg, strerror(errno));
            close(fd);
        }
        close(dir);
    }
    kill(r->pid, SIGKILL);
}

/* Take the guest of @dom over from its run record; 1 adopted, 0 not. */
static int adopt_one(struct xvmd *x, struct xvmd_dom *dom)
{
    char path[PATH_MAX], err[512] = "", boot[40], comm[16], *text = NULL;
    struct xvmd_run r;
    size_t len;
    bool paused = false, alive = false;
    int rc;

    if (run_path(x, dom->cfg.name, path, sizeof(path)) < 0)
        return 0;
    rc = xvm_file_read(path, XVM_FILE_OWNED, RUN_MAX, &text, &len);
    if (rc == -ENOENT)
        return 0;
    xvmd_boot_id(boot, sizeof(boot));
    if (rc < 0 || run_parse(text, &r) < 0) {
        snprintf(err, sizeof(err), "its run record is unreadable (%s)",
                 rc < 0 ? strerror(-rc) : "malformed");
    } else if (strcmp(r.boot_id, boot) != 0) {
        snprintf(err, sizeof(err), "it ran before the host's last boot");
    } else if (!xvmd_pid_runs(r.pid, guest_comm(x, dom, comm, sizeof(comm))) ||
               xvmd_pid_start(r.pid) != r.start) {
        snprintf(err, sizeof(err), "its guest (pid %d) is gone", (int)r.pid);
    } else if ((alive = true, xvmd_domid_take(&x->domids, r.id) < 0)) {
        snprintf(err, sizeof(err), "its id %u is taken", r.id);
    } else if (!store_has(x, dom, r.id)) {
        xvmd_domid_cancel(&x->domids, r.id);
        snprintf(err, sizeof(err), "the xenstore it used is gone");
    } else {
        dom->id = r.id;
        rc = dom->ops->adopt(x, dom, &r, &paused, err, sizeof(err));
        if (rc == 0) {
            for (unsigned p = 1; p < XVMD_EVTCHN_PORTS; p++)
                if (r.ports & (1ull << p)) {
                    dom->evt[p].used = 1;
                    dom->evt[p].bound = 1; /* its doorbells are not ours */
                    dom->evt[p].gfd = dom->evt[p].bfd = -1;
                }
            dom->ports_saved = r.ports;
            xvmd_vif_adopt(x, dom);
            dom->state = paused ? XVMD_STATE_PAUSED : XVMD_STATE_RUNNING;
            xvm_log_info("domain %s (id %u): adopted, %s (guest pid %d)",
                         dom->cfg.name, dom->id, xvmd_state_str(dom->state),
                         (int)dom->pid);
            free(text);
            return 1;
        }
        xvmd_domid_cancel(&x->domids, r.id);
        dom->id = XVMD_NO_ID;
    }
    free(text);
    if (alive) {
        /* A guest we cannot take over would keep an id and nodes that
         * are no longer ours: it goes, as by destroy. */
        xvm_log_warn("domain %s: not adopted: %s; destroying its guest "
                     "(pid %d)", dom->cfg.name, err, (int)r.pid);
        run_kill(&r);
    } else {
        xvm_log_warn("domain %s: not adopted: %s", dom->cfg.name, err);
    }
    if (dom->ops->release) {
        /* What the dead run left that is ours: its namespace pin. */
        dom->netns_pinned = 1;
        dom->ops->release(x, dom);
    }
    unlink(path);
    return 0;
}

unsigned xvmd_run_adopt_all(struct xvmd *x)
{
    struct xvmd_dom *dom;
    unsigned n = 0;

    for (dom = x->doms; dom; dom = dom->next)
        if (dom->state == XVMD_STATE_SHUTOFF && dom->ops->adopt)
            n += (unsigned)adopt_one(x, dom);
    return n;
}
