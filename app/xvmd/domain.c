/* SPDX-License-Identifier: MIT */
/* xvmd: the domain table and the domain lifecycle. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <time.h>

#include "kvm/kvm.h"
#include "xvm/mem.h"
#include "xvmd.h"

#define B(s) (1u << (s))
#define ACTIVE_STATES                                                        \
    (B(XVMD_STATE_RUNNING) | B(XVMD_STATE_BLOCKED) | B(XVMD_STATE_PAUSED) | \
     B(XVMD_STATE_SHUTDOWN))

bool xvmd_dom_active(const struct xvmd_dom *dom)
{
    return (ACTIVE_STATES & B(dom->state)) != 0;
}

uint64_t xvmd_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

__attribute__((format(printf, 3, 4))) static int
seterr(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return 0;
}

/* Give up the run of @dom: its vifs, what its kind made, its memory. */
static void dom_teardown(struct xvmd *x, struct xvmd_dom *dom)
{
    dom->end_said = -1;
    xvmd_run_remove(x, dom);
    xvmd_vif_teardown(x, dom);
    xvmd_evtchn_release(x, dom);
    dom->ops->release(x, dom);
    xvm_mem_destroy(dom->mem);
    dom->mem = NULL;
}

/*
 * The one place a domain's state changes.  Allowed transitions:
 *
 *                create               pause
 *   shut off ------------> running ----------> paused
 *      ^  ^                |  ^  ^ <----------  |  |
 *      |  |       shutdown |  |  |   resume     |  | shutdown
 *      |  |                v  |  v              |  |
 *      |  +--- in shutdown <--|-blocked         |  |
 *      |  guest exited or     |  (vCPUs idle;   |  |
 *      |  grace period over   |  not for        |  |
 *      |                      |  processes)     |  |
 *      +-- destroy: from running, blocked, paused, in shutdown, crashed
 *      +-- running, blocked: the guest powered itself off (exit 0)
 *
 *   running, blocked, paused --(guest died unexpectedly)--> crashed
 *   in shutdown --(guest died, however)--> shut off
 *
 * Entering shut off or crashed from a running state tears the run down;
 * entering shut off also gives the id up.  A crashed domain keeps its id
 * until destroyed, so it stays visible in `xvm list` as on Xen.
 */
static const unsigned allowed[XVMD_STATE_MAX_ + 1] = {
    [XVMD_STATE_SHUTOFF] = B(XVMD_STATE_RUNNING),
    [XVMD_STATE_RUNNING] = B(XVMD_STATE_BLOCKED) | B(XVMD_STATE_PAUSED) |
                           B(XVMD_STATE_SHUTDOWN) | B(XVMD_STATE_CRASHED) |
                           B(XVMD_STATE_SHUTOFF),
    [XVMD_STATE_BLOCKED] = B(XVMD_STATE_RUNNING) | B(XVMD_STATE_PAUSED) |
                           B(XVMD_STATE_SHUTDOWN) | B(XVMD_STATE_CRASHED) |
                           B(XVMD_STATE_SHUTOFF),
    [XVMD_STATE_PAUSED] = B(XVMD_STATE_RUNNING) | B(XVMD_STATE_SHUTDOWN) |
                          B(XVMD_STATE_CRASHED) | B(XVMD_STATE_SHUTOFF),
    [XVMD_STATE_SHUTDOWN] = B(XVMD_STATE_SHUTOFF),
    [XVMD_STATE_CRASHED] = B(XVMD_STATE_SHUTOFF),
};

static int dom_start(struct xvmd *x, struct xvmd_dom *dom, char *err,
                     size_t errlen);

static int dom_set_state(struct xvmd *x, struct xvmd_dom *dom,
                         enum xvmd_state to)
{
    enum xvmd_state from = dom->state;

    if (!(allowed[from] & B(to))) {
        xvm_log_warn("domain %s: refused transition %s -> %s", dom->cfg.name,
                     xvmd_state_str(from), xvmd_state_str(to));
        return -EINVAL;
    }
    if ((to == XVMD_STATE_SHUTOFF || to == XVMD_STATE_CRASHED) &&
        (ACTIVE_STATES & B(from)))
        dom_teardown(x, dom);
    xvm_log_info("domain %s (id %u): %s -> %s", dom->cfg.name, dom->id,
                 xvmd_state_str(from), xvmd_state_str(to));
    if (to == XVMD_STATE_SHUTOFF) {
        xvmd_domid_free(&x->domids, dom->id); /* torn down and reaped */
        dom->id = XVMD_NO_ID;
    }
    dom->state = to;
    if (to == XVMD_STATE_SHUTOFF && dom->reboot) {
        char err[1024];

        dom->reboot = 0;
        if (dom_start(x, dom, err, sizeof(err)) < 0)
            xvm_log_warn("domain %s: cannot start it again: %s",
                         dom->cfg.name, err);
    }
    return 0;
}

