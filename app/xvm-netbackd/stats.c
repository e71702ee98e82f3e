/* SPDX-License-Identifier: MIT */
/*
 * xvm-netbackd: the counters file.  Rewritten atomically
 * (xvm_file_write()) whenever a device appears, changes state or goes, and on
 * SIGUSR1.  One line per record, "kind key=value ...":
 *
 *   netbackd pid=P seq=N devices=D domains=M
 *   dom D frames=F vifs=V                       one per mapped domain
 *   vif D/N name=vifD.N state=S [mac=.. tx_pkts=.. ...]   one per device
 *
 * seq grows with every write, so a reader that sent SIGUSR1 knows when
 * it sees fresh counters.  Counters appear on connected vifs only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netbackd.h"
#include "xvm/daemon.h"

static void vif_line(FILE *f, const struct nbd_vifdev *dev)
{
    const struct nbd_conn *cn = dev->priv;
    const struct nbd_port *p = cn ? cn->port : NULL;
    const uint8_t *m;
    struct nbd_port_stats s;
    struct nb_vif_stats v;

    fprintf(f, "vif %u/%u name=%s state=%d", dev->domid, dev->n, dev->name,
            dev->xb ? (int)nb_xenbus_state(dev->xb) : 0);
    if (!p || !cn->vif) {
        fputc('\n', f);
        return;
    }
    m = nbd_port_mac(p);
    nbd_port_stats_get(p, &s);
    nb_vif_stats_get(cn->vif, &v);
    fprintf(f,
            " mac=%02x:%02x:%02x:%02x:%02x:%02x tx_pkts=%" PRIu64
            " tx_bytes=%" PRIu64 " tx_gso=%" PRIu64 " tx_csum_blank=%" PRIu64
            " tx_max_len=%" PRIu64 " rx_pkts=%" PRIu64 " rx_bytes=%" PRIu64
            " rx_gso=%" PRIu64 " drop_unknown=%" PRIu64
            " drop_qfull=%" PRIu64 " nb_tx_credit_stalls=%" PRIu64
            " nb_tx_nobuf=%" PRIu64 " nb_rx_no_slots=%" PRIu64
            " nb_rx_dropped=%" PRIu64 " rate=%" PRIu64 ",%" PRIu64
            " disabled=%s\n",
            m[0], m[1], m[2], m[3], m[4], m[5], s.tx_pkts, s.tx_bytes,
            s.tx_gso, s.tx_csum_blank, s.tx_max_len, s.rx_pkts, s.rx_bytes,
            s.rx_gso, s.drop_unknown, s.drop_qfull, v.tx_credit_stalls,
            v.tx_nobuf_stalls, v.rx_no_slots,
            v.rx_dropped_offload + v.rx_dropped_bad, dev->rate_bytes,
            dev->rate_usecs, nb_fatal_str(nb_vif_disabled(cn->vif)));
}

static void write_all(FILE *f, struct nbd *d)
{
    const struct nbd_vifdev *dev;
    const struct nbd_dom *m;
    unsigned ndev = 0, ndom = 0;

    for (dev = nbd_vifmgr_devs(d->vm); dev; dev = dev->next)
        ndev++;
    for (m = nbd_vifmgr_doms(d->vm); m; m = m->next)
        ndom++;
    fprintf(f, "netbackd pid=%d seq=%" PRIu64 " devices=%u domains=%u\n",
            (int)getpid(), d->stats_seq, ndev, ndom);
    for (m = nbd_vifmgr_doms(d->vm); m; m = m->next)
        fprintf(f, "dom %u frames=%u vifs=%u\n", m->domid,
                xvm_mem_nr_frames(m->mem), m->refs);
    for (dev = nbd_vifmgr_devs(d->vm); dev; dev = dev->next)
        vif_line(f, dev);
}

int nbd_stats_write(struct nbd *d)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f;
    int rc;

    d->stats_dirty = false;
    if (!d->stats_path)
        return 0;
    f = open_memstream(&buf, &len);
    if (!f)
        return -ENOMEM;
    d->stats_seq++;
    write_all(f, d);
    rc = fclose(f) == 0 ? xvm_file_write(d->stats_path, buf, len, 0644)
                        : -ENOMEM;
    free(buf);
    if (rc < 0)
        nbd_log("cannot write %s: %s", d->stats_path, strerror(-rc));
    return rc;
}
