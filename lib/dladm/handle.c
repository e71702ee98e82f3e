/* SPDX-License-Identifier: MIT */
/* libdladm: the handle, statuses, names, and object calls (dladm.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dladm/dladm.h"
#include "vswctl/client.h"
#include "vswctl/ctl.h"
#include "xvm/fdpass.h"

struct dl_handle {
    struct vsw_client *c;
    char err[256];
};

static const char *const status_str[DL_STATUS__MAX] = {
    [DL_OK] = "ok",
    [DL_BADARG] = "invalid argument",
    [DL_FAILED] = "operation failed",
    [DL_NOTSUP] = "operation not supported",
    [DL_NOTFOUND] = "object not found",
    [DL_BADVAL] = "invalid value",
    [DL_NOMEM] = "insufficient memory",
    [DL_EXIST] = "object already exists",
    [DL_LINKINVAL] = "invalid link",
    [DL_PROPRDONLY] = "read-only property",
    [DL_MACINVAL] = "invalid MAC address value",
    [DL_MACINUSE] = "MAC address is already in use",
    [DL_VIDINVAL] = "invalid VLAN identifier",
    [DL_MINMAXBW] = "minimum value for maxbw is 1200K",
    [DL_PERSIST_ON_TEMP] = ("can't create persistent object on top of "
                            "temporary object"),
    [DL_LINKBUSY] = "link busy",
    [DL_DENIED] = "permission denied",
    [DL_NOTRUNNING] = "vswitchd is not running",
    [DL_TOOMANY] = "too many values",
    [DL_IOERR] = "I/O error",
    [DL_INACTIVE] = "link is not active (deleted with -t)",
    [DL_LINKNAME] = "invalid link name",
    [DL_BOOTCONF] = "link is in the boot configuration",
    [DL_GUESTMAC] = ("the MAC address of a domain's VNIC is set in the "
                     "domain's configuration (mac=)"),
    [DL_DOMCFG] = "cannot change the domain's configuration (try -t)",
    [DL_TIMEDOUT] = "vswitchd did not answer within 10 s",
    [DL_MTU_LINK] = "mtu is larger than the link's mtu",
    [DL_MTU_VNIC] = "a VNIC over the link has a larger mtu",
    [DL_HOSTNIC] = ("link is a host NIC: it keeps the NIC's name and is "
                    "there while the NIC is"),
    [DL_NICGONE] = "the link's NIC is not present",
    [DL_NEEDROOT] = "permission denied (needs root)",
    [DL_NOTNIC] = "not a host NIC's own link",
    [DL_DEDICATE] = "the NIC lacks what dedicating it takes (see vswitchd's "
                    "log)",
    [DL_NOPCIBUS] = ("vswitchd runs without PCI devices (-P) or without "
                     "hugepages"),
    [DL_MTU_XDP] = ("the link is shared through XDP, which takes an mtu of "
                    "at most 1500 (set it with no VNIC over the link)"),
    [DL_IFEXIST] = "a host interface of that name exists",
    [DL_CPUS] = "no fast-path worker of vswitchd is pinned to that CPU",
    [DL_BOOTPERSIST] = ("link is in vswitchd's boot configuration (-c): "
                        "change it in that file, or use -t"),
    [DL_CONNLOST] = "vswitchd closed the connection (did it stop?)",
};
_Static_assert(XVM_CALL_TIMEOUT_MS == 10000,
               "DL_TIMEDOUT's text names the timeout");

const char *dl_status_str(enum dl_status st)
{
    return (unsigned)st < DL_STATUS__MAX ? status_str[st] : "unknown error";
}

static enum dl_status errno_status(int e)
{
    switch (e) {
    case 0: return DL_OK;
    case ENOENT: return DL_NOTFOUND;
    case EEXIST: return DL_EXIST;
    case EADDRINUSE: return DL_MACINUSE;
    case EBUSY: return DL_LINKBUSY;
    case ENOMEM: return DL_NOMEM;
    case EACCES: case EPERM: return DL_DENIED;
    case EOPNOTSUPP: return DL_NOTSUP;
    case E2BIG: return DL_TOOMANY;
    case ECONNRESET: case EPIPE: return DL_CONNLOST;
    case EPROTO: return DL_IOERR;
    case ETIMEDOUT: case EAGAIN: return DL_TIMEDOUT;
    case EINVAL: return DL_BADARG;
    default: return DL_FAILED;
    }
}

/* vswitchd's code, when it gave one, else its errno, as a status. */
static enum dl_status client_status(struct dl_handle *h, int rc)
{
    static const enum dl_status by_code[VSW_ST__MAX] = {
        [VSW_ST_EXIST] = DL_EXIST,
        [VSW_ST_NOTFOUND] = DL_NOTFOUND,
        [VSW_ST_LINKNAME] = DL_LINKNAME,
        [VSW_ST_LINKINVAL] = DL_LINKINVAL,
        [VSW_ST_MACINVAL] = DL_MACINVAL,
        [VSW_ST_MACINUSE] = DL_MACINUSE,
        [VSW_ST_VIDINVAL] = DL_VIDINVAL,
        [VSW_ST_MINMAXBW] = DL_MINMAXBW,
        [VSW_ST_BADVAL] = DL_BADVAL,
        [VSW_ST_TOOMANY] = DL_TOOMANY,
        [VSW_ST_PERSIST_ON_TEMP] = DL_PERSIST_ON_TEMP,
        [VSW_ST_LINKBUSY] = DL_LINKBUSY,
        [VSW_ST_INACTIVE] = DL_INACTIVE,
        [VSW_ST_BOOTCONF] = DL_BOOTCONF,
        [VSW_ST_GUESTMAC] = DL_GUESTMAC,
        [VSW_ST_DOMCFG] = DL_DOMCFG,
        [VSW_ST_MTU_LINK] = DL_MTU_LINK,
        [VSW_ST_MTU_VNIC] = DL_MTU_VNIC,
        [VSW_ST_HOSTNIC] = DL_HOSTNIC,
        [VSW_ST_NICGONE] = DL_NICGONE,
        [VSW_ST_READONLY] = DL_NEEDROOT,
        [VSW_ST_NOTNIC] = DL_NOTNIC,
        [VSW_ST_DEDICATE] = DL_DEDICATE,
        [VSW_ST_NOPCIBUS] = DL_NOPCIBUS,
        [VSW_ST_MTU_XDP] = DL_MTU_XDP,
        [VSW_ST_IFEXIST] = DL_IFEXIST,
        [VSW_ST_CPUS] = DL_CPUS,
        [VSW_ST_BOOTPERSIST] = DL_BOOTPERSIST,
    };
    enum vsw_status code = vsw_client_status(h->c);

