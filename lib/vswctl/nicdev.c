/* SPDX-License-Identifier: MIT */
/* What dedicating a host NIC to a DPDK driver takes (vswctl/nicdev.h). */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vswctl/nicdev.h"

int vsw_pci_addr_ok(const char *s)
{
    static const char form[] = "xxxx:xx:xx.x";
    size_t i;

    if (!s || strlen(s) != sizeof(form) - 1)
        return 0;
    for (i = 0; form[i]; i++)
        if (form[i] == 'x' ? !isxdigit((unsigned char)s[i])
                           : s[i] != form[i])
            return 0;
    return 1;
}

/* The last element of the symbolic link @path into @buf, or "". */
static void link_base(const char *path, char *buf, size_t len)
{
    char target[PATH_MAX];
    ssize_t n = readlink(path, target, sizeof(target) - 1);
    const char *b;

    buf[0] = '\0';
    if (n <= 0)
        return;
    target[n] = '\0';
    b = strrchr(target, '/');
    b = b ? b + 1 : target;
    if (strlen(b) < len)
        memcpy(buf, b, strlen(b) + 1);
}

/* Hugepages reserved, of any size (what the EAL can map). */
static unsigned long hugepages_total(void)
{
    DIR *d = opendir("/sys/kernel/mm/hugepages");
    unsigned long total = 0;
    struct dirent *e;

    if (!d)
        return 0;
    while ((e = readdir(d)) != NULL) {
        char path[PATH_MAX], buf[32];
        FILE *f;

        if (strncmp(e->d_name, "hugepages-", 10) != 0)
            continue;
        snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/%s/nr_hugepages",
                 e->d_name);
        f = fopen(path, "re");
        if (!f)
            continue;
        if (fgets(buf, sizeof(buf), f))
            total += strtoul(buf, NULL, 10);
        fclose(f);
    }
    closedir(d);
    return total;
}

static bool exists(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0;
}

static bool noiommu_on(void)
{
    FILE *f = fopen("/sys/module/vfio/parameters/enable_unsafe_noiommu_mode",
                    "re");
    int c = f ? fgetc(f) : EOF;

    if (f)
        fclose(f);
    return c == 'Y' || c == 'y' || c == '1';
}

static void add(char *why, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void add(char *why, size_t len, const char *fmt, ...)
{
    size_t have = strlen(why);
    va_list ap;

    if (have && have + 2 < len) {
        memcpy(why + have, "; ", 3);
        have += 2;
    }
    if (have >= len)
        return;
    va_start(ap, fmt);
    vsnprintf(why + have, len - have, fmt, ap);
    va_end(ap);
}

uint32_t vsw_nic_dedicated_lacks(const char *ifname, const char *pci,
                                 uint32_t ignore, char pci_out[VSW_PCISIZ],
                                 char *driver, char *why, size_t whylen)
{
    char path[PATH_MAX], addr[VSW_PCISIZ] = "", drv[32] = "", sub[64];
    uint32_t lacks = 0;

    why[0] = '\0';
    if (ifname && ifname[0]) {
        snprintf(path, sizeof(path), "/sys/class/net/%s", ifname);
        if (exists(path)) {
            /* A PCI NIC's device link leads into the PCI bus. */
            snprintf(path, sizeof(path), "/sys/class/net/%s/device/subsystem",
                     ifname);
            link_base(path, sub, sizeof(sub));
            snprintf(path, sizeof(path), "/sys/class/net/%s/device", ifname);
            if (strcmp(sub, "pci") == 0)
                link_base(path, addr, sizeof(addr));
            if (!vsw_pci_addr_ok(addr)) {
                addr[0] = '\0';
                lacks |= VSW_DED_NOT_PCI;
                add(why, whylen, "%s is not a PCI device (%s)", ifname,
                    sub[0] ? sub : "a virtual interface");
            }
        } else if (!pci || !pci[0]) {
            lacks |= VSW_DED_NO_NIC;
            add(why, whylen, "no interface %s", ifname);
        }
    }
    if (!addr[0] && pci && vsw_pci_addr_ok(pci) && !(lacks & VSW_DED_NOT_PCI)) {
        snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", pci);
        if (exists(path)) {
            snprintf(addr, sizeof(addr), "%s", pci);
        } else {
            lacks |= VSW_DED_NO_NIC;
            add(why, whylen, "no PCI device %s", pci);
        }
    }
    if (!(lacks & (VSW_DED_NO_NIC | VSW_DED_NOT_PCI)) && !addr[0]) {
        lacks |= VSW_DED_NO_NIC;
        add(why, whylen, "no NIC named");
    }
    if (addr[0]) {
        snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", addr);
        link_base(path, drv, sizeof(drv));
        snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group",
                 addr);
        if (!exists(path) && !noiommu_on() &&
            !(ignore & VSW_DED_NO_IOMMU)) {
            lacks |= VSW_DED_NO_IOMMU;
            add(why, whylen, "PCI device %s is in no IOMMU group (boot with "
                "intel_iommu=on or amd_iommu=on)", addr);
        }
    }
    if (hugepages_total() == 0 && !(ignore & VSW_DED_NO_HUGEPAGES)) {
        lacks |= VSW_DED_NO_HUGEPAGES;
        add(why, whylen, "no hugepages are reserved (sysctl "
            "vm.nr_hugepages=512)");
    }
    if (!exists("/sys/bus/pci/drivers/vfio-pci") &&
        !(ignore & VSW_DED_NO_VFIO)) {
        lacks |= VSW_DED_NO_VFIO;
        add(why, whylen, "the kernel has no vfio-pci driver (modprobe "
            "vfio-pci)");
    }
    if (addr[0] && strcmp(drv, "vfio-pci") != 0 &&
        !(ignore & VSW_DED_NOT_BOUND)) {
        lacks |= VSW_DED_NOT_BOUND;
        add(why, whylen, "PCI device %s is %s%s, not to vfio-pci "
            "(driverctl set-override %s vfio-pci)", addr,
            drv[0] ? "bound to " : "bound to no driver", drv, addr);
    }
    if (pci_out)
        snprintf(pci_out, VSW_PCISIZ, "%s", addr);
    if (driver)
        snprintf(driver, 32, "%s", drv);
    return lacks;
}
