/* SPDX-License-Identifier: MIT */
/*
 * The datalink manager, the configuration file format, and the control
 * protocol both raw (requests handed to vsw_mgr_handle) and through the
 * client library over a real socket.  VNICs here are attached to nothing,
 * and the only link kind used is the etherstub, so no devices are needed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <linux/netlink.h>

#include "check.h"
#include "vswctl/client.h"
#include "vswmgr/conf.h"
#include "vswctl/ctl.h"
#include "vswmgr/mgr.h"
#include "xvm/fdpass.h"
#include "vsw_test.h"

static char tmpdir[64];
static char err[256];

static char *slurp(const char *path)
{
    static char buf[8192];
    FILE *f = fopen(path, "r");
    size_t n;

    if (!f)
        return NULL;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void test_conf_lines(void)
{
    char line[VSW_CONF_LINE_MAX], out[VSW_CONF_LINE_MAX];
    struct vsw_conf_obj o;

    strcpy(line, "  # a comment\n");
    CHECK_EQ(vsw_conf_parse_line(line, &o, err, sizeof(err)), 0);
    strcpy(line, "link phys0 class=phys devargs=net_af_packet0,iface=eth1");
    CHECK_EQ(vsw_conf_parse_line(line, &o, err, sizeof(err)), 1);
    CHECK(o.cls == VSW_CLASS_PHYS &&
          strcmp(o.link.devargs, "net_af_packet0,iface=eth1") == 0);
    strcpy(line, "vnic v1 link=stub0 mac=2:8:20:1:2:3 vid=7 maxbw=1234.567K "
                 "priority=low protection=mac-nospoof attach=tap tap=tp1 # x");
    CHECK_EQ(vsw_conf_parse_line(line, &o, err, sizeof(err)), 1);
    CHECK(o.cls == VSW_CLASS_VNIC && o.vnic.vid == 7 &&
          o.vnic.maxbw == 1234567 && o.vnic.priority == LP_PRIO_LOW &&
          o.vnic.protection == LP_PROT_MAC_NOSPOOF &&
          o.vnic.attach == VSW_ATTACH_TAP && o.vnic.mac_type == VSW_MAC_FIXED &&
          strcmp(o.vnic.tap, "tp1") == 0 && o.vnic.mac[5] == 3);
    /* What is written reads back the same. */
    vsw_conf_format_vnic(&o.vnic, out, sizeof(out));
    strcpy(line, out);
    {
        struct vsw_conf_obj o2;

        CHECK_EQ(vsw_conf_parse_line(line, &o2, err, sizeof(err)), 1);
        CHECK(memcmp(&o.vnic, &o2.vnic, sizeof(o.vnic)) == 0);
    }
    strcpy(line, "vnic v1 link=stub0 vid=4095");
    CHECK_EQ(vsw_conf_parse_line(line, &o, err, sizeof(err)), -EINVAL);
    CHECK(strstr(err, "invalid vid '4095'") != NULL);
    strcpy(line, "vnic v1 vid=1");
    CHECK_EQ(vsw_conf_parse_line(line, &o, err, sizeof(err)), -EINVAL);
    strcpy(line, "link phys0 class=phys");
    CHECK_EQ(vsw_conf_parse_line(line, &o, err, sizeof(err)), -EINVAL);
    strcpy(line, "vnic v1 link=stub0 colour=red");
    CHECK_EQ(vsw_conf_parse_line(line, &o, err, sizeof(err)), -EINVAL);
    strcpy(line, "bridge br0");
    CHECK_EQ(vsw_conf_parse_line(line, &o, err, sizeof(err)), -EINVAL);
    /* a key given twice is refused, not the later one kept */
    strcpy(line, "vnic v1 link=stub0 vid=5 vid=6");
    CHECK_EQ(vsw_conf_parse_line(line, &o, err, sizeof(err)), -EINVAL);
    CHECK(strstr(err, "vid given twice") != NULL);
}

struct world {
    struct vsw_switch *sw;
    struct vsw_mgr *m;
};

static void world_up(struct world *w)
{
    struct vsw_switch_params sp = {.pool = test_pool};
    struct vsw_mgr_params mp = {.pool = test_pool, .state_dir = tmpdir};

    w->sw = vsw_switch_create(&sp);
    mp.sw = w->sw;
    w->m = vsw_mgr_create(&mp);
}

static void world_down(struct world *w)
{
    vsw_mgr_destroy(w->m);
    vsw_switch_destroy(w->sw);
}

static int count_vnic(const struct vsw_vnic_conf *vc, struct vsw_vnic *v,
                      void *arg)
{
    (void)vc;
    (void)v;
    (*(int *)arg)++;
    return 0;
}

static struct vsw_link_conf stub(const char *name, bool tmp)
{
    struct vsw_link_conf lc;

    memset(&lc, 0, sizeof(lc));
    strcpy(lc.name, name);
    lc.cls = VSW_CLASS_ETHERSTUB;
    lc.temporary = tmp;
    return lc;
}

static struct vsw_vnic_conf vnic(const char *name, const char *link)
{
    struct vsw_vnic_conf vc;

    vsw_vnic_conf_init(&vc);
    strcpy(vc.name, name);
    strcpy(vc.link, link);
    return vc;
}

static char state_path[128];

/* stub0 (persistent), tstub0 (temporary), on stub0: v1 (random MAC, VID
 * 12, 20M), v2 (fixed MAC), t1 (temporary). */
static void mgr_setup(struct world *w, struct vsw_vnic_conf *v1)
{
    struct vsw_link_conf lc;
    struct vsw_vnic_conf vc;

    snprintf(state_path, sizeof(state_path), "%s/%s", tmpdir,
             VSW_STATE_FILE);
    unlink(state_path);
    world_up(w);
    CHECK(w->m != NULL);
    lc = stub("stub0", false);
    CHECK_EQ(vsw_mgr_link_create(w->m, &lc, err, sizeof(err)), 0);
    lc = stub("tstub0", true);
    CHECK_EQ(vsw_mgr_link_create(w->m, &lc, err, sizeof(err)), 0);
    *v1 = vnic("v1", "stub0");
    v1->vid = 12;
    v1->maxbw = 20000000;
    CHECK_EQ(vsw_mgr_vnic_create(w->m, v1, err, sizeof(err)), 0);
    vc = vnic("v2", "stub0");
    vc.mac_type = VSW_MAC_FIXED;
    CHECK_EQ(lp_mac_parse("02:00:00:00:00:22", vc.mac), 0);
    CHECK_EQ(vsw_mgr_vnic_create(w->m, &vc, err, sizeof(err)), 0);
    vc = vnic("t1", "stub0");
    vc.temporary = true;
    CHECK_EQ(vsw_mgr_vnic_create(w->m, &vc, err, sizeof(err)), 0);
}

static void test_mgr_create(void)
{
    struct world w;
    struct vsw_vnic_conf v1;
    char *state;

    mgr_setup(&w, &v1);
    CHECK(lp_mac_valid(v1.mac) && v1.mac[0] == 0x02 && v1.mac[2] == 0x20);
    state = slurp(state_path);
    CHECK(state && strstr(state, "link stub0 class=etherstub\n"));
    CHECK(state && strstr(state, "vnic v1 link=stub0 ") &&
          strstr(state, "vid=12 maxbw=20M"));
    CHECK(state && strstr(state, "vnic v2 link=stub0 mac=2:0:0:0:0:22 "
                                 "mac-type=fixed"));
    CHECK(state && !strstr(state, "t1") && !strstr(state, "tstub0"));
    world_down(&w);
}

/* Refused, with dladm's words, leaving nothing behind. */
static void test_mgr_refuse(void)
{
    struct world w;
    struct vsw_vnic_conf vc;
    int n = 0;

    mgr_setup(&w, &vc);
    vc = vnic("v1", "stub0");
    CHECK_EQ(vsw_mgr_vnic_create(w.m, &vc, err, sizeof(err)), -EEXIST);
    CHECK(strcmp(err, "object already exists") == 0);
    vc = vnic("v3", "stub0");
    vc.mac_type = VSW_MAC_FIXED;
    CHECK_EQ(lp_mac_parse("02:00:00:00:00:22", vc.mac), 0);
    CHECK_EQ(vsw_mgr_vnic_create(w.m, &vc, err, sizeof(err)), -EADDRINUSE);
    CHECK(strcmp(err, "MAC address is already in use") == 0);
    vc = vnic("v3", "stub0");
    vc.maxbw = 1000000;
    CHECK_EQ(vsw_mgr_vnic_create(w.m, &vc, err, sizeof(err)), -ERANGE);
    CHECK(strcmp(err, "minimum value for maxbw is 1200K") == 0);
    vc = vnic("v3", "tstub0");
    CHECK_EQ(vsw_mgr_vnic_create(w.m, &vc, err, sizeof(err)), -EINVAL);
    CHECK(strstr(err, "persistent object on top of temporary") != NULL);
    vc = vnic("v3", "nope0");
    CHECK_EQ(vsw_mgr_vnic_create(w.m, &vc, err, sizeof(err)), -ENOENT);
    vc = vnic("3v", "stub0");
    CHECK_EQ(vsw_mgr_vnic_create(w.m, &vc, err, sizeof(err)), -EINVAL);
    CHECK(strcmp(err, "invalid link name '3v'") == 0);
    vc = vnic("v3", "stub0");
    vc.attach = VSW_ATTACH_TAP;
    strcpy(vc.tap, "bad/name");
    CHECK(vsw_mgr_vnic_create(w.m, &vc, err, sizeof(err)) < 0);
    CHECK_EQ(vsw_mgr_link_delete(w.m, "stub0", false, err, sizeof(err)),
             -EBUSY);
    vsw_mgr_vnic_walk(w.m, false, count_vnic, &n);
    CHECK_EQ(n, 3);
    CHECK(vsw_vnic_find(w.sw, "v3") == NULL);
    world_down(&w);
}