    if (code != VSW_ST_NONE && (unsigned)code < VSW_ST__MAX)
        return by_code[code];
    return errno_status(-rc);
}

/* A failed client call, in libdladm's words: its status, or vswitchd's
 * message where that says the same and more ("link busy: ..."). */
static enum dl_status client_fail(struct dl_handle *h, int rc)
{
    enum dl_status st = client_status(h, rc);
    const char *text = dl_status_str(st), *msg = vsw_client_error(h->c);
    size_t n = strlen(text);

    if (msg && strncmp(msg, text, n) == 0 && msg[n] == ':')
        text = msg;
    snprintf(h->err, sizeof(h->err), "%s", text);
    return st;
}

static enum dl_status done(struct dl_handle *h, int rc)
{
    if (rc < 0)
        return client_fail(h, rc);
    h->err[0] = '\0';
    return DL_OK;
}

enum dl_status dl_open(const char *sock, struct dl_handle **hp)
{
    struct dl_handle *h;
    int e;

    *hp = NULL;
    h = calloc(1, sizeof(*h));
    if (!h)
        return DL_NOMEM;
    h->c = vsw_client_open(sock);
    if (!h->c) {
        e = errno;
        free(h);
        if (e == ENOENT || e == ECONNREFUSED)
            return DL_NOTRUNNING;
        if (e == EAGAIN)
            return DL_TIMEDOUT;
        return e == EACCES || e == EPERM ? DL_DENIED : DL_FAILED;
    }
    *hp = h;
    return DL_OK;
}

void dl_close(struct dl_handle *h)
{
    if (!h)
        return;
    vsw_client_close(h->c);
    free(h);
}

const char *dl_errmsg(const struct dl_handle *h)
{
    return h->err;
}

enum dl_status dl_link_walk(struct dl_handle *h, const char *name,
                            bool persistent, dl_link_cb *cb, void *arg)
{
    return done(h, vsw_client_link_list(h->c, name, persistent, cb, arg));
}

enum dl_status dl_vnic_walk(struct dl_handle *h, const char *name,
                            bool persistent, dl_vnic_cb *cb, void *arg)
{
    return done(h, vsw_client_vnic_list(h->c, name, persistent, cb, arg));
}

enum dl_status dl_stats_walk(struct dl_handle *h, const char *name,
                             dl_stats_cb *cb, void *arg)
{
    return done(h, vsw_client_stats_get(h->c, name, cb, arg));
}

static int class_cb(const struct vsw_link_conf *lc, void *arg)
{
    *(enum vsw_class *)arg = lc->cls;
    return 0;
}

enum vsw_class dl_link_class(struct dl_handle *h, const char *name)
{
    enum vsw_class cls = 0;
    struct vsw_vnic_conf vc;

    if (strlen(name) >= LP_NAMSIZ)
        return 0;
    if (vsw_client_link_get(h->c, name, class_cb, &cls) == 0)
        return cls;
    if (dl_vnic_get(h, name, &vc) == DL_OK)
        return VSW_CLASS_VNIC;
    return 0;
}

static int vnic_class_cb(const struct vsw_vnic_conf *vc, void *arg)
{
    (void)vc;
    *(enum vsw_class *)arg = VSW_CLASS_VNIC;
    return 0;
}

