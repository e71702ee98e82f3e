/* SPDX-License-Identifier: MIT */
/*
 * xvm/domcfg.h - domain configuration files.
 *
 * A domain config is xl-style text, one `key = value` per statement:
 *
 *   # web server
 *   name   = "web1"
 *   type   = "process"          # "process" or "kvm"
 *   memory = 256                # MiB
 *   vcpus  = 2
 *   uuid   = "6f2c...-..."      # optional: kept from the first create
 *   vif    = [ "link=phys0,vlan=10,maxbw=100M,mac=auto",
 *              "link=stub0,priority=high" ]
 *   init   = "/etc/xvnet/web1.rc"   # or [ "/sbin/prog", "arg", ... ]
 *   kernel = "/boot/minios.elf"     # type "kvm" only, and required there
 *   xenstore = [ "minios/ip=10.0.0.5", "minios/role=echo" ]
 *
 * Strings are in double quotes (no escapes), numbers are decimal, lists are
 * in [ ] and may span lines, `#` starts a comment.  Each key may appear
 * once; unknown keys are errors.  Per-vif keys, with the values and
 * defaults of linkprop/linkprop.h: link (required, a datalink name, a
 * host NIC's included: lp_ifname_check()), vlan
 * 1-4094 (absent: untagged), maxbw in dladm's syntax (absent: no limit),
 * mac = auto | random | a unicast MAC (absent: auto), priority = low |
 * medium | high (absent: high, as dladm's default), protection and
 * allowed-ips (dladm's values, items separated by spaces), mtu, vifname
 * (a datalink name for the vif's VNIC, unique in the config; absent:
 * xvm<domid>_<n>), queues (1-8, the netif queues the domain's frontend
 * sets up; absent: 1).  xl's spellings are taken too: bridge is link, rate
 * (xl's "10Mb/s", "1MB/s@20ms": bytes B or bits b, with K, M or G, per
 * second, an optional interval that is checked and not kept) is maxbw;
 * what maxbw cannot express (below 1200K, above 1000G) is refused.
 * vnic names an existing VNIC the domain borrows (illumos' zonecfg
 * physical=): it comes alone, the VNIC keeping its own properties, and
 * no two vifs name the same VNIC.  The writer uses the project's
 * spellings (link, maxbw).
 *
 * `init` is the command a process domain runs on every start, once its
 * network interfaces exist: a string is a command line for /bin/sh -c
 * (Docker's "shell form"); a list is the program, an absolute path, and
 * its arguments, run without a shell (libvirt's <init> and <initarg>).
 * Neither may hold a control character other than a tab.
 *
 * `kernel` is the guest kernel of a KVM domain, an absolute path of at
 * most XVM_DOMCFG_KERNEL_MAX bytes without control characters: a kvm
 * domain needs one, a process domain may not have one.  Whether the file
 * is a kernel its monitor accepts is told when the domain starts.
 *
 * `xenstore` is a list of "PATH=VALUE" strings: keys xvmd writes under the
 * domain's xenstore home (/local/domain/<id>/PATH) on every start, the
 * guest's to read (a KVM guest such as minios takes its settings there).
 * PATH is relative: components of [A-Za-z0-9_.-] (not "." or ".."),
 * separated by '/', at most XVM_DOMCFG_XS_PATH_MAX bytes, unique in the
 * list, and not under what xvmd and the devices own (name, domid, vm,
 * device, control, error, console, backend); VALUE is at most
 * XVM_DOMCFG_XS_VALUE_MAX bytes without control characters, empty allowed.
 *
 * xvm_domcfg_format() writes a config back; parsing what it writes gives
 * the same struct xvm_domcfg.
 *
 * The parser is pure: it touches no file but the one it is asked to load,
 * allocates nothing that outlives the call, and is safe on any input.
 * Thread safety: reentrant.
 */
#ifndef XVM_DOMCFG_H
#define XVM_DOMCFG_H

#include "xvm/export.h"

#include <stddef.h>
#include <stdint.h>

#include "linkprop/linkprop.h"
#include "netif/netif.h"

