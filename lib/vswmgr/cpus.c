/* SPDX-License-Identifier: MIT */
/*
 * The cpus property of a VNIC: the CPU whose fast-path worker owns it.
 * vswitchd tells the manager which CPU each worker is pinned to
 * (vsw_mgr_params.worker_cpus); a client asking for a CPU no worker runs
 * on is refused, while a VNIC of the state file or the boot configuration
 * whose CPU has no worker this time is placed by load, and the log says
 * so.
 */
#include <errno.h>

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

int mgr_cpus_check(struct vsw_mgr *m, const struct vsw_vnic_conf *vc,
                   char *err, size_t errlen)
{
    if (!vc->has_cpus || worker_on(m, vc->cpus) >= 0)
        return 0;
    return mgr_fail(m, VSW_ST_CPUS, err, errlen, -EINVAL,
                    "no fast-path worker runs on CPU %u", vc->cpus);
}

int mgr_vnic_place(struct vsw_mgr *m, struct mvnic *mv)
{
    int w;

    if (!mv->conf.has_cpus)
        return 0;
    w = worker_on(m, mv->conf.cpus);
    if (w < 0) {
        xvm_log_warn("VNIC '%s': no fast-path worker runs on CPU %u "
                     "(cpus): placed by load", mv->conf.name, mv->conf.cpus);
        return 0;
    }
    return vsw_vnic_set_worker(mv->v, (unsigned)w);
}