enum vsw_class dl_link_class_persistent(struct dl_handle *h,
                                        const char *name)
{
    enum vsw_class cls = 0;

    if (strlen(name) >= LP_NAMSIZ)
        return 0;
    if (vsw_client_link_list(h->c, name, true, class_cb, &cls) == 0 ||
        vsw_client_vnic_list(h->c, name, true, vnic_class_cb, &cls) == 0)
        return cls;
    return 0;
}

static int vnic_copy(const struct vsw_vnic_conf *vc, void *arg)
{
    *(struct vsw_vnic_conf *)arg = *vc;
    return 0;
}

enum dl_status dl_vnic_get(struct dl_handle *h, const char *name,
                           struct vsw_vnic_conf *vc)
{
    if (strlen(name) >= LP_NAMSIZ)
        return DL_NOTFOUND;
    return done(h, vsw_client_vnic_get(h->c, name, vnic_copy, vc));
}

enum dl_status dl_vnic_create(struct dl_handle *h,
                              const struct vsw_vnic_conf *vc,
                              struct vsw_vnic_conf *made)
{
    return done(h, vsw_client_vnic_create(h->c, vc, made));
}

enum dl_status dl_vnic_delete(struct dl_handle *h, const char *name,
                              bool temporary)
{
    return done(h, temporary ? vsw_client_vnic_deactivate(h->c, name)
                             : vsw_client_vnic_delete(h->c, name));
}

enum dl_status dl_vnic_modify(struct dl_handle *h,
                              const struct vsw_vnic_conf *vc, uint32_t mods,
                              bool temporary)
{
    return done(h, vsw_client_vnic_modify(h->c, vc, mods, temporary));
}

enum dl_status dl_etherstub_create(struct dl_handle *h, const char *name,
                                   bool temporary)
{
    struct vsw_link_conf lc;

    memset(&lc, 0, sizeof(lc));
    if (strlen(name) >= sizeof(lc.name))
        return DL_BADARG;
    strcpy(lc.name, name);
    lc.cls = VSW_CLASS_ETHERSTUB;
    lc.temporary = temporary;
    return done(h, vsw_client_link_create(h->c, &lc));
}

enum dl_status dl_etherstub_delete(struct dl_handle *h, const char *name,
                                   bool temporary)
{
    return done(h, temporary ? vsw_client_link_deactivate(h->c, name)
                             : vsw_client_link_delete(h->c, name));
}

enum dl_status dl_link_rename(struct dl_handle *h, const char *name,
                              const char *newname)
{
    return done(h, vsw_client_link_rename(h->c, name, newname));
}

enum dl_status dl_link_set_mtu(struct dl_handle *h, const char *name,
                               uint16_t mtu, bool temporary)
{
    return done(h, vsw_client_link_set_mtu(h->c, name, mtu, temporary));
}

enum dl_status dl_link_set_cpus(struct dl_handle *h, const char *name,
                                bool has, uint16_t cpu, bool temporary)
{
    return done(h, vsw_client_link_set_cpus(h->c, name, has, cpu, temporary));
}

enum dl_status dl_link_set_nicmode(struct dl_handle *h, const char *name,
                                   enum vsw_nicmode mode, bool temporary)
{
    return done(h, vsw_client_link_set_nicmode(h->c, name, mode, temporary));
}

enum dl_status dl_worker_cpus(struct dl_handle *h, char *buf, size_t len)
{
    uint16_t cpus[VSW_CTL_WORKERS_MAX];
    int n = vsw_client_worker_cpus(h->c, cpus, VSW_CTL_WORKERS_MAX);

    buf[0] = '\0';
    if (n < 0)
        return done(h, n);
    lp_cpus_format(cpus, (unsigned)n, buf, len);
    return done(h, 0);
}

static int link_copy(const struct vsw_link_conf *lc, void *arg)
{
    *(struct vsw_link_conf *)arg = *lc;
    return 0;
}

enum dl_status dl_link_get(struct dl_handle *h, const char *name,
                           struct vsw_link_conf *lc)
{
    if (strlen(name) >= LP_NAMSIZ)
        return DL_NOTFOUND;
    memset(lc, 0, sizeof(*lc));
    return done(h, vsw_client_link_get(h->c, name, link_copy, lc));
}

void dl_stats_diff(struct vsw_stats *d, const struct vsw_stats *now,
                   const struct vsw_stats *prev)
{
    int i;

    d->ipackets = now->ipackets - prev->ipackets;
    d->rbytes = now->rbytes - prev->rbytes;
    d->opackets = now->opackets - prev->opackets;
    d->obytes = now->obytes - prev->obytes;
    d->ierrors = now->ierrors - prev->ierrors;
    d->oerrors = now->oerrors - prev->oerrors;
    for (i = 0; i < VSW_DROP__MAX; i++)
        d->drops[i] = now->drops[i] - prev->drops[i];
}