static void test_mgr_modify_restore(void)
{
    struct world w;
    struct vsw_vnic_conf vc, v1;
    struct vsw_vnic_params p;
    struct vsw_vnic *v;

    mgr_setup(&w, &v1);
    /* A temporary change stays out of the file; a persistent one goes in
     * without the temporary one riding along. */
    vc = vnic("v1", "");
    vc.maxbw = 5000000;
    CHECK_EQ(vsw_mgr_vnic_modify(w.m, &vc, VSW_MOD_MAXBW, true, err,
                                 sizeof(err)), 0);
    CHECK(strstr(slurp(state_path), "maxbw=20M") != NULL);
    vc.protection = LP_PROT_MAC_NOSPOOF;
    CHECK_EQ(vsw_mgr_vnic_modify(w.m, &vc, VSW_MOD_PROTECTION, false, err,
                                 sizeof(err)), 0);
    CHECK(strstr(slurp(state_path),
                 "maxbw=20M priority=high protection=mac-nospoof"));
    vc.maxbw = 100;
    CHECK_EQ(vsw_mgr_vnic_modify(w.m, &vc, VSW_MOD_MAXBW, false, err,
                                 sizeof(err)), -ERANGE);
    CHECK_EQ(vsw_mgr_vnic_delete(w.m, "v2", false, err, sizeof(err)), 0);
    CHECK(strstr(slurp(state_path), "vnic v2") == NULL);
    CHECK_EQ(vsw_mgr_vnic_delete(w.m, "v2", false, err, sizeof(err)), -ENOENT);
    world_down(&w);

    /* A new manager restores the persistent objects as they were. */
    world_up(&w);
    CHECK_EQ(vsw_mgr_restore(w.m, err, sizeof(err)), 2);
    v = vsw_vnic_find(w.sw, "v1");
    CHECK(v != NULL);
    if (v) {
        vsw_vnic_params_get(v, &p);
        CHECK(memcmp(p.mac, v1.mac, 6) == 0);
        CHECK_EQ(p.maxbw, 20000000);
        CHECK_EQ(p.vid, 12);
        CHECK_EQ(p.protection, LP_PROT_MAC_NOSPOOF);
    }
    CHECK(vsw_vnic_find(w.sw, "t1") == NULL);
    CHECK(vsw_link_find(w.sw, "tstub0") == NULL);
    world_down(&w);
}

/* ---- the protocol, raw ---- */

struct replies {
    char buf[65536];
    size_t len;
    int datagrams;
};

static int collect(void *arg, const void *buf, size_t len, const int *fds,
                   unsigned nfds)
{
    struct replies *r = arg;

    (void)fds;
    CHECK_EQ(nfds, 0); /* only CAPTURE's reply carries descriptors */
    if (r->len + len > sizeof(r->buf))
        return -ENOSPC;
    memcpy(r->buf + r->len, buf, len);
    r->len += len;
    r->datagrams++;
    return 0;
}

/* The n-th message of the replies, or NULL. */
static const struct nlmsghdr *reply_nth(const struct replies *r, int n)
{
    const struct nlmsghdr *nlh = (const struct nlmsghdr *)r->buf;
    int rest = (int)r->len;

    for (; xvm_msg_ok(nlh, rest); nlh = mnl_nlmsg_next(nlh, &rest))
        if (n-- == 0)
            return nlh;
    return NULL;
}

static int reply_count(const struct replies *r)
{
    int n = 0;

    while (reply_nth(r, n))
        n++;
    return n;
}

static int ack_error(const struct nlmsghdr *nlh, const char **msg)
{
    const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
    const struct nlattr *a;

    *msg = NULL;
    mnl_attr_for_each(a, nlh, sizeof(*e))
        if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG)
            *msg = mnl_attr_get_str(a);
    return e->error;
}

/* The enum vsw_status an error ack carries (VSW_ST_NONE: none). */
static uint32_t ack_status(const struct nlmsghdr *nlh)
{
    const struct nlattr *a;

    mnl_attr_for_each(a, nlh, sizeof(struct nlmsgerr))
        if (mnl_attr_get_type(a) == NLMSGERR_ATTR_COOKIE)
            return mnl_attr_get_u32(a);
    return VSW_ST_NONE;
}

/* Every attribute's padding is zero (no stale bytes of the daemon). */
static bool pads_zero(const struct nlmsghdr *nlh)
{
    const struct nlattr *a;

    mnl_attr_for_each(a, nlh, 0) {
        const uint8_t *p = (const uint8_t *)a;
        unsigned i;

        for (i = a->nla_len; i < (unsigned)MNL_ALIGN(a->nla_len); i++)
            if (p[i] != 0)
                return false;
    }
    return true;
}

/* ---- host NICs, fed by hand, attached through a port kind of ours ---- */

static int nic_opens, nic_closes, nic_refuse;

static uint16_t nicp_rx(struct vsw_port *port, struct rte_mbuf **pkts,
                        uint16_t n)
{
    (void)port;
    (void)pkts;
    (void)n;
    return 0;
}

static uint16_t nicp_tx(struct vsw_port *port, struct rte_mbuf **pkts,
                        uint16_t n, enum vsw_drop *why)
{
    (void)port;
    (void)why;
    rte_pktmbuf_free_bulk(pkts, n);
    return n;
}

static void nicp_destroy(struct vsw_port *port)
{
    nic_closes++;
    free(port);
}

static const struct vsw_port_ops nicp_ops = {
    .kind = "testnic",
    .rx = nicp_rx,
    .tx = nicp_tx,
    .destroy = nicp_destroy,
};

static struct vsw_port *nicp_open(const struct vsw_port_args *a,
                                  struct rte_mempool *pool)
{
    struct vsw_port *port;

    (void)pool;
    if (!a->name || nic_refuse) {
        errno = EBUSY;
        return NULL;
    }
    port = calloc(1, sizeof(*port));
    port->ops = &nicp_ops;
    snprintf(port->name, sizeof(port->name), "%s", a->name);
    port->rx_fd = -1;
    port->wake_fd = -1;
    nic_opens++;
    return port;
}

static const struct vsw_port_class nicp_class = {"testnic", nicp_open};

static void nic_world_up(struct world *w)
{
    struct vsw_switch_params sp = {.pool = test_pool};
    struct vsw_mgr_params mp = {.pool = test_pool, .state_dir = tmpdir,
                                .nic_port_kind = "testnic"};

    w->sw = vsw_switch_create(&sp);
    mp.sw = w->sw;
    w->m = vsw_mgr_create(&mp);
}

static void nic_set(struct vsw_mgr *m, int ifindex, const char *name,
                    bool carrier, uint16_t mtu)
{
    struct vsw_hostnic n = {.ifindex = ifindex, .admin_up = true,
                            .carrier = carrier, .mtu = mtu, .speed = 1000,
                            .duplex = 2};

    snprintf(n.ifname, sizeof(n.ifname), "%s", name);
    vsw_mgr_hostnic_set(m, &n);
}

struct got_link {
    const char *name;
    struct vsw_link_conf lc;
    int found, nlinks;
};

static int got_link_cb(const struct vsw_link_conf *lc, struct vsw_link *l,
                       void *arg)
{
    struct got_link *g = arg;

    (void)l;
    g->nlinks++;
    if (strcmp(lc->name, g->name) == 0) {
        g->lc = *lc;
        g->found++;
    }
    return 0;
}

static int find_conf(const struct vsw_vnic_conf *vc, struct vsw_vnic *v,
                     void *arg)
{
    struct vsw_vnic_conf *want = arg;

    (void)v;
    if (strcmp(vc->name, want->name) != 0)
        return 0;
    *want = *vc;
    return 1;
}

/* Link @name as the running walk reports it; found is 0 if not listed. */
static struct got_link link_get(struct vsw_mgr *m, const char *name)
{
    struct got_link g = {.name = name};

    vsw_mgr_link_walk(m, false, got_link_cb, &g);
    return g;
}