/* 0 if @dom is in one of the states of @mask, else a message. */
static int dom_require(const struct xvmd_dom *dom, unsigned mask,
                       const char *verb, char *err, size_t errlen)
{
    if (mask & B(dom->state))
        return 0;
    seterr(err, errlen, "cannot %s domain %s: it is %s", verb, dom->cfg.name,
           xvmd_state_str(dom->state));
    return -EINVAL;
}

struct xvmd_dom *xvmd_dom_find(struct xvmd *x, const char *spec)
{
    struct xvmd_dom *dom;
    uint8_t uuid[16];
    char *end;
    unsigned long id;

    if (spec[0] >= '0' && spec[0] <= '9') {
        errno = 0;
        id = strtoul(spec, &end, 10);
        if (*end == '\0' && errno == 0)
            for (dom = x->doms; dom; dom = dom->next)
                if (dom->id != XVMD_NO_ID && dom->id == id)
                    return dom;
    }
    if (xvm_uuid_parse(spec, uuid) == 0)
        for (dom = x->doms; dom; dom = dom->next)
            if (memcmp(dom->uuid, uuid, 16) == 0)
                return dom;
    for (dom = x->doms; dom; dom = dom->next)
        if (strcmp(dom->cfg.name, spec) == 0)
            return dom;
    return NULL;
}

unsigned xvmd_dom_count(const struct xvmd *x)
{
    const struct xvmd_dom *dom;
    unsigned n = 0;

    for (dom = x->doms; dom; dom = dom->next)
        n++;
    return n;
}

static struct xvmd_dom *dom_by_uuid(struct xvmd *x, const uint8_t uuid[16])
{
    struct xvmd_dom *dom;

    for (dom = x->doms; dom; dom = dom->next)
        if (memcmp(dom->uuid, uuid, 16) == 0)
            return dom;
    return NULL;
}

/* The kind that runs a domain of @cfg's type. */
static const struct xvmd_kind_ops *kind_of(const struct xvm_domcfg *cfg)
{
    return cfg->type == XVM_DOMTYPE_KVM ? &xvmd_kind_kvm : &xvmd_kind_process;
}

static struct xvmd_dom *dom_new(struct xvmd *x, const struct xvm_domcfg *cfg)
{
    struct xvmd_dom *dom = calloc(1, sizeof(*dom));

    if (!dom)
        return NULL;
    dom->cfg = *cfg;
    if (cfg->has_uuid) {
        memcpy(dom->uuid, cfg->uuid, 16);
    } else {
        if (getrandom(dom->uuid, 16, 0) != 16) {
            free(dom);
            return NULL;
        }
        dom->uuid[6] = (uint8_t)((dom->uuid[6] & 0x0f) | 0x40); /* v4 */
        dom->uuid[8] = (uint8_t)((dom->uuid[8] & 0x3f) | 0x80);
    }
    memcpy(dom->cfg.uuid, dom->uuid, 16);
    dom->cfg.has_uuid = 1;
    dom->id = XVMD_NO_ID;
    dom->state = XVMD_STATE_SHUTOFF;
    dom->ops = kind_of(cfg);
    dom->ctl_fd = -1;
    dom->xs_fd = -1;
    dom->pidfd = -1;
    dom->end_said = -1;
    dom->guest_fd = -1;
    dom->cg_fd = -1;
    (void)x;
    return dom;
}

static void dom_link(struct xvmd *x, struct xvmd_dom *dom)
{
    struct xvmd_dom **pp = &x->doms;

    while (*pp)
        pp = &(*pp)->next;
    *pp = dom;
}

static void dom_unlink(struct xvmd *x, struct xvmd_dom *dom)
{
    struct xvmd_dom **pp;

    for (pp = &x->doms; *pp; pp = &(*pp)->next)
        if (*pp == dom) {
            *pp = dom->next;
            return;
        }
}

