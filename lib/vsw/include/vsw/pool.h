/* SPDX-License-Identifier: MIT */
/*
 * vsw/pool.h - the switch's packet pool.
 *
 * One pool of mbufs holds every frame the switch handles.  net_af_xdp
 * (a NIC shared with the host, xdp_share.h) registers that pool's memory
 * as its AF_XDP UMEM and sends mbufs from it without a copy: it takes the
 * UMEM to be the pool's objects packed back to back from the start of
 * one memory area, populated_size objects long.  rte_pktmbuf_pool_create()
 * does not promise that: on 4 KiB pages (DPDK without hugepages) it keeps
 * each object inside one page, one 2.4 KiB mbuf per page, and the mbufs
 * of the last 40 % of the area then lie beyond the UMEM; the kernel drops
 * every frame sent from one of them, and the frame's mbuf is never given
 * back.  vsw_pool_create() packs the objects wherever the switch's frames
 * need no physical contiguity (no hugepages, or IOVA as VA).
 */
#ifndef VSW_POOL_H
#define VSW_POOL_H

#include "xvm/export.h"

#include <stdbool.h>

#include <rte_mempool.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * A pool of @n mbufs of RTE_MBUF_DEFAULT_BUF_SIZE with a per-lcore cache
 * of @cache, on NUMA @socket.  @return the pool, or NULL with rte_errno.
 */
XVN_EXPORT
struct rte_mempool *vsw_pool_create(const char *name, unsigned int n,
                                    unsigned int cache, int socket);

/**
 * Whether @mp's objects lie packed in one memory area, as net_af_xdp
 * needs: one chunk no longer than populated_size objects and the page
 * offset of its start.
 */
XVN_EXPORT
bool vsw_pool_packed(const struct rte_mempool *mp);

#ifdef __cplusplus
}
#endif

#endif