static void test_mgr_hostnic(void)
{
    struct vsw_cap_params cp = {.name = "eth9", .dir = VSW_CAP_BOTH};
    struct world w;
    struct vsw_vnic_conf vc;
    struct vsw_link_conf lc;
    struct got_link g;
    char *state;

    snprintf(state_path, sizeof(state_path), "%s/%s", tmpdir,
             VSW_STATE_FILE);
    unlink(state_path);
    CHECK_EQ(vsw_port_class_register(&nicp_class), 0);
    nic_world_up(&w);
    CHECK(w.m && vsw_mgr_hostnic_fd(w.m) == -1);
    nic_set(w.m, 7, "eth7", true, 1500);
    nic_set(w.m, 8, "vw12s", false, 1500); /* a name dladm would refuse */
    nic_set(w.m, 9, "eth9", true, 1500);

    /* Every NIC is a link of its own, detached until used. */
    g = link_get(w.m, "eth7");
    CHECK(g.found == 1 && g.lc.cls == VSW_CLASS_PHYS &&
          g.lc.state == VSW_LINK_STATE_UP && g.lc.speed == 1000 &&
          g.lc.duplex == 2 && g.lc.mtu == 1500 &&
          g.lc.flags == VSW_LINK_F_HOSTNIC &&
          strcmp(g.lc.ifname, "eth7") == 0 && !g.lc.devargs[0]);
    g = link_get(w.m, "vw12s");
    CHECK(g.found == 1 && g.lc.state == VSW_LINK_STATE_DOWN &&
          g.lc.speed == 0);
    CHECK_EQ(g.nlinks, 3);
    /* A detached NIC's link cannot be captured on yet, and says why. */
    errno = 0;
    CHECK(vsw_mgr_capture(w.m, 1, &cp, err, sizeof(err)) == NULL);
    CHECK_EQ(errno, EINVAL);
    CHECK_EQ(vsw_mgr_status(w.m), VSW_ST_BADVAL);
    CHECK(strstr(err, "eth9 is a host NIC with no VNIC over it") != NULL);

    /* The first VNIC attaches; a bad one over it changes nothing. */
    vc = vnic("v1", "eth7");
    CHECK_EQ(vsw_mgr_vnic_create(w.m, &vc, err, sizeof(err)), 0);
    CHECK_EQ(nic_opens, 1);
    g = link_get(w.m, "eth7");
    CHECK(g.lc.flags == (VSW_LINK_F_HOSTNIC | VSW_LINK_F_ATTACHED) &&
          g.lc.nvnics == 1 && strcmp(g.lc.devargs, "testnic:eth7") == 0);
    vc = vnic("v2", "eth7");
    vc.mtu = 9000;
    CHECK_EQ(vsw_mgr_vnic_create(w.m, &vc, err, sizeof(err)), -EINVAL);
    CHECK_EQ(vsw_mgr_status(w.m), VSW_ST_MTU_LINK);
    CHECK(strcmp(err, "mtu 9000 is larger than the mtu of 'eth7' (1500)") ==
          0);
    vc = vnic("v2", "vw12s");
    CHECK_EQ(vsw_mgr_vnic_create(w.m, &vc, err, sizeof(err)), 0);
    CHECK_EQ(nic_opens, 2);
    CHECK_EQ(vsw_mgr_vnic_delete(w.m, "v2", false, err, sizeof(err)), 0);
    CHECK_EQ(nic_closes, 1);
    vc = vnic("v2", "nosuch0");
    CHECK_EQ(vsw_mgr_vnic_create(w.m, &vc, err, sizeof(err)), -ENOENT);
    CHECK(link_get(w.m, "nosuch0").found == 0);
    /* A NIC the port kind refuses (another switch holds it): nothing. */
    nic_refuse = 1;
    vc = vnic("v3", "eth9");
    CHECK(vsw_mgr_vnic_create(w.m, &vc, err, sizeof(err)) == -EBUSY);
    CHECK(strstr(err, "cannot attach to NIC 'eth9'") != NULL);
    nic_refuse = 0;
    CHECK(vsw_vnic_find(w.sw, "v3") == NULL &&
          vsw_link_find(w.sw, "eth9") == NULL);

    /* Persistent VNICs are written; the NIC's link is not. */
    state = slurp(state_path);
    CHECK(state && strstr(state, "vnic v1 link=eth7 ") &&
          !strstr(state, "link eth7"));

    /* A NIC's link is no record to delete or rename; its name is taken;
     * it cannot be the wire of another link while it has VNICs. */
    CHECK_EQ(vsw_mgr_link_delete(w.m, "eth7", false, err, sizeof(err)),
             -EOPNOTSUPP);
    CHECK_EQ(vsw_mgr_status(w.m), VSW_ST_HOSTNIC);
    CHECK_EQ(vsw_mgr_link_delete(w.m, "eth9", false, err, sizeof(err)),
             -EOPNOTSUPP);
    CHECK_EQ(vsw_mgr_rename(w.m, "eth7", "net0", err, sizeof(err)),
             -EOPNOTSUPP);
    lc = stub("eth9", false);
    CHECK_EQ(vsw_mgr_link_create(w.m, &lc, err, sizeof(err)), -EEXIST);
    CHECK_EQ(vsw_mgr_rename(w.m, "v1", "eth9", err, sizeof(err)), -EEXIST);
    memset(&lc, 0, sizeof(lc));
    strcpy(lc.name, "phys1");
    lc.cls = VSW_CLASS_PHYS;
    strcpy(lc.devargs, "net_af_packet1,iface=eth7");
    CHECK_EQ(vsw_mgr_link_create(w.m, &lc, err, sizeof(err)), -EBUSY);
    CHECK_EQ(vsw_mgr_status(w.m), VSW_ST_LINKBUSY);

    /* MTU: a VNIC's fits in the link's; the link's (the NIC's) cannot go
     * below a VNIC's. */
    vc = vnic("v1", "");
    vc.mtu = 1400;
    CHECK_EQ(vsw_mgr_vnic_modify(w.m, &vc, VSW_MOD_MTU, false, err,
                                 sizeof(err)), 0);
    vc.mtu = 1501;
    CHECK_EQ(vsw_mgr_vnic_modify(w.m, &vc, VSW_MOD_MTU, false, err,
                                 sizeof(err)), -EINVAL);
    CHECK_EQ(vsw_mgr_link_set_mtu(w.m, "eth7", 1300, err, sizeof(err)),
             -EBUSY);
    CHECK_EQ(vsw_mgr_status(w.m), VSW_ST_MTU_VNIC);
    CHECK_EQ(vsw_mgr_link_set_mtu(w.m, "eth7", 9001, err, sizeof(err)),
             -EINVAL);
    CHECK_EQ(vsw_mgr_link_set_mtu(w.m, "v1", 1500, err, sizeof(err)),
             -ENOENT);
    nic_set(w.m, 7, "eth7", true, 9000); /* the host changed it */
    CHECK_EQ(link_get(w.m, "eth7").lc.mtu, 9000);
    vc.mtu = 9000;
    CHECK_EQ(vsw_mgr_vnic_modify(w.m, &vc, VSW_MOD_MTU, true, err,
                                 sizeof(err)), 0);

    /* Carrier lost, then the NIC gone: the VNIC stays, the wire goes. */
    nic_set(w.m, 7, "eth7", false, 9000);
    g = link_get(w.m, "eth7");
    CHECK(g.lc.state == VSW_LINK_STATE_DOWN &&
          (g.lc.flags & VSW_LINK_F_ATTACHED));
    vsw_mgr_hostnic_del(w.m, 7);
    g = link_get(w.m, "eth7");
    CHECK(g.found == 1 && g.lc.state == VSW_LINK_STATE_UNKNOWN &&
          g.lc.flags == VSW_LINK_F_HOSTNIC && g.lc.nvnics == 1);
    CHECK_EQ(nic_closes, 2);
    CHECK(vsw_vnic_find(w.sw, "v1") != NULL);
    /* Back under another ifindex: attached again. */
    nic_set(w.m, 17, "eth7", true, 1500);
    g = link_get(w.m, "eth7");
    CHECK(g.lc.state == VSW_LINK_STATE_UP &&
          (g.lc.flags & VSW_LINK_F_ATTACHED));
    CHECK_EQ(nic_opens, 3);
    /* Renamed by the host: gone under the old name. */
    nic_set(w.m, 17, "eth70", true, 1500);
    CHECK(link_get(w.m, "eth7").lc.state == VSW_LINK_STATE_UNKNOWN);
    CHECK(link_get(w.m, "eth70").found == 1);
    nic_set(w.m, 17, "eth7", true, 1500);
    CHECK_EQ(nic_opens, 4);

    /* Moving the last VNIC elsewhere, or deleting it, lets go. */
    lc = stub("stub0", false);
    CHECK_EQ(vsw_mgr_link_create(w.m, &lc, err, sizeof(err)), 0);
    vc = vnic("v1", "stub0");
    CHECK_EQ(vsw_mgr_vnic_modify(w.m, &vc, VSW_MOD_LINK, false, err,
                                 sizeof(err)), 0);
    CHECK_EQ(nic_closes, 4);
    CHECK(vsw_link_find(w.sw, "eth7") == NULL);
    /* Not back with its mtu 9000: the NIC is at 1500 again. */
    vc = vnic("v1", "eth7");
    CHECK_EQ(vsw_mgr_vnic_modify(w.m, &vc, VSW_MOD_LINK, false, err,
                                 sizeof(err)), -EINVAL);
    CHECK_EQ(vsw_mgr_status(w.m), VSW_ST_MTU_LINK);
    CHECK(vsw_link_find(w.sw, "eth7") == NULL);
    CHECK_EQ(nic_opens, 4);
    vc.mtu = 0;
    CHECK_EQ(vsw_mgr_vnic_modify(w.m, &vc, VSW_MOD_LINK | VSW_MOD_MTU, false,
                                 err, sizeof(err)), 0);
    CHECK_EQ(nic_opens, 5);
    /* Without an mtu of its own it runs with its link's, and follows the
     * NIC's (illumos: a VNIC's MTU defaults to its lower link's). */
    {
        struct vsw_vnic_params vp;

        vsw_vnic_params_get(vsw_vnic_find(w.sw, "v1"), &vp);
        CHECK_EQ(vp.mtu, 1500);
        nic_set(w.m, 17, "eth7", true, 1200);
        vsw_vnic_params_get(vsw_vnic_find(w.sw, "v1"), &vp);
        CHECK_EQ(vp.mtu, 1200);
        vc = vnic("v1", "");
        CHECK_EQ(vsw_mgr_vnic_walk(w.m, false, find_conf, &vc), 1);
        CHECK_EQ(vc.link_mtu, 1200);
        nic_set(w.m, 17, "eth7", true, 1500);
        vsw_vnic_params_get(vsw_vnic_find(w.sw, "v1"), &vp);
        CHECK_EQ(vp.mtu, 1500);
    }
    /* delete -t: the record stays, the attachment goes. */
    CHECK_EQ(vsw_mgr_vnic_delete(w.m, "v1", true, err, sizeof(err)), 0);
    CHECK_EQ(nic_closes, 5);
    CHECK(link_get(w.m, "eth7").found == 1);
    world_down(&w);

    /* The next start: v1 comes back and attaches. */
    nic_world_up(&w);
    nic_set(w.m, 7, "eth7", true, 1500);
    CHECK_EQ(vsw_mgr_restore(w.m, err, sizeof(err)), 2);
    CHECK(vsw_vnic_find(w.sw, "v1") != NULL);
    CHECK_EQ(nic_opens, 6);
    world_down(&w);
    CHECK_EQ(nic_closes, 6);

    /* ... and waits for a NIC that is not there yet. */
    nic_world_up(&w);
    nic_set(w.m, 9, "eth9", true, 1500);
    CHECK_EQ(vsw_mgr_restore(w.m, err, sizeof(err)), 2);
    g = link_get(w.m, "eth7");
    CHECK(g.found == 1 && g.lc.state == VSW_LINK_STATE_UNKNOWN &&
          !(g.lc.flags & VSW_LINK_F_ATTACHED));
    CHECK_EQ(nic_opens, 6);
    nic_set(w.m, 7, "eth7", true, 1500);
    CHECK_EQ(nic_opens, 7);
    CHECK(link_get(w.m, "eth7").lc.flags & VSW_LINK_F_ATTACHED);
    CHECK_EQ(vsw_mgr_vnic_delete(w.m, "v1", false, err, sizeof(err)), 0);
    CHECK_EQ(nic_closes, 7);
    vc = vnic("v1", "eth7");
    CHECK_EQ(vsw_mgr_vnic_create(w.m, &vc, err, sizeof(err)), 0);
    world_down(&w);

    /* Restored over a NIC that refuses to be attached: v1 waits; a
     * client's VNIC tries again, and is refused while the NIC refuses. */
    nic_refuse = 1;
    nic_world_up(&w);
    nic_set(w.m, 7, "eth7", true, 1500);
    CHECK_EQ(vsw_mgr_restore(w.m, err, sizeof(err)), 2); /* stub0, v1 */
    CHECK(vsw_vnic_find(w.sw, "v1") != NULL);
    CHECK(!(link_get(w.m, "eth7").lc.flags & VSW_LINK_F_ATTACHED));
    vc = vnic("v4", "eth7");
    vc.temporary = true;
    CHECK_EQ(vsw_mgr_vnic_create(w.m, &vc, err, sizeof(err)), -EBUSY);
    CHECK(vsw_vnic_find(w.sw, "v4") == NULL &&
          vsw_vnic_find(w.sw, "v1") != NULL);
    nic_refuse = 0;
    CHECK_EQ(vsw_mgr_vnic_create(w.m, &vc, err, sizeof(err)), 0);
    CHECK(link_get(w.m, "eth7").lc.flags & VSW_LINK_F_ATTACHED);
    CHECK_EQ(vsw_mgr_vnic_delete(w.m, "v4", false, err, sizeof(err)), 0);
    CHECK_EQ(vsw_mgr_vnic_delete(w.m, "v1", false, err, sizeof(err)), 0);
    CHECK(vsw_link_find(w.sw, "eth7") == NULL);
    CHECK_EQ(nic_opens, nic_closes);
    world_down(&w);
    unlink(state_path);
}