/* The CPUs a vif's cpus= may name: those this daemon may run on, as the
 * domain inherits its CPUs (LP_CPU_MAX + 1 of them at most). */
#define CPUS_SET_MAX (LP_CPU_MAX + 1)

/* The CPUs of @set as ranges ("0-1,4"). */
static void cpus_str(const cpu_set_t *set, size_t size, char *buf,
                     size_t len)
{
    uint16_t cpus[CPUS_SET_MAX];
    unsigned c, n = 0;

    for (c = 0; c < CPUS_SET_MAX; c++)
        if (CPU_ISSET_S(c, size, set))
            cpus[n++] = (uint16_t)c;
    lp_cpus_format(cpus, n, buf, len);
}

/* Every vif's cpus=: a process domain's only (the parser refuses them in a
 * kvm domain's file; an update of a record must be refused here), each a
 * CPU this daemon may run on now (checked at every start: the daemon's
 * CPUs may have changed since the record was made).  Says why not in
 * @err. */
static int vifs_cpus_check(const struct xvm_domcfg *cfg, char *err,
                           size_t errlen)
{
    size_t size = CPU_ALLOC_SIZE(CPUS_SET_MAX);
    cpu_set_t *set = NULL;
    unsigned n, i;
    int rc = 0;

    for (n = 0; rc == 0 && n < cfg->nr_vifs; n++) {
        const struct xvm_vifcfg *v = &cfg->vifs[n];

        if (v->ncpus == 0)
            continue;
        if (cfg->type == XVM_DOMTYPE_KVM) {
            seterr(err, errlen, "domain %s, vif %u: cpus: a kvm domain's "
                   "kernel runs its queues itself", cfg->name, n);
            rc = -EINVAL;
            break;
        }
        if (!set) {
            set = CPU_ALLOC(CPUS_SET_MAX);
            if (!set || sched_getaffinity(0, size, set) < 0) {
                seterr(err, errlen, "domain %s, vif %u: cpus: cannot read "
                       "xvmd's CPUs: %s", cfg->name, n, strerror(errno));
                rc = -errno;
                break;
            }
        }
        for (i = 0; i < v->ncpus; i++)
            if (!CPU_ISSET_S(v->cpus[i], size, set)) {
                char mine[64];

                cpus_str(set, size, mine, sizeof(mine));
                seterr(err, errlen, "domain %s, vif %u: cpus: CPU %u is not "
                       "one xvmd may run on (%s)", cfg->name, n, v->cpus[i],
                       mine);
                rc = -EINVAL;
                break;
            }
    }
    CPU_FREE(set);
    return rc;
}

/* Shut off -> running: id, memory, guest, vifs. */
static int dom_start(struct xvmd *x, struct xvmd_dom *dom, char *err,
                     size_t errlen)
{
    char memname[80];
    int rc;

    rc = vifs_cpus_check(&dom->cfg, err, errlen);
    if (rc < 0)
        return rc;
    rc = xvmd_domid_alloc(&x->domids);
    if (rc < 0) {
        seterr(err, errlen, "cannot start domain %s: all %u domain ids "
               "are in use", dom->cfg.name, XVMD_DOMID_LAST);
        return rc;
    }
    dom->id = (uint32_t)rc;
    snprintf(memname, sizeof(memname), "xvm-mem-%s", dom->cfg.name);
    dom->mem = xvm_mem_create(memname, dom->cfg.memory_mib * 256u);
    if (!dom->mem) {
        rc = -errno;
        seterr(err, errlen, "cannot allocate %u MiB for domain %s: %s",
               dom->cfg.memory_mib, dom->cfg.name, strerror(errno));
        goto err_id;
    }
    /* xenstore nodes first: the guest finds its devices when it starts. */
    rc = xvmd_vif_setup(x, dom, err, errlen);
    if (rc < 0)
        goto err_mem;
    rc = dom->ops->start(x, dom, err, errlen);
    if (rc < 0)
        goto err_vif;
    rc = dom_set_state(x, dom, XVMD_STATE_RUNNING);
    if (rc == 0)
        xvmd_run_save(x, dom); /* so that it can outlive xvmd */
    return rc;

err_vif:
    xvmd_vif_teardown(x, dom);
    xvmd_evtchn_release(x, dom);
err_mem:
    xvm_mem_destroy(dom->mem);
    dom->mem = NULL;
err_id:
    xvmd_domid_cancel(&x->domids, dom->id);
    dom->id = XVMD_NO_ID;
    return rc;
}

