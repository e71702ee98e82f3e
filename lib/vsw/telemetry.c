/* SPDX-License-Identifier: MIT */
/*
 * DPDK telemetry commands under /xvnet/ (vsw_telemetry_attach in
 * vsw/switch.h).  They run on DPDK's telemetry thread: the object lists
 * and names are read under the switch's lock, which the control thread
 * holds while it changes them; counters are read without locks, as the
 * control socket reads them (they may be a burst stale).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>

#include <rte_telemetry.h>

#include "netback/netback.h"
#include "switch_pvt.h"

static pthread_mutex_t tel_lock = PTHREAD_MUTEX_INITIALIZER;
static struct vsw_switch *tel_sw;
static bool tel_registered;

/* Telemetry keys allow letters, digits, '_' and '/'. */
static void key_of(const char *s, char *buf, size_t len)
{
    size_t i;

    for (i = 0; s[i] && i + 1 < len; i++)
        buf[i] = s[i] == '-' ? '_' : s[i];
    buf[i] = '\0';
}

static void stats_put(struct rte_tel_data *d, const struct vsw_stats *st)
{
    char key[40], name[32];
    int i;

    rte_tel_data_add_dict_u64(d, "ipackets", st->ipackets);
    rte_tel_data_add_dict_u64(d, "rbytes", st->rbytes);
    rte_tel_data_add_dict_u64(d, "opackets", st->opackets);
    rte_tel_data_add_dict_u64(d, "obytes", st->obytes);
    rte_tel_data_add_dict_u64(d, "ierrors", st->ierrors);
    rte_tel_data_add_dict_u64(d, "oerrors", st->oerrors);
    for (i = 0; i < VSW_DROP__MAX; i++) {
        key_of(vsw_drop_str((enum vsw_drop)i), name, sizeof(name));
        snprintf(key, sizeof(key), "drop_%s", name);
        rte_tel_data_add_dict_u64(d, key, st->drops[i]);
    }
}

static void ofl_put(struct rte_tel_data *d, const struct vsw_ofl_stats *o)
{
    rte_tel_data_add_dict_u64(d, "gso_frames", o->gso_frames);
    rte_tel_data_add_dict_u64(d, "gso_segs", o->gso_segs);
    rte_tel_data_add_dict_u64(d, "tso_hw", o->tso_hw);
    rte_tel_data_add_dict_u64(d, "csum_sw", o->csum_sw);
    rte_tel_data_add_dict_u64(d, "gro_frames", o->gro_frames);
    rte_tel_data_add_dict_u64(d, "gro_segs", o->gro_segs);
    rte_tel_data_add_dict_u64(d, "csum_hw", o->csum_hw);
    rte_tel_data_add_dict_u64(d, "offload_bad", o->bad);
}

static void egress_put(struct rte_tel_data *d, const struct vsw_egq_stats *e)
{
    static const char *const cls[VSW_PRIO_N] = {"low", "medium", "high"};
    char key[40];
    int c;

    for (c = 0; c < VSW_PRIO_N; c++) {
        snprintf(key, sizeof(key), "egress_%s_queued", cls[c]);
        rte_tel_data_add_dict_u64(d, key, e->queued[c]);
        snprintf(key, sizeof(key), "egress_%s_dropped", cls[c]);
        rte_tel_data_add_dict_u64(d, key, e->dropped[c]);
    }
}

static const char *port_kind(const struct vsw_ep *ep)
{
    const struct vsw_port *port = __atomic_load_n(&ep->port, __ATOMIC_ACQUIRE);

    return port ? port->ops->kind : "none";
}

/* Take both locks; NULL (unlocked) when no switch is attached. */
static struct vsw_switch *tel_enter(void)
{
    pthread_mutex_lock(&tel_lock);
    if (!tel_sw) {
        pthread_mutex_unlock(&tel_lock);
        return NULL;
    }
    pthread_mutex_lock(&tel_sw->lock);
    return tel_sw;
}

static void tel_leave(struct vsw_switch *sw)
{
    pthread_mutex_unlock(&sw->lock);
    pthread_mutex_unlock(&tel_lock);
}

/*
 * {"count": n, "<key>": [names]} (the first RTE_TEL_MAX_ARRAY_ENTRIES):
 * the links, or the VNICs of every link (of the link named @only, if any).
 */