/* What the owner's carrier op was told. */
static struct {
    int calls;
    bool up;
    char vnic[LP_NAMSIZ];
} told;

static void told_carrier(void *arg, const struct vsw_vnic_conf *vc, bool up)
{
    (void)arg;
    told.calls++;
    told.up = up;
    snprintf(told.vnic, sizeof(told.vnic), "%s", vc->name);
}

static const struct vsw_mgr_owner_ops carrier_owner = {
    .carrier = told_carrier,
};

/* A guest's vif follows its link's carrier as a host TAP does: told when
 * plugged in, on every change of its NIC while plugged in, and when it
 * moves to another link; an etherstub is always up. */
static void test_mgr_vif_carrier(void)
{
    struct vsw_hostnic down = {.ifindex = 7, .admin_up = false,
                               .carrier = true, .mtu = 1500};
    struct vsw_vnic_conf vc;
    struct vsw_link_conf lc;
    struct vsw_port *port;
    struct world w;
    int rc;

    rc = vsw_port_class_register(&nicp_class);
    CHECK(rc == 0 || rc == -EEXIST);
    nic_world_up(&w);
    CHECK(w.m != NULL);
    vsw_mgr_set_owner(w.m, &carrier_owner, NULL);
    memset(&told, 0, sizeof(told));
    nic_set(w.m, 7, "eth7", true, 1500);
    lc = stub("stub0", true);
    CHECK_EQ(vsw_mgr_link_create(w.m, &lc, err, sizeof(err)), 0);
    vc = vnic("xvm5_0", "eth7");
    vc.temporary = true;
    vc.domid = 5;
    CHECK_EQ(vsw_mgr_vnic_create(w.m, &vc, err, sizeof(err)), 0);
    nic_set(w.m, 7, "eth7", false, 1500);
    CHECK_EQ(told.calls, 0); /* no vif yet */

    port = vsw_port_open("testnic", &(struct vsw_port_args){.name = "vif5.0"},
                         test_pool);
    CHECK(port != NULL);
    CHECK_EQ(vsw_mgr_vnic_plug(w.m, "xvm5_0", port, err, sizeof(err)), 0);
    CHECK(told.calls == 1 && !told.up && strcmp(told.vnic, "xvm5_0") == 0);
    nic_set(w.m, 7, "eth7", false, 1500); /* no change, nothing said */
    CHECK_EQ(told.calls, 1);
    nic_set(w.m, 7, "eth7", true, 1500);
    CHECK(told.calls == 2 && told.up);
    snprintf(down.ifname, sizeof(down.ifname), "eth7");
    vsw_mgr_hostnic_set(w.m, &down); /* ip link set eth7 down */
    CHECK(told.calls == 3 && !told.up);
    vsw_mgr_hostnic_del(w.m, 7); /* gone: state unknown, up */
    CHECK(told.calls == 4 && told.up);
    nic_set(w.m, 7, "eth7", false, 1500);
    CHECK(told.calls == 5 && !told.up);

    /* Moved to an etherstub: up, whatever eth7 does. */
    vc = vnic("xvm5_0", "stub0");
    CHECK_EQ(vsw_mgr_vnic_modify(w.m, &vc, VSW_MOD_LINK, true, err,
                                 sizeof(err)), 0);
    CHECK(told.calls == 6 && told.up);
    nic_set(w.m, 7, "eth7", true, 1500);
    nic_set(w.m, 7, "eth7", false, 1500);
    CHECK_EQ(told.calls, 6);
    /* Back over eth7 (no carrier): down. */
    vc = vnic("xvm5_0", "eth7");
    CHECK_EQ(vsw_mgr_vnic_modify(w.m, &vc, VSW_MOD_LINK, true, err,
                                 sizeof(err)), 0);
    CHECK(told.calls == 7 && !told.up);

    /* Unplugged: nothing more to tell. */
    CHECK_EQ(vsw_mgr_vnic_plug(w.m, "xvm5_0", NULL, err, sizeof(err)), 0);
    nic_set(w.m, 7, "eth7", true, 1500);
    CHECK_EQ(told.calls, 7);
    CHECK_EQ(vsw_mgr_vnic_release(w.m, "xvm5_0", err, sizeof(err)), 0);
    vsw_mgr_set_owner(w.m, NULL, NULL);
    world_down(&w);
}

/* A NIC's link's nicmode: the checks of vswitchd, the state file's
 * "nic" line, a dedicated link without its interface. */
static void test_mgr_nicmode(void)
{
    struct vsw_conf_obj o;
    struct vsw_vnic_conf vc;
    struct vsw_link_conf lc;
    struct got_link g;
    char line[128], *state;
    struct world w;
    FILE *f;

    snprintf(line, sizeof(line), "nic eth5 nicmode=dedicated pci=0000:03:00.0");
    CHECK_EQ(vsw_conf_parse_line(line, &o, err, sizeof(err)), 1);
    CHECK(o.cls == VSW_CLASS_PHYS && o.link.flags == VSW_LINK_F_HOSTNIC &&
          o.link.nicmode == VSW_NICMODE_DEDICATED &&
          strcmp(o.link.pci, "0000:03:00.0") == 0);
    CHECK_EQ(vsw_conf_format_nic(&o.link, line, sizeof(line)),
             (int)strlen("nic eth5 nicmode=dedicated pci=0000:03:00.0\n"));
    snprintf(line, sizeof(line), "nic eth5 nicmode=fast");
    CHECK_EQ(vsw_conf_parse_line(line, &o, err, sizeof(err)), -EINVAL);

    snprintf(state_path, sizeof(state_path), "%s/%s", tmpdir,
             VSW_STATE_FILE);
    unlink(state_path);
    nic_world_up(&w);
    nic_set(w.m, 7, "eth7", true, 1500);
    lc = stub("stub0", false);
    CHECK_EQ(vsw_mgr_link_create(w.m, &lc, err, sizeof(err)), 0);

    /* Refused: not a NIC's link, no such link, a bad mode; a NIC that
     * is no PCI device (this one is not even an interface). */
    CHECK_EQ(vsw_mgr_link_set_nicmode(w.m, "stub0", VSW_NICMODE_DEDICATED,
                                      false, err, sizeof(err)), -EOPNOTSUPP);
    CHECK_EQ(vsw_mgr_status(w.m), VSW_ST_NOTNIC);
    CHECK_EQ(vsw_mgr_link_set_nicmode(w.m, "nosuch0", VSW_NICMODE_SHARED,
                                      false, err, sizeof(err)), -ENOENT);
    CHECK_EQ(vsw_mgr_link_set_nicmode(w.m, "eth7", (enum vsw_nicmode)5,
                                      false, err, sizeof(err)), -EINVAL);
    CHECK_EQ(vsw_mgr_link_set_nicmode(w.m, "eth7", VSW_NICMODE_DEDICATED,
                                      false, err, sizeof(err)), -EOPNOTSUPP);
    CHECK_EQ(vsw_mgr_status(w.m), VSW_ST_DEDICATE);
    CHECK(strncmp(err, "cannot dedicate NIC 'eth7': ", 28) == 0);
    g = link_get(w.m, "eth7");
    CHECK(g.found == 1 && g.lc.nicmode == VSW_NICMODE_SHARED);
    state = slurp(state_path);
    CHECK(state && !strstr(state, "nic eth7"));
    CHECK_EQ(vsw_mgr_link_set_nicmode(w.m, "eth7", VSW_NICMODE_SHARED,
                                      false, err, sizeof(err)), 0);
    /* Not while VNICs run over it. */
    vc = vnic("v1", "eth7");
    vc.temporary = true;
    CHECK_EQ(vsw_mgr_vnic_create(w.m, &vc, err, sizeof(err)), 0);
    CHECK_EQ(vsw_mgr_link_set_nicmode(w.m, "eth7", VSW_NICMODE_DEDICATED,
                                      false, err, sizeof(err)), -EBUSY);
    CHECK_EQ(vsw_mgr_status(w.m), VSW_ST_LINKBUSY);
    CHECK_EQ(vsw_mgr_vnic_delete(w.m, "v1", false, err, sizeof(err)), 0);
    world_down(&w);

    /* A dedicated NIC of the state file: listed without its interface,
     * written back; its VNIC is refused while the NIC lacks what it
     * takes; shared again, the record goes. */
    f = fopen(state_path, "w");
    CHECK(f != NULL);
    fputs("# xvnet datalink configuration, written by vswitchd.\n"
          "nic eth5 nicmode=dedicated pci=0000:03:00.0\n", f);
    fclose(f);
    nic_world_up(&w);
    nic_set(w.m, 7, "eth7", true, 1500);
    CHECK_EQ(vsw_mgr_restore(w.m, err, sizeof(err)), 1);
    g = link_get(w.m, "eth5");
    CHECK(g.found == 1 && g.lc.nicmode == VSW_NICMODE_DEDICATED &&
          strcmp(g.lc.pci, "0000:03:00.0") == 0 &&
          g.lc.flags == VSW_LINK_F_HOSTNIC &&
          g.lc.state == VSW_LINK_STATE_UNKNOWN);
    vc = vnic("v1", "eth5");
    CHECK_EQ(vsw_mgr_vnic_create(w.m, &vc, err, sizeof(err)), -EOPNOTSUPP);
    CHECK(vsw_mgr_status(w.m) == VSW_ST_DEDICATE ||
          vsw_mgr_status(w.m) == VSW_ST_NOPCIBUS);
    CHECK(vsw_vnic_find(w.sw, "v1") == NULL &&
          vsw_link_find(w.sw, "eth5") == NULL);
    CHECK(link_get(w.m, "eth5").found == 1);
    lc = stub("stub1", false);
    CHECK_EQ(vsw_mgr_link_create(w.m, &lc, err, sizeof(err)), 0);
    state = slurp(state_path);
    CHECK(state && strstr(state, "nic eth5 nicmode=dedicated "
                                 "pci=0000:03:00.0\n"));
    CHECK_EQ(vsw_mgr_link_set_nicmode(w.m, "eth5", VSW_NICMODE_SHARED,
                                      false, err, sizeof(err)), 0);
    CHECK(link_get(w.m, "eth5").found == 0);
    state = slurp(state_path);
    CHECK(state && !strstr(state, "nic eth5"));
    world_down(&w);
    unlink(state_path);
}

