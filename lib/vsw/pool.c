/* SPDX-License-Identifier: MIT */
/*
 * The switch's packet pool: rte_pktmbuf_pool_create() spelled out, with
 * the objects packed (vsw/pool.h says why).
 */
#include <stdint.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mbuf_pool_ops.h>

#include "vsw/pool.h"

struct rte_mempool *vsw_pool_create(const char *name, unsigned int n,
                                    unsigned int cache, int socket)
{
    struct rte_pktmbuf_pool_private priv = {
        .mbuf_data_room_size = RTE_MBUF_DEFAULT_BUF_SIZE,
    };
    unsigned int flags = 0;
    struct rte_mempool *mp;
    int rc;

    /* Frames never need physically contiguous buffers where there are no
     * hugepages (no DMA) or where IOVAs are virtual addresses. */
    if (!rte_eal_has_hugepages() || rte_eal_iova_mode() == RTE_IOVA_VA)
        flags |= RTE_MEMPOOL_F_NO_IOVA_CONTIG;
    mp = rte_mempool_create_empty(
        name, n, sizeof(struct rte_mbuf) + RTE_MBUF_DEFAULT_BUF_SIZE, cache,
        sizeof(priv), socket, flags);
    if (!mp)
        return NULL;
    rc = rte_mempool_set_ops_byname(mp, rte_mbuf_best_mempool_ops(), NULL);
    if (rc == 0) {
        rte_pktmbuf_pool_init(mp, &priv);
        rc = rte_mempool_populate_default(mp);
    }
    if (rc < 0) {
        rte_mempool_free(mp);
        rte_errno = -rc;
        return NULL;
    }
    rte_mempool_obj_iter(mp, rte_pktmbuf_init, NULL);
    return mp;
}

bool vsw_pool_packed(const struct rte_mempool *mp)
{
    const struct rte_mempool_memhdr *h = STAILQ_FIRST(&mp->mem_list);
    size_t obj = mp->header_size + mp->elt_size + mp->trailer_size;
    size_t page = (size_t)getpagesize();

    if (mp->nb_mem_chunks != 1 || !h)
        return false;
    return h->len <=
           (size_t)mp->populated_size * obj + ((uintptr_t)h->addr & (page - 1));
}