/* What a kvm domain cannot have: more vCPUs than the monitor runs here
 * (xkvm_host_cpus_max(): this host's CPUs, at most XKVM_CPUS_MAX), less
 * memory than the monitor's boot structures need.  Its vifs are a process
 * domain's: the guest's own netif frontend (minios's libxnf) connects
 * them through its xenstore connection and the monitor's event channels. */
static int kvm_check(const struct xvm_domcfg *cfg, char *err, size_t errlen)
{
    if (cfg->vcpus > xkvm_host_cpus_max()) {
        seterr(err, errlen, "domain %s: vcpus = %u: a kvm domain has at "
               "most %u here (%u, and no more than this host's CPUs)",
               cfg->name, cfg->vcpus, xkvm_host_cpus_max(), XKVM_CPUS_MAX);
        return -EINVAL;
    }
    if (cfg->memory_mib < 2) {
        seterr(err, errlen, "domain %s: memory = %u: a kvm domain needs at "
               "least 2 MiB", cfg->name, cfg->memory_mib);
        return -EINVAL;
    }
    return 0;
}

/* Is @cfg acceptable for a new run, given the records we have? */
static int create_check(struct xvmd *x, const struct xvm_domcfg *cfg,
                        struct xvmd_dom *dom, char *err, size_t errlen)
{
    struct xvmd_dom *other;
    char u[37];
    int rc;

    if (cfg->type == XVM_DOMTYPE_KVM) {
        rc = kvm_check(cfg, err, errlen);
        if (rc < 0)
            return rc;
    }
    rc = vifs_cpus_check(cfg, err, errlen);
    if (rc < 0)
        return rc;
    if (strcmp(cfg->name, "Domain-0") == 0) {
        seterr(err, errlen, "Domain-0 is the control domain");
        return -EINVAL;
    }
    if (cfg->type == XVM_DOMTYPE_PROCESS &&
        cfg->nr_vifs > XVM_DOMCFG_PROCESS_QUEUES_MAX) {
        seterr(err, errlen, "%u vifs: a process domain's grant table holds "
               "%u netif queues, one vif each at least", cfg->nr_vifs,
               XVM_DOMCFG_PROCESS_QUEUES_MAX);
        return -EINVAL;
    }
    for (unsigned n = 0; n < cfg->nr_vifs; n++)
        if (lp_name_guest(cfg->vifs[n].vifname)) {
            seterr(err, errlen, "vif %u: vifname %s: %s", n,
                   cfg->vifs[n].vifname, LP_NAME_GUEST_RULE);
            return -EINVAL;
        }
    /* A record of an older release may have such a name (it loads and
     * keeps it); a new one may not. */
    if (!dom && !xvm_domcfg_name_plain(cfg->name)) {
        seterr(err, errlen, "domain name '%s' reads as a domain id or a "
               "UUID, which xvm takes too: choose another name", cfg->name);
        return -EINVAL;
    }
    if (dom && dom->state != XVMD_STATE_SHUTOFF) {
        seterr(err, errlen, "domain %s already exists (id %u, %s)",
               cfg->name, dom->id, xvmd_state_str(dom->state));
        return -EEXIST;
    }
    if (!cfg->has_uuid)
        return 0;
    xvm_uuid_format(cfg->uuid, u);
    other = dom_by_uuid(x, cfg->uuid);
    if (other && other != dom) {
        seterr(err, errlen, "UUID %s belongs to domain %s", u,
               other->cfg.name);
        return -EEXIST;
    }
    if (dom && memcmp(dom->uuid, cfg->uuid, 16) != 0) {
        char mine[37];

        xvm_uuid_format(dom->uuid, mine);
        seterr(err, errlen, "domain %s has UUID %s, not %s", cfg->name,
               mine, u);
        return -EEXIST;
    }
    return 0;
}

int xvmd_dom_create(struct xvmd *x, const char *fname, const char *text,
                    size_t len, bool start, struct xvmd_dom **out,
                    struct xvm_domcfg **oldp, char *err, size_t errlen)
{
    struct xvm_domcfg cfg, old;
    struct xvmd_dom *dom, *found;
    int rc;