/* Two workers, pinned to CPUs 4 and 6, with the NIC eth7. */
static void cpus_world_up(struct world *w)
{
    static const int cpus[2] = {4, 6};
    struct vsw_switch_params sp = {.pool = test_pool, .workers = 2};
    struct vsw_mgr_params mp = {.pool = test_pool, .state_dir = tmpdir,
                                .nic_port_kind = "testnic",
                                .worker_cpus = cpus};

    w->sw = vsw_switch_create(&sp);
    mp.sw = w->sw;
    w->m = vsw_mgr_create(&mp);
    nic_set(w->m, 7, "eth7", true, 1500);
}

static int persist_calls;

static int count_persist(void *arg, const struct vsw_vnic_conf *vc,
                         uint32_t mods, char *e, size_t elen)
{
    (void)arg, (void)vc, (void)mods, (void)e, (void)elen;
    persist_calls++;
    return 0;
}

static const struct vsw_mgr_owner_ops persist_owner = {
    .persist = count_persist,
};

static int xvmd_gone(void *arg, const struct vsw_vnic_conf *vc,
                     uint32_t mods, char *e, size_t elen)
{
    (void)arg, (void)vc, (void)mods;
    snprintf(e, elen, "xvmd is not running (no answer on x.sock)");
    return -ENOENT;
}

static const struct vsw_mgr_owner_ops gone_owner = {.persist = xvmd_gone};

/* A domain's VNIC: cpus is set with -t only (the domain's record has no
 * cpus, and the owner would have kept nothing); a reset needs no -t. */
static void domain_vnic_cpus(struct world *w)
{
    struct vsw_vnic_conf vc = vnic("xvm5_0", "eth7");
    unsigned before;

    vsw_mgr_set_owner(w->m, &persist_owner, NULL);
    vc.temporary = true;
    vc.domid = 5;
    CHECK_EQ(vsw_mgr_vnic_create(w->m, &vc, err, sizeof(err)), 0);
    before = vsw_vnic_worker(vsw_vnic_find(w->sw, "xvm5_0"));
    vc = vnic("xvm5_0", "eth7");
    vc.has_cpus = true;
    vc.cpus = before ? 4 : 6; /* the other worker's CPU */
    persist_calls = 0;
    CHECK_EQ(vsw_mgr_vnic_modify(w->m, &vc, VSW_MOD_CPUS, false, err,
                                 sizeof(err)), -EOPNOTSUPP);
    CHECK_EQ(vsw_mgr_status(w->m), VSW_ST_DOMCFG);
    CHECK_EQ(persist_calls, 0);
    CHECK_EQ(vsw_vnic_worker(vsw_vnic_find(w->sw, "xvm5_0")), before);
    CHECK_EQ(vsw_mgr_vnic_modify(w->m, &vc, VSW_MOD_CPUS, true, err,
                                 sizeof(err)), 0);
    CHECK_EQ(vsw_vnic_worker(vsw_vnic_find(w->sw, "xvm5_0")), !before);
    vc.has_cpus = false; /* reset-linkprop, as the record has it */
    CHECK_EQ(vsw_mgr_vnic_modify(w->m, &vc, VSW_MOD_CPUS, false, err,
                                 sizeof(err)), 0);
    /* The owner cannot keep a change (xvmd is down): its reason reaches
     * the client after the words of VSW_ST_DOMCFG, nothing changed. */
    vsw_mgr_set_owner(w->m, &gone_owner, NULL);
    vc.maxbw = 20000000;
    CHECK_EQ(vsw_mgr_vnic_modify(w->m, &vc, VSW_MOD_MAXBW, false, err,
                                 sizeof(err)), -ENOENT);
    CHECK_EQ(vsw_mgr_status(w->m), VSW_ST_DOMCFG);
    CHECK(strcmp(err, "cannot change the domain's configuration (try -t): "
                      "xvmd is not running (no answer on x.sock)") == 0);
    {
        struct vsw_vnic_params vp;

        vsw_vnic_params_get(vsw_vnic_find(w->sw, "xvm5_0"), &vp);
        CHECK_EQ(vp.maxbw, 0);
    }
    CHECK_EQ(vsw_mgr_vnic_modify(w->m, &vc, VSW_MOD_MAXBW, true, err,
                                 sizeof(err)), 0);
    CHECK_EQ(vsw_mgr_vnic_release(w->m, "xvm5_0", err, sizeof(err)), 0);
    vsw_mgr_set_owner(w->m, NULL, NULL);
}

/* A NIC's link's cpus: checked, applied to its wire when it has one,
 * kept (with the record) in a "nic" line, back after a restore. */
static void test_mgr_link_cpus(void)
{
    struct vsw_vnic_conf vc;
    struct vsw_link_conf lc;
    struct got_link g;
    char *state;
    struct world w;

    snprintf(state_path, sizeof(state_path), "%s/%s", tmpdir,
             VSW_STATE_FILE);
    unlink(state_path);
    cpus_world_up(&w);
    CHECK_EQ(vsw_mgr_link_set_cpus(w.m, "eth7", true, 5, false, err,
                                   sizeof(err)), -EINVAL);
    CHECK_EQ(vsw_mgr_status(w.m), VSW_ST_CPUS);
    /* An etherstub has no wire to place (a -c line "cpus=6" too). */
    lc = stub("stub0", false);
    lc.has_cpus = true;
    lc.cpus = 6;
    CHECK_EQ(vsw_mgr_link_create(w.m, &lc, err, sizeof(err)), -EINVAL);
    CHECK_EQ(vsw_mgr_status(w.m), VSW_ST_BADVAL);
    CHECK(strstr(err, "no wire") != NULL);
    lc = stub("stub0", false);
    CHECK_EQ(vsw_mgr_link_create(w.m, &lc, err, sizeof(err)), 0);
    CHECK_EQ(vsw_mgr_link_set_cpus(w.m, "stub0", true, 6, false, err,
                                   sizeof(err)), -EINVAL);
    CHECK_EQ(vsw_mgr_link_set_cpus(w.m, "eth7", true, 6, false, err,
                                   sizeof(err)), 0);
    g = link_get(w.m, "eth7");
    CHECK(g.found == 1 && g.lc.has_cpus && g.lc.cpus == 6);
    state = slurp(state_path);
    CHECK(state && strstr(state, "nic eth7 nicmode=shared cpus=6\n"));
    vc = vnic("v1", "eth7");
    vc.temporary = true;
    CHECK_EQ(vsw_mgr_vnic_create(w.m, &vc, err, sizeof(err)), 0);
    CHECK(vsw_link_find(w.sw, "eth7") &&
          vsw_link_worker(vsw_link_find(w.sw, "eth7")) == 1);
    /* -t: running only. */
    CHECK_EQ(vsw_mgr_link_set_cpus(w.m, "eth7", true, 4, true, err,
                                   sizeof(err)), 0);
    CHECK_EQ(vsw_link_worker(vsw_link_find(w.sw, "eth7")), 0);
    state = slurp(state_path);
    CHECK(state && strstr(state, "nic eth7 nicmode=shared cpus=6\n"));
    CHECK_EQ(vsw_mgr_vnic_delete(w.m, "v1", false, err, sizeof(err)), 0);
    world_down(&w);

    cpus_world_up(&w);
    CHECK(vsw_mgr_restore(w.m, err, sizeof(err)) >= 1);
    g = link_get(w.m, "eth7");
    CHECK(g.found == 1 && g.lc.has_cpus && g.lc.cpus == 6);
    vc = vnic("v1", "eth7");
    vc.temporary = true;
    CHECK_EQ(vsw_mgr_vnic_create(w.m, &vc, err, sizeof(err)), 0);
    CHECK(vsw_link_find(w.sw, "eth7") &&
          vsw_link_worker(vsw_link_find(w.sw, "eth7")) == 1);
    CHECK_EQ(vsw_mgr_vnic_delete(w.m, "v1", false, err, sizeof(err)), 0);
    domain_vnic_cpus(&w);
    /* Reset: the record goes. */
    CHECK_EQ(vsw_mgr_link_set_cpus(w.m, "eth7", false, 0, false, err,
                                   sizeof(err)), 0);
    state = slurp(state_path);
    CHECK(state && !strstr(state, "nic eth7"));
    world_down(&w);
    unlink(state_path);
}

