/* SPDX-License-Identifier: MIT */
/* minios: the netif frontend (see netfront.h). */
#include "console.h"
#include "evtchn.h"
#include "mm.h"
#include "netfront.h"
#include "netif/netif.h"
#include "xs.h"

#define EINVAL 22
#define ENOMEM 12
#define ETIMEDOUT 110

/* Room for libxnf's device state (xnf_dev_size()). */
static char devmem[64 * 1024] __attribute__((aligned(64)));
static struct xnf_page pages[XNF_PAGES_NEEDED];

static void key(char *out, size_t cap, const char *dir, const char *k)
{
    size_t a = strlen(dir), b = strlen(k);

    if (a + 1 + b + 1 > cap) {
        out[0] = 0;
        return;
    }
    memcpy(out, dir, a);
    out[a] = '/';
    memcpy(out + a + 1, k, b + 1);
}

static int be_state_wait(struct netfront *nf, uint64_t want)
{
    char p[160];
    uint64_t st = 0;

    key(p, sizeof(p), nf->be, "state");
    for (unsigned i = 0; i < 20000; i++) {
        if (xs_read_uint(p, 8, &st) == 0 && st == want)
            return 0;
        evtchn_block(1000000);
    }
    kprintf("minios: %s: backend state %u, waited for %u\n", nf->fe,
            (unsigned)st, (unsigned)want);
    return -ETIMEDOUT;
}

static uint32_t be_features(struct netfront *nf)
{
    const struct netif_feature_key *t = netif_feature_table();
    uint32_t f = 0;
    char p[160], v[8];

    for (unsigned i = 0; i < NETIF_FEATURE_COUNT; i++) {
        if (!t[i].be_key)
            continue;
        key(p, sizeof(p), nf->be, t[i].be_key);
        if (xs_read(p, v, sizeof(v)) == 1 && v[0] == '1')
            f |= t[i].bit;
    }
    return f;
}

static void notify(void *arg)
{
    struct netfront *nf = arg;

    evtchn_send(nf->port);
}

static int write_num(const struct netfront *nf, const char *k, uint32_t v)
{
    char p[96], num[12];
    int i = sizeof(num) - 1;

    num[i] = 0;
    do {
        num[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    key(p, sizeof(p), nf->fe, k);
    return xs_write(p, num + i);
}

static int device_make(struct netfront *nf)
{
    struct xnf_config cfg;

    if (xnf_dev_size() > sizeof(devmem))
        return -ENOMEM;
    for (unsigned i = 0; i < XNF_PAGES_NEEDED; i++) {
        pages[i].va = page_alloc();
        if (!pages[i].va)
            return -ENOMEM;
        pages[i].gfn = mm_gfn(pages[i].va);
    }
    memset(&cfg, 0, sizeof(cfg));
    cfg.gnttab = gnttab_table();
    cfg.gnttab_entries = gnttab_entries();
    cfg.gref_base = XVM_GNTTAB_FIRST_FREE_REF;
    cfg.pages = pages;
    cfg.nr_pages = XNF_PAGES_NEEDED;
    cfg.backend_domid = nf->be_id;
    cfg.notify = notify;
    cfg.notify_arg = nf;
    cfg.want = NETIF_F_RX_NOTIFY;
    nf->dev = xnf_init(devmem, &cfg);
    return nf->dev ? 0 : -EINVAL;
}

/* The frontend's keys, then state Connected (4) last. */
static int publish(struct netfront *nf)
{
    const struct netif_feature_key *t = netif_feature_table();
    uint32_t f = xnf_fe_features(nf->dev) | NETIF_F_RX_COPY |
                 NETIF_F_RX_NOTIFY;
    int rc = write_num(nf, NETIF_KEY_TX_RING_REF, xnf_tx_ring_ref(nf->dev));

    if (rc == 0)
        rc = write_num(nf, NETIF_KEY_RX_RING_REF, xnf_rx_ring_ref(nf->dev));
    if (rc == 0)
        rc = write_num(nf, NETIF_KEY_EVTCHN, nf->port);
    for (unsigned i = 0; rc == 0 && i < NETIF_FEATURE_COUNT; i++)
        if (t[i].fe_key)
            rc = write_num(nf, t[i].fe_key, (f & t[i].bit) != 0);
    if (rc == 0)
        rc = write_num(nf, "state", 4);
    return rc;
}

int netfront_start(struct netfront *nf, unsigned n)
{
    char p[96], mac[24];
    uint64_t id;
    uint32_t bef;
    int rc;

    memset(nf, 0, sizeof(*nf));
    memcpy(nf->fe, "device/vif/", 11);
    nf->fe[11] = (char)('0' + n % 10); /* vifs 0..9 */
    key(p, sizeof(p), nf->fe, "backend");
    rc = xs_read(p, nf->be, sizeof(nf->be));
    key(p, sizeof(p), nf->fe, "backend-id");
    if (rc > 0)
        rc = xs_read_uint(p, DOMID_FIRST_RESERVED - 1, &id);
    key(p, sizeof(p), nf->fe, NETIF_KEY_MAC);
    if (rc == 0)
        rc = xs_read(p, mac, sizeof(mac));
    if (rc > 0)
        rc = netif_mac_parse(mac, nf->mac) ? 0 : -EINVAL;
    if (rc < 0) {
        kprintf("minios: %s: no usable toolstack keys (%d)\n", nf->fe, rc);
        return rc;
    }
    nf->be_id = (domid_t)id;
    rc = be_state_wait(nf, 2); /* InitWait */
    if (rc < 0)
        return rc;
    bef = be_features(nf);
    if (!(bef & NETIF_F_RX_COPY)) {
        kprintf("minios: %s: the backend cannot copy to the guest\n", nf->fe);
        return -EINVAL;
    }
    rc = device_make(nf);
    if (rc < 0) {
        kprintf("minios: %s: cannot make the device (%d)\n", nf->fe, rc);
        return rc;
    }
    rc = evtchn_alloc_unbound(nf->be_id);
    if (rc < 0) {
        kprintf("minios: %s: no event channel (%d)\n", nf->fe, rc);
        return rc;
    }
    nf->port = (uint32_t)rc;
    rc = publish(nf);
    if (rc == 0)
        rc = xnf_connect(nf->dev, bef);
    if (rc == 0)
        rc = be_state_wait(nf, 4);
    if (rc < 0)
        kprintf("minios: %s: cannot connect (%d)\n", nf->fe, rc);
    return rc;
}