    rc = xvm_domcfg_parse(text, len, fname, &cfg, err, errlen);
    if (rc < 0)
        return rc;
    for (found = x->doms; found; found = found->next)
        if (strcmp(found->cfg.name, cfg.name) == 0)
            break;
    rc = create_check(x, &cfg, found, err, errlen);
    if (rc < 0)
        return rc;
    if (found) {
        dom = found;
        old = dom->cfg;
        dom->cfg = cfg;
        dom->ops = kind_of(&cfg);
        memcpy(dom->cfg.uuid, dom->uuid, 16);
        dom->cfg.has_uuid = 1;
    } else {
        if (xvmd_dom_count(x) >= XVMD_DOMAINS_MAX) {
            seterr(err, errlen, "too many domains (%d)", XVMD_DOMAINS_MAX);
            return -ENOSPC;
        }
        dom = dom_new(x, &cfg);
        if (!dom) {
            seterr(err, errlen, "cannot create domain %s: %s", cfg.name,
                   strerror(errno));
            return -ENOMEM;
        }
    }
    rc = xvmd_store_save(x, dom);
    if (rc < 0) {
        seterr(err, errlen, "cannot save domain %s in %s: %s", cfg.name,
               x->state_dir, strerror(-rc));
        goto err_restore;
    }
    *oldp = NULL;
    if (found && !(*oldp = malloc(sizeof(old)))) {
        rc = -ENOMEM;
        seterr(err, errlen, "cannot create domain %s: %s", cfg.name,
               strerror(ENOMEM));
        goto err_restore;
    }
    rc = start ? dom_start(x, dom, err, errlen) : 0;
    if (rc < 0) {
        free(*oldp);
        *oldp = NULL;
        goto err_store;
    }
    if (!found)
        dom_link(x, dom);
    else
        **oldp = old;
    *out = dom;
    xvm_log_info("domain %s: %s from %s", dom->cfg.name,
                 found ? "redefined" : "defined", fname);
    return 0;

err_store:
    if (!found) {
        xvmd_store_remove(x, dom->cfg.name);
        xvmd_console_log_remove(x, dom);
    }
err_restore:
    if (found) {
        dom->cfg = old;
        dom->ops = kind_of(&old);
        xvmd_store_save(x, dom);
    } else {
        free(dom);
    }
    return rc;
}

void xvmd_dom_create_undo(struct xvmd *x, struct xvmd_dom *dom,
                          const struct xvm_domcfg *old)
{
    char err[256];

    if (dom->state != XVMD_STATE_SHUTOFF) {
        dom->ops->kill(dom);
        dom_set_state(x, dom, XVMD_STATE_SHUTOFF);
    }
    if (old) {
        dom->cfg = *old;
        dom->ops = kind_of(old);
        if (xvmd_store_save(x, dom) < 0)
            xvm_log_warn("domain %s: cannot put its old record back",
                         dom->cfg.name);
    } else if (xvmd_dom_undefine(x, dom, err, sizeof(err)) < 0) {
        xvm_log_warn("%s", err);
    }
}

int xvmd_dom_pause(struct xvmd *x, struct xvmd_dom *dom, char *err,
                   size_t errlen)
{
    int rc = dom_require(dom, B(XVMD_STATE_RUNNING) | B(XVMD_STATE_BLOCKED),
                         "pause", err, errlen);

    if (rc < 0)
        return rc;
    rc = dom->ops->pause(dom);
    if (rc < 0) {
        seterr(err, errlen, "cannot pause domain %s: %s", dom->cfg.name,
               strerror(-rc));
        return rc;
    }
    return dom_set_state(x, dom, XVMD_STATE_PAUSED);
}

int xvmd_dom_resume(struct xvmd *x, struct xvmd_dom *dom, char *err,
                    size_t errlen)
{
    int rc = dom_require(dom, B(XVMD_STATE_PAUSED), "resume", err, errlen);

    if (rc < 0)
        return rc;
    rc = dom->ops->resume(dom);
    if (rc < 0) {
        seterr(err, errlen, "cannot resume domain %s: %s", dom->cfg.name,
               strerror(-rc));
        return rc;
    }
    return dom_set_state(x, dom, XVMD_STATE_RUNNING);
}

/* Shut @dom down; @how is what control/shutdown says to a kind that is
 * asked through xenstore first (ops->xs_shutdown). */
