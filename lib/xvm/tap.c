/* SPDX-License-Identifier: MIT */
/* The TAP devices of domains' NICs and host VNICs (xvm/tap.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "xvm/tap.h"

int xvm_tap_open(const char *ifname, unsigned flags)
{
    int oflags = O_RDWR | O_CLOEXEC;
    struct ifreq ifr;
    int fd, rc;

    if (!ifname || !*ifname || strlen(ifname) >= sizeof(ifr.ifr_name))
        return -EINVAL;
    if (flags & XVM_TAP_NONBLOCK)
        oflags |= O_NONBLOCK;
    fd = open("/dev/net/tun", oflags);
    if (fd < 0)
        return -errno;
    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
    if (flags & XVM_TAP_EXCL)
        ifr.ifr_flags |= IFF_TUN_EXCL;
    if (flags & XVM_TAP_MULTI_QUEUE)
        ifr.ifr_flags |= IFF_MULTI_QUEUE;
    memcpy(ifr.ifr_name, ifname, strlen(ifname));
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        /* IFF_TUN_EXCL answers EBUSY for a device that exists. */
        rc = errno == EBUSY && (flags & XVM_TAP_EXCL) ? -EEXIST : -errno;
        close(fd);
        return rc;
    }
    return fd;
}

int xvm_tap_vnet(int fd, int hdr_len, unsigned long offloads)
{
    if (ioctl(fd, TUNSETVNETHDRSZ, &hdr_len) < 0 ||
        ioctl(fd, TUNSETOFFLOAD, offloads) < 0)
        return -errno;
    return 0;
}

int xvm_tap_set_carrier(int fd, bool up)
{
    unsigned int on = up;

    return ioctl(fd, TUNSETCARRIER, &on) < 0 ? -errno : 0;
}

int xvm_tap_set_persist(int fd, bool on)
{
    return ioctl(fd, TUNSETPERSIST, (unsigned long)on) < 0 ? -errno : 0;
}