static int names_reply(struct rte_tel_data *d, const char *key, bool vnics,
                       const char *only)
{
    struct rte_tel_data *names = rte_tel_data_alloc();
    struct vsw_switch *sw;
    struct vsw_link *l;
    struct vsw_vnic *v;
    uint64_t n = 0;

    if (!names)
        return -ENOMEM;
    sw = tel_enter();
    if (!sw) {
        rte_tel_data_free(names);
        return -ENODEV;
    }
    rte_tel_data_start_dict(d);
    rte_tel_data_start_array(names, RTE_TEL_STRING_VAL);
    TAILQ_FOREACH(l, &sw->links, entry) {
        if (!vnics) {
            if (n++ < RTE_TEL_MAX_ARRAY_ENTRIES)
                rte_tel_data_add_array_string(names, l->name);
            continue;
        }
        if (only && *only && strcmp(only, l->name) != 0)
            continue;
        TAILQ_FOREACH(v, &l->vnics, entry)
            if (n++ < RTE_TEL_MAX_ARRAY_ENTRIES)
                rte_tel_data_add_array_string(names, v->name);
    }
    tel_leave(sw);
    rte_tel_data_add_dict_u64(d, "count", n);
    rte_tel_data_add_dict_container(d, key, names, 0);
    return 0;
}

/* /xvnet/links */
static int cmd_links(const char *cmd, const char *params,
                     struct rte_tel_data *d)
{
    (void)cmd;
    (void)params;
    return names_reply(d, "links", false, NULL);
}

/* /xvnet/vnics[,<link>] */
static int cmd_vnics(const char *cmd, const char *params,
                     struct rte_tel_data *d)
{
    (void)cmd;
    return names_reply(d, "vnics", true, params);
}

/* /xvnet/link,<name>: class, port, counters, offload and egress work. */
static int cmd_link(const char *cmd, const char *params,
                    struct rte_tel_data *d)
{
    struct vsw_switch *sw;
    struct vsw_link *l;
    int rc = -EINVAL;

    (void)cmd;
    if (!params || !*params)
        return -EINVAL;
    sw = tel_enter();
    if (!sw)
        return -ENODEV;
    TAILQ_FOREACH(l, &sw->links, entry) {
        if (strcmp(l->name, params) != 0)
            continue;
        rte_tel_data_start_dict(d);
        rte_tel_data_add_dict_string(d, "name", l->name);
        rte_tel_data_add_dict_string(d, "class", vsw_class_str(l->cls));
        rte_tel_data_add_dict_string(d, "port", port_kind(&l->ep));
        rte_tel_data_add_dict_u64(d, "vnics", l->nvnics);
        rte_tel_data_add_dict_u64(d, "worker", l->ep.w->id);
        stats_put(d, &l->stats);
        ofl_put(d, &l->ep.ofl);
        egress_put(d, &l->ep.egst);
        rc = 0;
        break;
    }
    tel_leave(sw);
    return rc;
}

/* A vif's queues: "queues": n, and "queue_<counter>": one value a queue
 * (its worker, and its netback counters). */
static void queues_put(struct rte_tel_data *d, const struct vsw_vnic *v,
                       const struct vsw_port *port)
{
    static const char *const key[] = {"queue_tx_packets", "queue_tx_bytes",
                                      "queue_rx_packets", "queue_rx_bytes",
                                      "queue_rx_no_slots", "queue_worker"};
    struct rte_tel_data *a[RTE_DIM(key)] = {NULL};
    unsigned nq = vsw_port_vif_queues(port), q, k;

    if (nq == 0)
        return;
    rte_tel_data_add_dict_u64(d, "queues", nq);
    for (k = 0; k < RTE_DIM(key); k++) {
        a[k] = rte_tel_data_alloc();
        if (!a[k])
            goto out;
        rte_tel_data_start_array(a[k], RTE_TEL_U64_VAL);
    }
    for (q = 0; q < nq; q++) {
        struct nb_vif_stats st;

        if (vsw_port_vif_queue_stats(port, q, &st) < 0)
            goto out;
        rte_tel_data_add_array_u64(a[0], st.tx_packets);
        rte_tel_data_add_array_u64(a[1], st.tx_bytes);
        rte_tel_data_add_array_u64(a[2], st.rx_packets);
        rte_tel_data_add_array_u64(a[3], st.rx_bytes);
        rte_tel_data_add_array_u64(a[4], st.rx_no_slots);
        rte_tel_data_add_array_u64(
            a[5], q < vsw_vnic_queues(v)
                      ? (uint64_t)vsw_vnic_queue_worker(v, q)
                      : v->ep.w->id);
    }
    for (k = 0; k < RTE_DIM(key); k++)
        if (rte_tel_data_add_dict_container(d, key[k], a[k], 0) == 0)
            a[k] = NULL; /* the dict owns it now */
out:
    for (k = 0; k < RTE_DIM(key); k++)
        if (a[k])
            rte_tel_data_free(a[k]);
}