static int dom_shutdown(struct xvmd *x, struct xvmd_dom *dom, const char *how,
                        char *err, size_t errlen)
{
    int rc = dom_require(dom,
                         B(XVMD_STATE_RUNNING) | B(XVMD_STATE_BLOCKED) |
                             B(XVMD_STATE_PAUSED),
                         "shut down", err, errlen);

    if (rc < 0)
        return rc;
    dom->xs_asked = 0;
    if (dom->ops->xs_shutdown && dom->xs_introduced &&
        xvmd_vif_ask_shutdown(x, dom, how) == 0) {
        /* a paused guest must run to read it */
        if (dom->state == XVMD_STATE_PAUSED && dom->ops->resume(dom) < 0)
            xvm_log_warn("domain %s: cannot resume it to shut down",
                         dom->cfg.name);
        dom->xs_asked = 1;
        xvm_log_info("domain %s: asked to %s (control/shutdown)",
                     dom->cfg.name, how);
    } else {
        rc = dom->ops->shutdown(dom);
        if (rc < 0) {
            seterr(err, errlen, "cannot shut down domain %s: %s",
                   dom->cfg.name, strerror(-rc));
            return rc;
        }
    }
    dom->deadline_ms = xvmd_now_ms() + x->shutdown_ms;
    return dom_set_state(x, dom, XVMD_STATE_SHUTDOWN);
}

int xvmd_dom_shutdown(struct xvmd *x, struct xvmd_dom *dom, char *err,
                      size_t errlen)
{
    return dom_shutdown(x, dom, "poweroff", err, errlen);
}

int xvmd_dom_reboot(struct xvmd *x, struct xvmd_dom *dom, char *err,
                    size_t errlen)
{
    int rc = dom_shutdown(x, dom, "reboot", err, errlen);

    if (rc < 0) {
        if (strncmp(err, "cannot shut down", 16) == 0)
            seterr(err, errlen, "cannot reboot domain %s: it is %s",
                   dom->cfg.name, xvmd_state_str(dom->state));
        return rc;
    }
    dom->reboot = 1;
    return 0;
}

int xvmd_dom_autostart(struct xvmd *x, struct xvmd_dom *dom, bool on,
                       char *err, size_t errlen)
{
    int rc = xvmd_store_autostart(x, dom->cfg.name, on);

    if (rc < 0) {
        seterr(err, errlen, "cannot %s autostart of domain %s: %s",
               on ? "mark" : "unmark", dom->cfg.name, strerror(-rc));
        return rc;
    }
    dom->autostart = on;
    xvm_log_info("domain %s: autostart %s", dom->cfg.name,
                 on ? "on" : "off");
    return 0;
}

void xvmd_dom_autostart_all(struct xvmd *x)
{
    struct xvmd_dom *dom;
    char err[1024];

    for (dom = x->doms; dom; dom = dom->next) {
        if (!dom->autostart || dom->state != XVMD_STATE_SHUTOFF)
            continue;
        if (dom_start(x, dom, err, sizeof(err)) < 0)
            xvm_log_warn("domain %s: autostart failed: %s", dom->cfg.name,
                         err);
        else
            xvm_log_info("domain %s: autostarted (id %u)", dom->cfg.name,
                         dom->id);
    }
}

int xvmd_dom_destroy(struct xvmd *x, struct xvmd_dom *dom, char *err,
                     size_t errlen)
{
    int rc = dom_require(dom, ACTIVE_STATES | B(XVMD_STATE_CRASHED),
                         "destroy", err, errlen);

    if (rc < 0)
        return rc;
    dom->reboot = 0;
    dom->ops->kill(dom);
    return dom_set_state(x, dom, XVMD_STATE_SHUTOFF);
}

int xvmd_dom_start(struct xvmd *x, struct xvmd_dom *dom, char *err,
                   size_t errlen)
{
    int rc = dom_require(dom, B(XVMD_STATE_SHUTOFF), "start", err, errlen);

    return rc < 0 ? rc : dom_start(x, dom, err, errlen);
}