static void test_protocol_create(void)
{
    static _Alignas(8) char req[8192];
    static struct replies r;
    struct world w;
    struct vsw_vnic_conf vc;
    struct nlmsghdr *nlh;
    const char *msg;
    struct vsw_link_conf lc = stub("stub0", true);

    world_up(&w);
    CHECK_EQ(vsw_mgr_link_create(w.m, &lc, err, sizeof(err)), 0);

    /* Create: the VNIC as made, then the ack. */
    nlh = vsw_ctl_msg(req, VSW_CMD_VNIC_CREATE, NLM_F_REQUEST | NLM_F_ACK, 7);
    vc = vnic("p1", "stub0");
    vc.vid = 33;
    vc.temporary = true;
    vsw_ctl_put_vnic(nlh, &vc);
    memset(&r, 0, sizeof(r));
    vsw_mgr_handle(w.m, 1, 0, req, nlh->nlmsg_len, collect, &r);
    CHECK_EQ(reply_count(&r), 2);
    if (reply_count(&r) == 2) {
        const struct nlattr *tb[VSW_A_MAX + 1];
        struct vsw_vnic_conf got;

        nlh = (struct nlmsghdr *)reply_nth(&r, 0);
        CHECK_EQ(nlh->nlmsg_type, VSW_CMD_VNIC_GET);
        CHECK_EQ(nlh->nlmsg_seq, 7);
        CHECK_EQ(vsw_ctl_attrs(nlh, tb), 0);
        vsw_vnic_conf_init(&got);
        vsw_ctl_get_vnic(tb, &got, NULL);
        CHECK(strcmp(got.name, "p1") == 0 && got.vid == 33 &&
              lp_mac_valid(got.mac) && got.mac_type == VSW_MAC_RANDOM);
        CHECK(pads_zero(nlh)); /* found by fuzz_vswctl */
        CHECK_EQ(reply_nth(&r, 1)->nlmsg_type, NLMSG_ERROR);
        CHECK_EQ(ack_error(reply_nth(&r, 1), &msg), 0);
    }

    world_down(&w);
}

static void test_protocol_refuse(void)
{
    static _Alignas(8) char req[8192];
    static struct replies r;
    struct world w;
    struct vsw_vnic_conf vc = vnic("p1", "stub0");
    struct nlmsghdr *nlh;
    const char *msg;
    struct vsw_link_conf lc = stub("stub0", true);
    size_t len;

    world_up(&w);
    CHECK_EQ(vsw_mgr_link_create(w.m, &lc, err, sizeof(err)), 0);
    vc.temporary = true;
    CHECK_EQ(vsw_mgr_vnic_create(w.m, &vc, err, sizeof(err)), 0);
    /* The same again: an error with its message.  Two requests in one
     * datagram get two answers. */
    nlh = vsw_ctl_msg(req, VSW_CMD_VNIC_CREATE, NLM_F_REQUEST | NLM_F_ACK, 8);
    vsw_ctl_put_vnic(nlh, &vc);
    len = NLMSG_ALIGN(nlh->nlmsg_len);
    nlh = vsw_ctl_msg(req + len, VSW_CMD_VNIC_DELETE, NLM_F_REQUEST, 9);
    mnl_attr_put_strz(nlh, VSW_A_NAME, "nosuch0");
    len += nlh->nlmsg_len;
    memset(&r, 0, sizeof(r));
    vsw_mgr_handle(w.m, 1, 0, req, len, collect, &r);
    CHECK_EQ(reply_count(&r), 2);
    CHECK_EQ(ack_error(reply_nth(&r, 0), &msg), -EEXIST);
    CHECK(msg && strcmp(msg, "object already exists") == 0);
    CHECK_EQ(ack_error(reply_nth(&r, 1), &msg), -ENOENT);
    CHECK_EQ(reply_nth(&r, 1)->nlmsg_seq, 9);

    /* A VID attribute one byte long: refused whole. */
    nlh = vsw_ctl_msg(req, VSW_CMD_VNIC_CREATE, NLM_F_REQUEST, 10);
    mnl_attr_put_strz(nlh, VSW_A_NAME, "p2");
    mnl_attr_put_strz(nlh, VSW_A_LINK, "stub0");
    mnl_attr_put_u8(nlh, VSW_A_VID, 5);
    memset(&r, 0, sizeof(r));
    vsw_mgr_handle(w.m, 1, 0, req, nlh->nlmsg_len, collect, &r);
    CHECK_EQ(ack_error(reply_nth(&r, 0), &msg), -EINVAL);
    CHECK(vsw_vnic_find(w.sw, "p2") == NULL);
    /* A name without its terminating NUL: refused. */
    nlh = vsw_ctl_msg(req, VSW_CMD_VNIC_DELETE, NLM_F_REQUEST, 11);
    mnl_attr_put(nlh, VSW_A_NAME, 2, "p1");
    memset(&r, 0, sizeof(r));
    vsw_mgr_handle(w.m, 1, 0, req, nlh->nlmsg_len, collect, &r);
    CHECK_EQ(ack_error(reply_nth(&r, 0), &msg), -EINVAL);
    CHECK(vsw_vnic_find(w.sw, "p1") != NULL);
    /* A message 21 bytes long whose name attribute claims the 3 bytes
     * past its end (the padding libmnl would lend it): refused
     * (found by fuzz_vswctl). */
    nlh = vsw_ctl_msg(req, VSW_CMD_VNIC_DELETE, NLM_F_REQUEST, 11);
    mnl_attr_put_strz(nlh, VSW_A_NAME, "p1");
    nlh->nlmsg_len = NLMSG_HDRLEN + 5;
    memset(&r, 0, sizeof(r));
    vsw_mgr_handle(w.m, 1, 0, req, nlh->nlmsg_len, collect, &r);
    CHECK_EQ(ack_error(reply_nth(&r, 0), &msg), -EINVAL);
    CHECK(vsw_vnic_find(w.sw, "p1") != NULL);
    /* Whole attributes, then bytes that make none: refused whole, as
     * xvmd refuses them (the parser both share, xvm/ctlmsg.h). */
    nlh = vsw_ctl_msg(req, VSW_CMD_VNIC_DELETE, NLM_F_REQUEST, 11);
    mnl_attr_put_strz(nlh, VSW_A_NAME, "p1");
    memset((char *)nlh + nlh->nlmsg_len, 0xff, 4);
    nlh->nlmsg_len += 4;
    memset(&r, 0, sizeof(r));
    vsw_mgr_handle(w.m, 1, 0, req, nlh->nlmsg_len, collect, &r);
    CHECK_EQ(ack_error(reply_nth(&r, 0), &msg), -EINVAL);
    CHECK(vsw_vnic_find(w.sw, "p1") != NULL);
    /* Unknown command; and a message that is no request is ignored. */
    nlh = vsw_ctl_msg(req, 0x7f, NLM_F_REQUEST, 12);
    memset(&r, 0, sizeof(r));
    vsw_mgr_handle(w.m, 1, 0, req, nlh->nlmsg_len, collect, &r);
    CHECK_EQ(ack_error(reply_nth(&r, 0), &msg), -EOPNOTSUPP);
    nlh = vsw_ctl_msg(req, VSW_CMD_LINK_GET, 0, 13);
    memset(&r, 0, sizeof(r));
    vsw_mgr_handle(w.m, 1, 0, req, nlh->nlmsg_len, collect, &r);
    CHECK_EQ(r.len, 0);
    /* A length of 2^31 or more: not walked (it ran away, or looped
     * forever at 0xffffffff; found by fuzz_vswctl). */
    nlh = vsw_ctl_msg(req, VSW_CMD_LINK_GET, NLM_F_REQUEST | NLM_F_DUMP, 14);
    nlh->nlmsg_len = 0xffffffff;
    memset(&r, 0, sizeof(r));
    vsw_mgr_handle(w.m, 1, 0, req, NLMSG_HDRLEN, collect, &r);
    CHECK_EQ(r.len, 0);
    nlh->nlmsg_len = 0x80000000;
    vsw_mgr_handle(w.m, 1, 0, req, NLMSG_HDRLEN, collect, &r);
    CHECK_EQ(r.len, 0);
    /* Truncated datagram: nothing happens, nothing breaks. */
    memset(&r, 0, sizeof(r));
    vsw_mgr_handle(w.m, 1, 0, req, 10, collect, &r);
    CHECK_EQ(r.len, 0);
    world_down(&w);
}

/* 1 when p1 has no maxbw (the modify was refused). */
static int maxbw_of_p1(const struct vsw_vnic_conf *vc, struct vsw_vnic *v,
                       void *arg)
{
    (void)v;
    (void)arg;
    return strcmp(vc->name, "p1") == 0 ? (vc->maxbw == 0 ? 1 : 2) : 0;
}

/*
 * A read-only connection (vswitchd's group) runs the GETs and nothing
 * else: every other command is refused with EPERM and VSW_ST_READONLY and
 * changes nothing.
 */
