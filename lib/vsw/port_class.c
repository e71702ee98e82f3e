/* SPDX-License-Identifier: MIT */
/*
 * The registry of port kinds (vsw/port.h), as Open vSwitch registers its
 * netdev classes: the three built in, and up to PORT_CLASSES_MAX more.
 * Registration belongs to start-up, before other threads open ports.
 */
#include <errno.h>
#include <string.h>

#include "vsw/port.h"

#define PORT_CLASSES_MAX 8

static struct vsw_port *ethdev_open(const struct vsw_port_args *a,
                                    struct rte_mempool *pool)
{
    if (!a->devargs) {
        errno = EINVAL;
        return NULL;
    }
    return vsw_port_ethdev_open(a->devargs, pool);
}

static struct vsw_port *tap_open(const struct vsw_port_args *a,
                                 struct rte_mempool *pool)
{
    if (!a->name || !a->mac) {
        errno = EINVAL;
        return NULL;
    }
    return vsw_port_tap_open(a->name, a->mac, pool);
}

static struct vsw_port *vif_open(const struct vsw_port_args *a,
                                 struct rte_mempool *pool)
{
    if (!a->vif) {
        errno = EINVAL;
        return NULL;
    }
    return vsw_port_vif_open(a->vif, pool);
}

static const struct vsw_port_class builtin[] = {
    {.kind = "ethdev", .open = ethdev_open},
    {.kind = "tap", .open = tap_open},
    {.kind = "vif", .open = vif_open},
};
static const struct vsw_port_class *added[PORT_CLASSES_MAX];
static unsigned nadded;

const struct vsw_port_class *vsw_port_class_find(const char *kind)
{
    unsigned i;

    for (i = 0; kind && i < sizeof(builtin) / sizeof(builtin[0]); i++)
        if (strcmp(builtin[i].kind, kind) == 0)
            return &builtin[i];
    for (i = 0; kind && i < nadded; i++)
        if (strcmp(added[i]->kind, kind) == 0)
            return added[i];
    return NULL;
}

int vsw_port_class_register(const struct vsw_port_class *c)
{
    if (!c || !c->kind || !c->open)
        return -EINVAL;
    if (vsw_port_class_find(c->kind))
        return -EEXIST;
    if (nadded == PORT_CLASSES_MAX)
        return -ENOSPC;
    added[nadded++] = c;
    return 0;
}

struct vsw_port *vsw_port_open(const char *kind, const struct vsw_port_args *a,
                               struct rte_mempool *pool)
{
    const struct vsw_port_class *c = vsw_port_class_find(kind);

    if (!c) {
        errno = ENOENT;
        return NULL;
    }
    return c->open(a, pool);
}

int vsw_port_set_mac(struct vsw_port *port, const uint8_t mac[6])
{
    if (!port || !mac)
        return -EINVAL;
    return port->ops->set_mac ? port->ops->set_mac(port, mac) : -EOPNOTSUPP;
}

int vsw_port_set_carrier(struct vsw_port *port, bool up)
{
    if (!port)
        return -EINVAL;
    return port->ops->set_carrier ? port->ops->set_carrier(port, up)
                                  : -EOPNOTSUPP;
}