int xvmd_dom_vif_set(struct xvmd *x, struct xvmd_dom *dom, uint32_t n,
                     const char *spec, char *err, size_t errlen)
{
    struct xvm_vifcfg old, *v;
    char why[256];
    int rc;

    if (n >= dom->cfg.nr_vifs) {
        seterr(err, errlen, "domain %s has no vif %u", dom->cfg.name, n);
        return -ENOENT;
    }
    v = &dom->cfg.vifs[n];
    old = *v;
    rc = xvm_vifcfg_update(v, spec, strlen(spec), why, sizeof(why));
    if (rc == 0 && (v->mac_kind != old.mac_kind ||
                    memcmp(v->mac, old.mac, sizeof(v->mac)) != 0)) {
        snprintf(why, sizeof(why), "mac: the guest's MAC cannot change "
                 "while it runs");
        rc = -EINVAL;
    }
    if (rc == 0 && vifs_cpus_check(&dom->cfg, err, errlen) < 0) {
        *v = old;
        return -EINVAL;
    }
    if (rc == 0) {
        rc = xvmd_store_save(x, dom);
        if (rc < 0)
            snprintf(why, sizeof(why), "cannot save the record: %s",
                     strerror(-rc));
    }
    if (rc == 0 && dom->state != XVMD_STATE_SHUTOFF)
        rc = xvmd_vif_update(x, dom, n);
    if (rc < 0) {
        *v = old;
        seterr(err, errlen, "domain %s, vif %u: %s", dom->cfg.name, n, why);
        return rc;
    }
    xvm_log_info("domain %s: vif %u changed: %s", dom->cfg.name, n, spec);
    return 0;
}

int xvmd_dom_undefine(struct xvmd *x, struct xvmd_dom *dom, char *err,
                      size_t errlen)
{
    int rc = dom_require(dom, B(XVMD_STATE_SHUTOFF), "undefine", err,
                         errlen);

    if (rc < 0)
        return rc;
    rc = xvmd_store_autostart(x, dom->cfg.name, false);
    if (rc == 0)
        rc = xvmd_store_remove(x, dom->cfg.name);
    if (rc < 0) {
        seterr(err, errlen, "cannot remove the record of domain %s: %s",
               dom->cfg.name, strerror(-rc));
        return rc;
    }
    dom_unlink(x, dom);
    free(dom);
    return 0;
}

void xvmd_dom_crash(struct xvmd *x, struct xvmd_dom *dom, const char *why)
{
    xvm_log_warn("domain %s (id %u): crashing it: %s", dom->cfg.name, dom->id,
                 why);
    dom->ops->kill(dom);
    dom_set_state(x, dom, dom->state == XVMD_STATE_SHUTDOWN
                              ? XVMD_STATE_SHUTOFF
                              : XVMD_STATE_CRASHED);
}

/* Whether the guest of @dom may reboot once more (XVMD_REBOOTS_MAX). */
static bool reboot_ok(struct xvmd_dom *dom)
{
    uint64_t now = xvmd_now_ms();

    if (!dom->reboot_win_ms ||
        now - dom->reboot_win_ms > XVMD_REBOOT_WINDOW_MS) {
        dom->reboot_win_ms = now;
        dom->reboots = 0;
    }
    if (++dom->reboots <= XVMD_REBOOTS_MAX)
        return true;
    xvm_log_warn("domain %s: more than %d reboots in %d s: crashed instead",
                 dom->cfg.name, XVMD_REBOOTS_MAX,
                 XVMD_REBOOT_WINDOW_MS / 1000);
    dom->reboot_win_ms = 0;
    return false;
}

/* The guest of @dom is gone and its run ended @how: move the domain on,
 * for every kind, whether xvmd read its exit status or was told. */
static void dom_ended(struct xvmd *x, struct xvmd_dom *dom,
                      enum xvmd_exit how)
{
    enum xvmd_state to;

    dom->end_said = -1;
    if (dom->state == XVMD_STATE_SHUTDOWN || how == XVMD_EXIT_POWEROFF) {
        to = XVMD_STATE_SHUTOFF; /* asked to, or powered itself off */
    } else if (how == XVMD_EXIT_REBOOT && reboot_ok(dom)) {
        xvm_log_info("domain %s: the guest asked for a reboot",
                     dom->cfg.name);
        dom->reboot = 1; /* shut off, then started again */
        to = XVMD_STATE_SHUTOFF;
    } else {
        to = XVMD_STATE_CRASHED;
    }
    dom_set_state(x, dom, to);
}

void xvmd_dom_reap(struct xvmd *x)
{
    struct xvmd_dom *dom;
    pid_t pid;
    int st;

    while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
        for (dom = x->doms; dom && dom->pid != pid; dom = dom->next)
            ;
        if (!dom)
            continue;
        dom->pid = 0;
        if (WIFSIGNALED(st))
            xvm_log_info("domain %s: guest killed by signal %d", dom->cfg.name,
                         WTERMSIG(st));
        else
            xvm_log_info("domain %s: guest exited with status %d",
                         dom->cfg.name, WEXITSTATUS(st));
        dom_ended(x, dom, dom->ops->exited(st));
    }
}

