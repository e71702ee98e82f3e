/* SPDX-License-Identifier: MIT */
/*
 * vswctl/nicdev.h - what handing a host NIC wholly to a DPDK driver
 * (nicmode=dedicated) takes, read from sysfs and procfs, so that dladm
 * can say everything that is missing before it asks vswitchd, and
 * vswitchd checks the same again.  The NIC is named by its interface
 * (while the kernel drives it) or by its PCI address (once it is bound
 * to vfio-pci the interface is gone).
 *
 * Any thread; reads files only.
 */
#ifndef VSWCTL_NICDEV_H
#define VSWCTL_NICDEV_H

#include "xvm/export.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A PCI address "0000:03:00.0" and its NUL. */
#define VSW_PCISIZ 16

/** What a NIC lacks to be dedicated (bits of vsw_nic_dedicated_lacks()). */
enum vsw_ded_lack {
    VSW_DED_NO_NIC = 0x1,       /**< no such interface or PCI device */
    VSW_DED_NOT_PCI = 0x2,      /**< not a PCI device (a virtual one) */
    VSW_DED_NO_HUGEPAGES = 0x4, /**< no hugepages reserved */
    VSW_DED_NO_VFIO = 0x8,      /**< the kernel has no vfio-pci driver */
    VSW_DED_NO_IOMMU = 0x10,    /**< the device is in no IOMMU group, and
                                     vfio's no-IOMMU mode is off */
    VSW_DED_NOT_BOUND = 0x20,   /**< the device is not bound to vfio-pci */
};

/**
 * Look at NIC @ifname (or, when @ifname is NULL or names no interface,
 * PCI device @pci) and say what dedicating it lacks, leaving out the
 * lacks in @ignore (VSW_DED_NOT_BOUND while the NIC is still the
 * kernel's: binding it to vfio-pci takes its interface away).  @pci_out (may be
 * NULL) gets its PCI address, "" if none.  @driver (may be NULL, at
 * least 32 bytes) gets the driver its PCI device is bound to, "" if
 * none.  @why gets the lacks in words, "; "-separated, with the setup
 * step for each (e.g. "no hugepages are reserved (sysctl
 * vm.nr_hugepages=512)"); "" when nothing lacks.
 * @return enum vsw_ded_lack bits; 0: it can be dedicated now.
 */
XVN_EXPORT
uint32_t vsw_nic_dedicated_lacks(const char *ifname, const char *pci,
                                 uint32_t ignore, char pci_out[VSW_PCISIZ],
                                 char *driver, char *why, size_t whylen);

/** Whether @s has the form of a PCI address, DDDD:BB:DD.F (hex). */
XVN_EXPORT
int vsw_pci_addr_ok(const char *s);

#ifdef __cplusplus
}
#endif

#endif /* VSWCTL_NICDEV_H */