#ifdef __cplusplus
extern "C" {
#endif

#define XVM_DOMCFG_NAME_MAX 63    /**< longest domain name */
#define XVM_DOMCFG_VIFS_MAX 16    /**< most vifs one domain may have */
/** Netif queues a process domain's grant table holds, every vif's
 *  together (xvm-procdom's layout checks it at build time): so at most
 *  this many vifs, each with one queue at least. */
#define XVM_DOMCFG_PROCESS_QUEUES_MAX 3
#define XVM_DOMCFG_MEMORY_MAX 16384 /**< MiB: XVM_MEM_MAX_FRAMES frames */
#define XVM_DOMCFG_VCPUS_MAX 128
#define XVM_DOMCFG_MEMORY_DEFAULT 128 /**< MiB, when `memory` is absent */
#define XVM_DOMCFG_TEXT_MAX 65536 /**< largest config file accepted */
/** Bytes of the init command's strings, each counted with its NUL. */
#define XVM_DOMCFG_INIT_MAX 4096
/** Most strings in an `init = [ ... ]` list (the program included). */
#define XVM_DOMCFG_INIT_ARGS_MAX 64
/** Longest `kernel` path, in bytes. */
#define XVM_DOMCFG_KERNEL_MAX 1023
/** Most entries of `xenstore = [ ... ]`. */
#define XVM_DOMCFG_XS_MAX 32
/** Longest PATH of a `xenstore` entry, in bytes. */
#define XVM_DOMCFG_XS_PATH_MAX 128
/** Longest VALUE of a `xenstore` entry, in bytes. */
#define XVM_DOMCFG_XS_VALUE_MAX 255
/** Bytes of the `xenstore` entries, each PATH and VALUE with its NUL. */
#define XVM_DOMCFG_XS_BYTES 4096

/** Domain kinds. */
enum xvm_domtype {
    XVM_DOMTYPE_PROCESS, /**< a process with its own network namespace */
    XVM_DOMTYPE_KVM,     /**< a KVM virtual machine (its monitor xvm-kvm) */
};

/** How a vif gets its MAC address. */
enum xvm_mac_kind {
    XVM_MAC_AUTO,   /**< chosen by the toolstack (xVM: factory-like) */
    XVM_MAC_RANDOM, /**< random, locally administered */
    XVM_MAC_FIXED,  /**< the address in xvm_vifcfg.mac */
};

/** How the `init` key was given. */
enum xvm_init_kind {
    XVM_INIT_NONE,  /**< no init command */
    XVM_INIT_SHELL, /**< a string: a command line for /bin/sh -c */
    XVM_INIT_EXEC,  /**< a list: an absolute program path and arguments */
};

/** One `vif = [ ... ]` entry. */
struct xvm_vifcfg {
    char link[LP_NAMSIZ];       /**< datalink the VNIC goes on */
    uint16_t vlan;              /**< 1..LP_VID_MAX, or LP_VID_NONE */
    uint64_t maxbw;             /**< bits/s, or LP_MAXBW_NONE */
    enum xvm_mac_kind mac_kind;
    uint8_t mac[6];             /**< valid when mac_kind is XVM_MAC_FIXED */
    enum lp_priority priority;  /**< default LP_PRIO_DEFAULT */
    uint32_t protection;        /**< enum lp_protection bits, default 0 */
    uint16_t mtu;               /**< 0: the default, LP_MTU_DEFAULT */
    uint8_t nips;               /**< allowed-ips entries in @ips */
    struct lp_ipnet ips[LP_IPS_MAX];
    /** vnic=: an existing VNIC the domain borrows while it runs (its
     *  properties are the VNIC's: no other key is given); "" none. */
    char vnic[LP_NAMSIZ];
    /** vifname=: the name of the VNIC made for the vif; "" for
     *  xvm<domid>_<n>. */
    char vifname[LP_NAMSIZ];
    /** queues=: netif queues the domain's frontend sets up, 1..8 (as
     *  many as the backend takes of them); 0: not given (one). */
    uint8_t queues;
    /** cpus=: the CPUs a process domain's pump threads run on, queue i on
     *  cpus[i % ncpus]; ncpus 0: not given (the scheduler places them). */
    uint8_t ncpus;
    uint16_t cpus[NETIF_QUEUES_MAX];
};

/** A parsed domain config. */
struct xvm_domcfg {
    char name[XVM_DOMCFG_NAME_MAX + 1];
    enum xvm_domtype type; /**< default XVM_DOMTYPE_PROCESS */
    uint32_t memory_mib;   /**< default XVM_DOMCFG_MEMORY_DEFAULT */
    uint32_t vcpus;        /**< default 1 */
    int has_uuid;          /**< 1 if `uuid` was given */
    uint8_t uuid[16];
    unsigned nr_vifs;
    struct xvm_vifcfg vifs[XVM_DOMCFG_VIFS_MAX];
    enum xvm_init_kind init_kind; /**< default XVM_INIT_NONE */
    unsigned init_argc; /**< strings in @init (1 for XVM_INIT_SHELL) */
    /** The init strings one after another, each ending in a NUL; the
     *  bytes after the last one are 0. */
    char init[XVM_DOMCFG_INIT_MAX];
    /** kvm domains: the guest kernel, an absolute path; "" for none. */
    char kernel[XVM_DOMCFG_KERNEL_MAX + 1];
    unsigned nr_xs; /**< `xenstore` entries in @xs */
    /** The `xenstore` entries, each PATH then VALUE, both ending in a NUL,
     *  one after another; the bytes after the last one are 0. */
    char xs[XVM_DOMCFG_XS_BYTES];
};

/**
 * Parse config text.
 *
 * @param text   the config, @len bytes (need not be NUL-terminated)
 * @param fname  file name used in error messages, not NULL
 * @param cfg    filled on success; undefined on failure
 * @param err    on failure, receives "FILE:LINE: KEY: what is wrong"
 *               (or "FILE:LINE: what is wrong" when no key applies),
 *               truncated to @errlen; may be NULL if @errlen is 0
 * @return 0, or -EINVAL (bad config), -E2BIG (@len > XVM_DOMCFG_TEXT_MAX).
 */
XVN_EXPORT
int xvm_domcfg_parse(const char *text, size_t len, const char *fname,
                     struct xvm_domcfg *cfg, char *err, size_t errlen);

/**
 * Read the file at @path and parse it as xvm_domcfg_parse() does, naming it
 * @path in messages.
 * @return 0, -EINVAL, -E2BIG, or the -errno of open/read (with a message).
 */
XVN_EXPORT
int xvm_domcfg_load(const char *path, struct xvm_domcfg *cfg, char *err,
                    size_t errlen);

/**
 * Write @cfg as config text that xvm_domcfg_parse() reads back as @cfg:
 * name, uuid (when has_uuid), type, memory, vcpus, kernel and init (when
 * set), the xenstore entries and the vifs, one statement a line, MACs in
 * the canonical form.
 * @return the length written (without the NUL), or -E2BIG when it does
 *         not fit in @len bytes.
 */
XVN_EXPORT
int xvm_domcfg_format(const struct xvm_domcfg *cfg, char *buf, size_t len);

/** Room for a vif's cpus= as text (xvm_vifcfg_cpus_str()). */
#define XVM_VIFCFG_CPUS_STRLEN (NETIF_QUEUES_MAX * 5)

/**
 * A vif's cpus= as its config writes it, the CPUs separated by spaces
 * ("1 0"; "" when it has none), into @buf of XVM_VIFCFG_CPUS_STRLEN bytes.
 * @return @buf.
 */
XVN_EXPORT
char *xvm_vifcfg_cpus_str(const struct xvm_vifcfg *vif, char *buf);

/**
 * Apply the `key=value,...` items of @spec (@len bytes, the syntax of one
 * entry of `vif = [ ... ]`) to @vif, which keeps every key @spec does not
 * name.  Keys: link, vlan (0: untagged), maxbw (none: no limit), mac,
 * priority, protection and allowed-ips (lists separated by spaces), mtu,
 * and xl's bridge and rate.  A vif with vnic= takes no change (its VNIC
 * keeps its own properties).
 * @return 0, or -EINVAL with "KEY: what is wrong" in @err (@vif is then
 *         unchanged).
 */
XVN_EXPORT
int xvm_vifcfg_update(struct xvm_vifcfg *vif, const char *spec, size_t len,
                      char *err, size_t errlen);

/**
 * The argument vector that runs @cfg's init command: the list of an
 * XVM_INIT_EXEC init, or "/bin/sh", "-c" and the string of an
 * XVM_INIT_SHELL one, then a NULL.  The strings are @cfg's (or static).
 * @param argv  room for @max pointers; XVM_DOMCFG_INIT_ARGS_MAX + 1 is
 *              always enough
 * @return the count of arguments (0: no init command, argv[0] is NULL),
 *         or -E2BIG when @max is too small.
 */
XVN_EXPORT
int xvm_domcfg_init_argv(const struct xvm_domcfg *cfg, const char **argv,
                         unsigned max);

/** 1 if @name is a valid domain name ([A-Za-z0-9_.-], 1-63 chars). */
XVN_EXPORT
int xvm_domcfg_name_ok(const char *name);
/** 1 if @name reads as neither a domain id (all digits) nor a UUID: xvm
 *  takes a domain by any of the three, so a new domain must have such a
 *  name (records of older releases may not, and still load). */
XVN_EXPORT
int xvm_domcfg_name_plain(const char *name);

/**
 * Parse a UUID in its 36-character text form (8-4-4-4-12 hex digits).
 * @return 0, or -EINVAL.
 */
XVN_EXPORT
int xvm_uuid_parse(const char *s, uint8_t uuid[16]);

/** Format @uuid into @buf (at least 37 bytes), lowercase. */
XVN_EXPORT
void xvm_uuid_format(const uint8_t uuid[16], char buf[37]);

/** Text for a domain type ("process", "kvm"). */
XVN_EXPORT
const char *xvm_domtype_str(enum xvm_domtype type);

#ifdef __cplusplus
}
#endif

#endif /* XVM_DOMCFG_H */