int xvmd_dom_timeouts(struct xvmd *x)
{
    uint64_t now = xvmd_now_ms(), next = UINT64_MAX;
    struct xvmd_dom *dom;

    for (dom = x->doms; dom; dom = dom->next) {
        if (dom->state != XVMD_STATE_SHUTDOWN)
            continue;
        if (dom->deadline_ms <= now && dom->xs_asked) {
            /* the guest did not answer: the kind's own way, with a
             * second, shorter grace before the kill */
            xvm_log_warn("domain %s: did not shut down within %u ms of "
                         "control/shutdown, stopping it",
                         dom->cfg.name, x->shutdown_ms);
            dom->xs_asked = 0;
            if (dom->ops->shutdown(dom) < 0)
                dom->deadline_ms = now;
            else
                dom->deadline_ms = now + XVMD_SHUTDOWN_STOP_MS;
            if (dom->deadline_ms < next)
                next = dom->deadline_ms;
        } else if (dom->deadline_ms <= now) {
            xvm_log_warn("domain %s: no shutdown after %u ms, killing it",
                         dom->cfg.name, x->shutdown_ms);
            dom->ops->kill(dom);
            dom_set_state(x, dom, XVMD_STATE_SHUTOFF);
        } else if (dom->deadline_ms < next) {
            next = dom->deadline_ms;
        }
    }
    return next == UINT64_MAX ? -1 : (int)(next - now);
}

void xvmd_dom_fini(struct xvmd *x)
{
    struct xvmd_dom *dom, *next;

    /* Running domains run on: the next xvmd takes them over (run.c). */
    for (dom = x->doms; dom; dom = next) {
        next = dom->next;
        free(dom);
    }
    x->doms = NULL;
}

static int dom_load_one(struct xvmd *x, const struct xvm_domcfg *cfg)
{
    struct xvmd_dom *dom;

    if (xvmd_dom_find(x, cfg->name) || dom_by_uuid(x, cfg->uuid) ||
        !cfg->has_uuid || xvmd_dom_count(x) >= XVMD_DOMAINS_MAX)
        return -EEXIST;
    dom = dom_new(x, cfg);
    if (!dom)
        return -ENOMEM;
    dom->autostart = xvmd_store_autostart_get(x, cfg->name);
    dom_link(x, dom);
    return 0;
}

int xvmd_dom_init(struct xvmd *x)
{
    xvmd_domid_init(&x->domids);
    return xvmd_store_load(x, dom_load_one);
}

struct xvmd_dom *xvmd_dom_by_pidfd(struct xvmd *x, int fd)
{
    struct xvmd_dom *dom;

    for (dom = x->doms; dom; dom = dom->next)
        if (dom->pidfd == fd && dom->pid > 0)
            return dom;
    return NULL;
}

void xvmd_dom_gone(struct xvmd *x, struct xvmd_dom *dom)
{
    static const enum xvmd_exit said[] = {
        [XVMD_GUEST_END_POWEROFF] = XVMD_EXIT_POWEROFF,
        [XVMD_GUEST_END_REBOOT] = XVMD_EXIT_REBOOT,
        [XVMD_GUEST_END_CRASH] = XVMD_EXIT_CRASH,
    };

    /* Not our child: its exit status is not ours to read.  What its guest
     * program said last (written before it exited, so it is there to
     * read now) tells; without it, the run crashed. */
    for (int i = 0; i < 16 && dom->ctl_fd >= 0 && dom->end_said < 0; i++)
        if (xvmd_guest_serve(x, dom) != 0 && dom->end_said < 0)
            break;
    xvm_log_info("domain %s: guest (pid %d, adopted) exited%s",
                 dom->cfg.name, (int)dom->pid,
                 dom->end_said < 0 ? " without a word" : "");
    dom->pid = 0;
    dom_ended(x, dom, dom->end_said < 0 ? XVMD_EXIT_CRASH
                                        : said[dom->end_said]);
}

struct xvmd_dom *xvmd_dom_by_chan(struct xvmd *x, int fd)
{
    struct xvmd_dom *dom;

    for (dom = x->doms; dom; dom = dom->next)
        if (dom->ctl_fd == fd && dom->pid > 0)
            return dom;
    return NULL;
}