static void test_protocol_readonly(void)
{
    static _Alignas(8) char req[8192];
    static struct replies r;
    static const uint16_t ro[] = {VSW_CMD_LINK_GET, VSW_CMD_VNIC_GET,
                                  VSW_CMD_STATS_GET, VSW_CMD_WORKERS_GET};
    static const uint16_t rw[] = {VSW_CMD_LINK_CREATE, VSW_CMD_LINK_DELETE,
                                  VSW_CMD_VNIC_CREATE, VSW_CMD_VNIC_DELETE,
                                  VSW_CMD_VNIC_MODIFY, VSW_CMD_LINK_RENAME,
                                  VSW_CMD_CAPTURE, VSW_CMD_LINK_MODIFY};
    struct world w;
    struct vsw_vnic_conf vc = vnic("p1", "stub0");
    struct vsw_link_conf lc = stub("stub0", true);
    struct nlmsghdr *nlh;
    const char *msg;
    unsigned i, cmd;

    for (cmd = 0; cmd < 0x100; cmd++) {
        bool want = false;

        for (i = 0; i < sizeof(ro) / sizeof(ro[0]); i++)
            want |= cmd == ro[i];
        CHECK_EQ(vsw_mgr_cmd_readonly((uint16_t)cmd), want);
    }
    /* Every command is one or the other. */
    CHECK_EQ(sizeof(ro) / sizeof(ro[0]) + sizeof(rw) / sizeof(rw[0]),
             VSW_CMD__END - VSW_CMD_LINK_CREATE - 1);
    world_up(&w);
    CHECK_EQ(vsw_mgr_link_create(w.m, &lc, err, sizeof(err)), 0);
    vc.temporary = true;
    CHECK_EQ(vsw_mgr_vnic_create(w.m, &vc, err, sizeof(err)), 0);
    for (i = 0; i < sizeof(ro) / sizeof(ro[0]); i++) {
        nlh = vsw_ctl_msg(req, ro[i], NLM_F_REQUEST | NLM_F_DUMP, 20 + i);
        memset(&r, 0, sizeof(r));
        vsw_mgr_handle(w.m, 1, VSW_MGR_READONLY, req, nlh->nlmsg_len,
                       collect, &r);
        CHECK(reply_count(&r) >= 2);
        CHECK_EQ(reply_nth(&r, reply_count(&r) - 1)->nlmsg_type, NLMSG_DONE);
    }
    for (i = 0; i < sizeof(rw) / sizeof(rw[0]); i++) {
        cmd = rw[i];
        nlh = vsw_ctl_msg(req, (uint16_t)cmd, NLM_F_REQUEST | NLM_F_ACK, cmd);
        mnl_attr_put_strz(nlh, VSW_A_NAME,
                          cmd == VSW_CMD_LINK_DELETE ? "stub0" : "p1");
        mnl_attr_put_strz(nlh, VSW_A_NEWNAME, "p9");
        mnl_attr_put_strz(nlh, VSW_A_LINK, "stub0");
        mnl_attr_put_u64(nlh, VSW_A_MAXBW, 10000000);
        mnl_attr_put_u32(nlh, VSW_A_CAP_DIR, 3);
        mnl_attr_put_u8(nlh, VSW_A_CLASS, VSW_CLASS_ETHERSTUB);
        memset(&r, 0, sizeof(r));
        vsw_mgr_handle(w.m, 1, VSW_MGR_READONLY, req, nlh->nlmsg_len,
                       collect, &r);
        CHECK_EQ(reply_count(&r), 1);
        CHECK_EQ(ack_error(reply_nth(&r, 0), &msg), -EPERM);
        CHECK_EQ(ack_status(reply_nth(&r, 0)), VSW_ST_READONLY);
        CHECK(msg && strstr(msg, "needs root"));
    }
    CHECK(vsw_vnic_find(w.sw, "p1") != NULL);
    CHECK(vsw_vnic_find(w.sw, "p9") == NULL);
    CHECK(vsw_link_find(w.sw, "stub0") != NULL);
    CHECK_EQ(vsw_mgr_vnic_walk(w.m, false, maxbw_of_p1, NULL), 1);
    /* The same request from a full connection goes through. */
    nlh = vsw_ctl_msg(req, VSW_CMD_VNIC_DELETE, NLM_F_REQUEST | NLM_F_ACK, 30);
    mnl_attr_put_strz(nlh, VSW_A_NAME, "p1");
    memset(&r, 0, sizeof(r));
    vsw_mgr_handle(w.m, 1, 0, req, nlh->nlmsg_len, collect, &r);
    CHECK_EQ(ack_error(reply_nth(&r, 0), &msg), 0);
    CHECK(vsw_vnic_find(w.sw, "p1") == NULL);
    world_down(&w);
}

/* ---- through the client library, over a socket ---- */

struct srv {
    int lfd;
    struct vsw_mgr *m;
};

static int sock_send(void *arg, const void *buf, size_t len, const int *fds,
                     unsigned nfds)
{
    ssize_t n = xvm_fd_send(*(int *)arg, buf, len, fds, nfds);

    return n < 0 ? (int)n : 0;
}

static void *serve(void *arg)
{
    struct srv *s = arg;
    static char buf[VSW_CTL_BUFSIZ];
    int fd = accept(s->lfd, NULL, NULL);
    ssize_t n;

    while (fd >= 0 && (n = recv(fd, buf, sizeof(buf), 0)) > 0)
        vsw_mgr_handle(s->m, 1, 0, buf, (size_t)n, sock_send, &fd);
    if (fd >= 0)
        close(fd);
    return NULL;
}

static int count_vc(const struct vsw_vnic_conf *vc, void *arg)
{
    (void)vc;
    (*(int *)arg)++;
    return 0;
}

static int stats_zero(const char *name, enum vsw_class cls,
                      const struct vsw_stats *st, void *arg)
{
    (*(int *)arg) += strcmp(name, "c7") == 0 && cls == VSW_CLASS_VNIC &&
                     st->ipackets == 0 && st->drops[VSW_DROP_SPOOF] == 0;
    return 0;
}

static int link_seen(const struct vsw_link_conf *lc, void *arg)
{
    *(uint32_t *)arg = lc->cls == VSW_CLASS_ETHERSTUB ? lc->nvnics : 9999;
    return 0;
}

