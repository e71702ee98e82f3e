/* SPDX-License-Identifier: MIT */
/*
 * The cpus property of a VNIC or a physical link: the CPU whose fast-path
 * worker owns it (the link: its wire).  vswitchd tells the manager which
 * CPU each worker is pinned to (vsw_mgr_params.worker_cpus); a client
 * asking for a CPU no worker is pinned to is refused, while an object of
 * the state file or the boot configuration whose CPU has no worker this
 * time is placed by load, and the log says so.
 */
#include <errno.h>
#include <string.h>

#include "mgr_pvt.h"
#include "xvm/log.h"

/* The worker pinned to @cpu, or -1. */
static int worker_on(const struct vsw_mgr *m, uint16_t cpu)
{
    unsigned i;

    for (i = 0; i < m->nworkers; i++)
        if (m->worker_cpu[i] == (int)cpu)
            return (int)i;
    return -1;
}

unsigned vsw_mgr_worker_cpus(const struct vsw_mgr *m, uint16_t *cpus,
                             unsigned max)
{
    unsigned i, j, n = 0;

    for (i = 0; i < m->nworkers; i++) {
        int cpu = m->worker_cpu[i];

        if (cpu < 0 || n == max)
            continue;
        for (j = n; j > 0 && cpus[j - 1] > cpu; j--)
            ;
        if (j > 0 && cpus[j - 1] == cpu)
            continue;
        memmove(&cpus[j + 1], &cpus[j], (n - j) * sizeof(*cpus));
        cpus[j] = (uint16_t)cpu;
        n++;
    }
    return n;
}

int mgr_cpus_check(struct vsw_mgr *m, const struct vsw_vnic_conf *vc,
                   char *err, size_t errlen)
{
    if (!vc->has_cpus || worker_on(m, vc->cpus) >= 0)
        return 0;
    return mgr_fail(m, VSW_ST_CPUS, err, errlen, -EINVAL,
                    "no fast-path worker is pinned to CPU %u", vc->cpus);
}

/* A client's cpus of a link: a CPU some worker is pinned to, or none. */
static int link_cpus_check(struct vsw_mgr *m, const struct vsw_link_conf *lc,
                           char *err, size_t errlen)
{
    if (!lc->has_cpus || worker_on(m, lc->cpus) >= 0)
        return 0;
    return mgr_fail(m, VSW_ST_CPUS, err, errlen, -EINVAL,
                    "no fast-path worker is pinned to CPU %u", lc->cpus);
}

int mgr_vnic_place(struct vsw_mgr *m, struct mvnic *mv)
{
    int w;

    /* Without cpus, a VNIC's queues spread over the workers again. */
    if (!mv->conf.has_cpus)
        return mv->v ? vsw_vnic_unpin(mv->v) : 0;
    w = worker_on(m, mv->conf.cpus);
    if (w < 0) {
        xvm_log_warn("VNIC '%s': no fast-path worker is pinned to CPU %u "
                     "(cpus): placed by load", mv->conf.name, mv->conf.cpus);
        return mv->v ? vsw_vnic_unpin(mv->v) : 0;
    }
    return vsw_vnic_set_worker(mv->v, (unsigned)w);
}

void mgr_link_place(struct vsw_mgr *m, struct mlink *ml)
{
    int w;

    if (!ml->l || !ml->conf.has_cpus)
        return;
    w = worker_on(m, ml->conf.cpus);
    if (w < 0)
        xvm_log_warn("link '%s': no fast-path worker is pinned to CPU %u "
                     "(cpus): placed by load", ml->conf.name, ml->conf.cpus);
    else if (vsw_link_set_worker(ml->l, (unsigned)w) < 0)
        xvm_log_warn("link '%s': its wire lost its port moving to worker "
                     "%d", ml->conf.name, w);
}

void mgr_link_cpus_saved(const struct mlink *ml, struct vsw_link_conf *lc)
{
    lc->has_cpus = ml->has_cpus_saved;
    lc->cpus = ml->cpus_saved;
}

int vsw_mgr_link_set_cpus(struct vsw_mgr *m, const char *name, bool has,
                          uint16_t cpu, bool temporary, char *err,
                          size_t errlen)
{
    struct vsw_link_conf want = {.has_cpus = has, .cpus = cpu};
    struct mlink *ml = mlink_find(m, name);
    int rc;

    if (!ml && nic_listed(m, name))
        ml = nic_link_get(m, name, true);
    if (!ml)
        return mgr_fail(m, VSW_ST_NOTFOUND, err, errlen, -ENOENT,
                        "link '%s' does not exist", name);
    if (ml->inactive)
        return mgr_fail(m, VSW_ST_INACTIVE, err, errlen, -ENODEV,
                        "link is not active (deleted with -t)");
    if (ml->conf.cls != VSW_CLASS_PHYS)
        return mgr_fail(m, VSW_ST_BADVAL, err, errlen, -EINVAL,
                        "'%s' has no wire: no cpus", name);
    rc = link_cpus_check(m, &want, err, errlen);
    if (rc == 0)
        rc = mgr_persist_check(m, ml->origin, temporary, name, err, errlen);
    if (rc < 0) {
        nic_link_settle(m, ml);
        return rc;
    }
    ml->conf.has_cpus = has;
    ml->conf.cpus = cpu;
    mgr_link_place(m, ml);
    if (!temporary && (ml->origin == ORIGIN_PERSIST ||
                       ml->origin == ORIGIN_NIC)) {
        bool old_has = ml->has_cpus_saved;
        uint16_t old = ml->cpus_saved;

        ml->has_cpus_saved = has;
        ml->cpus_saved = cpu;
        rc = mgr_state_save(m, err, errlen);
        if (rc < 0) {
            ml->has_cpus_saved = old_has;
            ml->cpus_saved = old;
        }
    }
    nic_link_settle(m, ml);
    return rc;
}