/* /xvnet/vnic,<name>: properties, counters with drops by reason; a vif's
 * queues' own counters. */
static int cmd_vnic(const char *cmd, const char *params,
                    struct rte_tel_data *d)
{
    struct vsw_ofl_stats ofl;
    struct vsw_stats st;
    struct vsw_switch *sw;
    struct vsw_vnic *v;
    char mac[18];
    int rc = -EINVAL;

    (void)cmd;
    if (!params || !*params)
        return -EINVAL;
    sw = tel_enter();
    if (!sw)
        return -ENODEV;
    v = vsw_vnic_find(sw, params);
    if (v) {
        vsw_vnic_ofl_get(v, &ofl);
        rte_tel_data_start_dict(d);
        rte_tel_data_add_dict_string(d, "name", v->name);
        rte_tel_data_add_dict_string(d, "link", v->link->name);
        lp_mac_format(v->key.mac, mac);
        rte_tel_data_add_dict_string(d, "mac", mac);
        rte_tel_data_add_dict_u64(d, "vid", v->key.vid);
        rte_tel_data_add_dict_u64(d, "maxbw", v->maxbw);
        rte_tel_data_add_dict_string(d, "priority",
                                     lp_priority_str(v->priority));
        rte_tel_data_add_dict_string(d, "port", port_kind(&v->ep));
        rte_tel_data_add_dict_u64(d, "worker", v->ep.w->id);
        vsw_vnic_stats_get(v, &st);
        stats_put(d, &st);
        ofl_put(d, &ofl);
        queues_put(d, v, __atomic_load_n(&v->ep.port, __ATOMIC_ACQUIRE));
        rc = 0;
    }
    tel_leave(sw);
    return rc;
}

/* /xvnet/worker,<n>: what a fast-path worker owns and hands on. */
static int cmd_worker(const char *cmd, const char *params,
                      struct rte_tel_data *d)
{
    struct vsw_worker_stats ws;
    struct vsw_switch *sw;
    char *end;
    unsigned long n;
    int rc;

    (void)cmd;
    if (!params || !*params)
        return -EINVAL;
    n = strtoul(params, &end, 10);
    if (*end || n > VSW_WORKERS_MAX)
        return -EINVAL;
    sw = tel_enter();
    if (!sw)
        return -ENODEV;
    rc = vsw_switch_worker_stats(sw, (unsigned)n, &ws);
    if (rc == 0) {
        rte_tel_data_start_dict(d);
        rte_tel_data_add_dict_u64(d, "workers", sw->nw);
        rte_tel_data_add_dict_u64(d, "endpoints", ws.endpoints);
        rte_tel_data_add_dict_u64(d, "handed", ws.handed);
        rte_tel_data_add_dict_u64(d, "handoff_drops", ws.handoff_drops);
        rte_tel_data_add_dict_u64(d, "gone_drops", ws.gone_drops);
        rte_tel_data_add_dict_u64(d, "cache_hits", ws.cache_hits);
        rte_tel_data_add_dict_u64(d, "cache_misses", ws.cache_misses);
    }
    tel_leave(sw);
    return rc;
}

int vsw_telemetry_attach(struct vsw_switch *sw)
{
    int rc = 0;

    pthread_mutex_lock(&tel_lock);
    if (sw && !tel_registered) {
        rc = rte_telemetry_register_cmd(
            "/xvnet/links", cmd_links,
            "Links of the switch. Takes no parameters");
        if (rc == 0)
            rc = rte_telemetry_register_cmd(
                "/xvnet/link", cmd_link,
                "A link's counters, offload and egress work. Parameter: name");
        if (rc == 0)
            rc = rte_telemetry_register_cmd(
                "/xvnet/vnics", cmd_vnics,
                "VNICs (the first 512). Optional parameter: link name");
        if (rc == 0)
            rc = rte_telemetry_register_cmd(
                "/xvnet/vnic", cmd_vnic,
                "A VNIC's properties and counters. Parameter: name");
        if (rc == 0)
            rc = rte_telemetry_register_cmd(
                "/xvnet/worker", cmd_worker,
                "A fast-path worker's endpoints and frames handed to "
                "others. Parameter: number");
        tel_registered = rc == 0;
    }
    if (rc == 0)
        tel_sw = sw;
    pthread_mutex_unlock(&tel_lock);
    return rc;
}