static void test_client(void)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    struct srv s;
    struct world w;
    struct vsw_client *c;
    struct vsw_link_conf lc = stub("stub0", true);
    struct vsw_vnic_conf vc, made;
    pthread_t t;
    uint32_t nv = 0;
    int i, n = 0, ok = 0;

    world_up(&w);
    s.m = w.m;
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/ctl.sock", tmpdir);
    s.lfd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    CHECK(bind(s.lfd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
    CHECK(listen(s.lfd, 1) == 0);
    pthread_create(&t, NULL, serve, &s);
    c = vsw_client_open(sa.sun_path);
    CHECK(c != NULL);
    if (!c)
        return;
    CHECK_EQ(vsw_client_link_create(c, &lc), 0);
    for (i = 0; i < 300; i++) {
        vc = vnic("c0", "stub0");
        snprintf(vc.name, sizeof(vc.name), "c%d", i + 1);
        vc.vid = (uint16_t)(i % 50);
        vc.temporary = true;
        ok += vsw_client_vnic_create(c, &vc, &made) == 0 &&
              strcmp(made.name, vc.name) == 0 && lp_mac_valid(made.mac);
    }
    CHECK_EQ(ok, 300);
    CHECK_EQ(vsw_client_vnic_create(c, &vc, NULL), -EEXIST);
    CHECK(strcmp(vsw_client_error(c), "object already exists") == 0);
    /* A dump larger than one datagram. */
    CHECK_EQ(vsw_client_vnic_get(c, NULL, count_vc, &n), 0);
    CHECK_EQ(n, 300);
    n = 0;
    CHECK_EQ(vsw_client_vnic_get(c, "c42", count_vc, &n), 0);
    CHECK_EQ(n, 1);
    CHECK_EQ(vsw_client_vnic_get(c, "c9999", count_vc, &n), -ENOENT);
    n = 0;
    CHECK_EQ(vsw_client_stats_get(c, "c7", stats_zero, &n), 0);
    CHECK_EQ(n, 1);
    n = 0;
    CHECK_EQ(vsw_client_stats_get(c, NULL, stats_zero, &n), 0);
    CHECK_EQ(n, 1);
    CHECK_EQ(vsw_client_link_get(c, "stub0", link_seen, &nv), 0);
    CHECK_EQ(nv, 300);
    vc = vnic("c7", "");
    vc.maxbw = 1200000;
    CHECK_EQ(vsw_client_vnic_modify(c, &vc, VSW_MOD_MAXBW, true), 0);
    {
        struct vsw_vnic_params p;

        vsw_vnic_params_get(vsw_vnic_find(w.sw, "c7"), &p);
        CHECK_EQ(p.maxbw, 1200000);
    }
    CHECK_EQ(vsw_client_vnic_modify(c, &vc, 0, true), -EINVAL);
    CHECK(strcmp(vsw_client_error(c), "no property to change") == 0);
    CHECK_EQ(vsw_client_link_delete(c, "stub0"), -EBUSY);
    for (i = 0; i < 300; i++) {
        char name[16];

        snprintf(name, sizeof(name), "c%d", i + 1);
        ok -= vsw_client_vnic_delete(c, name) == 0;
    }
    CHECK_EQ(ok, 0);
    CHECK_EQ(vsw_client_link_delete(c, "stub0"), 0);
    vsw_client_close(c);
    pthread_join(t, NULL);
    close(s.lfd);
    unlink(sa.sun_path);
    world_down(&w);
}

/* xvm<domid>_<n> is a guest's VNIC's name: a client's request cannot take
 * it (create, etherstub, rename); the domains' owner (a VNIC with a
 * domid) can. */
static void test_mgr_guest_names(void)
{
    struct world w;
    struct vsw_vnic_conf v1, vc;
    struct vsw_link_conf lc;

    mgr_setup(&w, &v1);
    vc = vnic("xvm3_0", "stub0");
    vc.temporary = true;
    CHECK_EQ(vsw_mgr_vnic_create(w.m, &vc, err, sizeof(err)), -EINVAL);
    CHECK_EQ(vsw_mgr_status(w.m), VSW_ST_LINKNAME);
    CHECK(strstr(err, "xvm<domid>_<n>") != NULL);
    lc = stub("xvm3_1", true);
    CHECK_EQ(vsw_mgr_link_create(w.m, &lc, err, sizeof(err)), -EINVAL);
    CHECK_EQ(vsw_mgr_rename(w.m, "v1", "xvm3_2", err, sizeof(err)), -EINVAL);
    CHECK_EQ(vsw_mgr_status(w.m), VSW_ST_LINKNAME);
    CHECK(vsw_vnic_find(w.sw, "v1") != NULL);
    vc = vnic("xvm3_0", "stub0");
    vc.temporary = true;
    vc.domid = 3;
    CHECK_EQ(vsw_mgr_vnic_create(w.m, &vc, err, sizeof(err)), 0);
    /* Other names of the kind stay the administrator's. */
    vc = vnic("xvm3", "stub0");
    vc.temporary = true;
    CHECK_EQ(vsw_mgr_vnic_create(w.m, &vc, err, sizeof(err)), 0);
    world_down(&w);
}

/* modify-vnic -m random on a fixed MAC and -m MAC on a random one: the
 * VNIC takes the type asked for, as create-vnic would. */
static void test_mgr_modify_mac_type(void)
{
    struct world w;
    struct vsw_vnic_conf v1, vc, got;
    uint8_t fixed[6];

    mgr_setup(&w, &v1);
    vc = vnic("v2", "");
    vc.mac_type = VSW_MAC_RANDOM;
    CHECK_EQ(vsw_mgr_vnic_modify(w.m, &vc, VSW_MOD_MAC, false, err,
                                 sizeof(err)), 0);
    got = vnic("v2", "");
    CHECK_EQ(vsw_mgr_vnic_walk(w.m, false, find_conf, &got), 1);
    CHECK_EQ(got.mac_type, VSW_MAC_RANDOM);
    CHECK(lp_mac_valid(got.mac));
    CHECK_EQ(lp_mac_parse("02:00:00:00:00:22", fixed), 0);
    CHECK(memcmp(got.mac, fixed, 6) != 0);
    vc = vnic("v1", "");
    vc.mac_type = VSW_MAC_FIXED;
    CHECK_EQ(lp_mac_parse("02:00:00:00:00:33", vc.mac), 0);
    CHECK_EQ(vsw_mgr_vnic_modify(w.m, &vc, VSW_MOD_MAC, false, err,
                                 sizeof(err)), 0);
    got = vnic("v1", "");
    CHECK_EQ(vsw_mgr_vnic_walk(w.m, false, find_conf, &got), 1);
    CHECK_EQ(got.mac_type, VSW_MAC_FIXED);
    CHECK(memcmp(got.mac, vc.mac, 6) == 0);
    CHECK(strstr(slurp(state_path),
                 "vnic v1 link=stub0 mac=2:0:0:0:0:33 mac-type=fixed"));
    world_down(&w);
}

/* A VNIC lent to a domain: busy while lent, its record and properties
 * kept, persistent changes in its own record, back when released. */
static void test_mgr_lend(void)
{
    struct world w;
    struct vsw_vnic_conf v1, got, vc;
    char *state;

    mgr_setup(&w, &v1);
    CHECK_EQ(vsw_mgr_vnic_lend(w.m, "nope0", 5, "d5", err, sizeof(err)),
             -ENOENT);
    CHECK(strcmp(err, "no such VNIC 'nope0'") == 0);
    CHECK_EQ(vsw_mgr_vnic_lend(w.m, "v1", 0, "", err, sizeof(err)),
             -EINVAL);
    CHECK_EQ(vsw_mgr_vnic_lend(w.m, "v1", 5, "web", err, sizeof(err)), 0);
    /* again for the same domain: found again after a restart */
    CHECK_EQ(vsw_mgr_vnic_lend(w.m, "v1", 5, "web", err, sizeof(err)), 0);
    CHECK_EQ(vsw_mgr_vnic_lend(w.m, "v1", 6, "db", err, sizeof(err)),
             -EBUSY);
    CHECK(strcmp(err, "VNIC 'v1' is in use by domain web (5)") == 0);
    CHECK_EQ(vsw_mgr_status(w.m), VSW_ST_LINKBUSY);
    got = vnic("v1", "");
    CHECK_EQ(vsw_mgr_vnic_walk(w.m, false, find_conf, &got), 1);
    CHECK_EQ(got.domid, 5);
    CHECK(strcmp(got.domain, "web") == 0);
    CHECK(memcmp(got.mac, v1.mac, 6) == 0 && got.vid == 12 &&
          got.maxbw == 20000000);
    CHECK_EQ(vsw_mgr_vnic_delete(w.m, "v1", false, err, sizeof(err)), -EBUSY);
    CHECK_EQ(vsw_mgr_vnic_delete(w.m, "v1", true, err, sizeof(err)), -EBUSY);
    CHECK_EQ(vsw_mgr_rename(w.m, "v1", "v9", err, sizeof(err)), -EBUSY);
    /* its MAC is the guest's now; other changes are its own record's */
    vc = got;
    vc.mac_type = VSW_MAC_FIXED;
    CHECK_EQ(lp_mac_parse("02:00:00:00:00:99", vc.mac), 0);
    CHECK_EQ(vsw_mgr_vnic_modify(w.m, &vc, VSW_MOD_MAC, false, err,
                                 sizeof(err)), -EOPNOTSUPP);
    vc = got;
    vc.maxbw = 30000000;
    CHECK_EQ(vsw_mgr_vnic_modify(w.m, &vc, VSW_MOD_MAXBW, false, err,
                                 sizeof(err)), 0);
    state = slurp(state_path);
    CHECK(state && strstr(state, "maxbw=30M"));
    /* a domain's VNIC cannot be lent */
    vc = vnic("xvm7_0", "stub0");
    vc.temporary = true;
    vc.domid = 7;
    CHECK_EQ(vsw_mgr_vnic_create(w.m, &vc, err, sizeof(err)), 0);
    CHECK_EQ(vsw_mgr_vnic_lend(w.m, "xvm7_0", 5, "web", err, sizeof(err)),
             -EBUSY);
    /* released: given back, not deleted */
    CHECK_EQ(vsw_mgr_vnic_release(w.m, "v1", err, sizeof(err)), 0);
    got = vnic("v1", "");
    CHECK_EQ(vsw_mgr_vnic_walk(w.m, false, find_conf, &got), 1);
    CHECK_EQ(got.domid, 0);
    CHECK(got.domain[0] == '\0' && got.maxbw == 30000000 &&
          memcmp(got.mac, v1.mac, 6) == 0);
    CHECK_EQ(vsw_mgr_vnic_lend(w.m, "v1", 6, "db", err, sizeof(err)), 0);
    CHECK_EQ(vsw_mgr_vnic_release(w.m, "v1", err, sizeof(err)), 0);
    CHECK_EQ(vsw_mgr_vnic_delete(w.m, "v1", false, err, sizeof(err)), 0);
    CHECK_EQ(vsw_mgr_vnic_release(w.m, "xvm7_0", err, sizeof(err)), 0);
    CHECK(vsw_vnic_find(w.sw, "xvm7_0") == NULL);
    world_down(&w);
}

/* The boot configuration's objects are the file's: a change or delete
 * without -t is refused, lent to a domain or not; with -t it is made. */
static void test_mgr_boot_objects(void)
{
    struct world w;
    struct vsw_vnic_conf vc;
    char path[160];
    FILE *f;

    snprintf(path, sizeof(path), "%s/boot.conf", tmpdir);
    f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs("link bs0 class=etherstub\n"
          "vnic bv1 link=bs0 mac=2:8:20:0:0:61 maxbw=20M\n", f);
    fclose(f);
    world_up(&w);
    CHECK_EQ(vsw_mgr_load(w.m, path, false, err, sizeof(err)), 2);
    vc = vnic("bv1", "bs0");
    vc.maxbw = 30000000;
    CHECK_EQ(vsw_mgr_vnic_modify(w.m, &vc, VSW_MOD_MAXBW, false, err,
                                 sizeof(err)), -EPERM);
    CHECK_EQ(vsw_mgr_status(w.m), VSW_ST_BOOTPERSIST);
    CHECK_EQ(vsw_mgr_vnic_delete(w.m, "bv1", false, err, sizeof(err)),
             -EPERM);
    CHECK_EQ(vsw_mgr_vnic_lend(w.m, "bv1", 5, "web", err, sizeof(err)), 0);
    CHECK_EQ(vsw_mgr_vnic_modify(w.m, &vc, VSW_MOD_MAXBW, false, err,
                                 sizeof(err)), -EPERM);
    CHECK_EQ(vsw_mgr_vnic_modify(w.m, &vc, VSW_MOD_MAXBW, true, err,
                                 sizeof(err)), 0);
    CHECK_EQ(vsw_mgr_vnic_release(w.m, "bv1", err, sizeof(err)), 0);
    CHECK_EQ(vsw_mgr_link_delete(w.m, "bs0", false, err, sizeof(err)),
             -EPERM);
    CHECK_EQ(vsw_mgr_vnic_delete(w.m, "bv1", true, err, sizeof(err)), 0);
    CHECK_EQ(vsw_mgr_link_delete(w.m, "bs0", true, err, sizeof(err)), 0);
    world_down(&w);
    unlink(path);
}

int main(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/vsw-ut.%d", (int)getpid());
    if (mkdir(tmpdir, 0700) < 0 || test_eal_init() < 0) {
        fprintf(stderr, "cannot set up (%s)\n", strerror(errno));
        return 1;
    }
    RUN(test_conf_lines);
    RUN(test_mgr_create);
    RUN(test_mgr_refuse);
    RUN(test_mgr_modify_restore);
    RUN(test_mgr_hostnic);
    RUN(test_mgr_nicmode);
    RUN(test_mgr_link_cpus);
    RUN(test_mgr_vif_carrier);
    RUN(test_mgr_lend);
    RUN(test_mgr_boot_objects);
    RUN(test_mgr_modify_mac_type);
    RUN(test_mgr_guest_names);
    RUN(test_protocol_create);
    RUN(test_protocol_refuse);
    RUN(test_protocol_readonly);
    RUN(test_client);
    test_eal_done();
    {
        char cmd[96];

        snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", tmpdir);
    }
    return check_summary();
}
