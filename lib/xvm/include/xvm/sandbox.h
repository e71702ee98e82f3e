/* SPDX-License-Identifier: MIT */
/*
 * xvm/sandbox.h - the sandbox that a process domain's own processes run
 * in: its init (started by xvm-procdom) and whatever `xvm exec` starts.
 *
 * A sandbox is a set of namespaces (XVM_SANDBOX_NS) made together, so the
 * network namespace belongs to the domain's user namespace and root in
 * the domain can configure its interfaces.  Root in the user namespace is
 * host uid/gid xvm_sandbox_uid(id) and the 65536 ids that follow map the
 * same way: no host file of root, and no other domain's file, belongs to
 * the domain.  Its root filesystem is a private tmpfs holding read-only
 * binds of the system directories (/usr, /etc and the /bin, /sbin, /lib*
 * links or directories) with /etc/shadow and /etc/gshadow masked, a /dev
 * with the harmless devices, its own /proc and /sys, and tmpfs /run and
 * /tmp.  Nothing else of the host is mounted: no /run/xvnet, no state
 * directory, no other domain.
 *
 * Threads: the calls change the calling process (its credentials, mounts,
 * filter); they belong to a single-threaded child that is about to become
 * guest code.
 */
#ifndef XVM_SANDBOX_H
#define XVM_SANDBOX_H

#include "xvm/export.h"

#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Host uid of root in domain 0's sandbox; domain @id adds @id ranges. */
#define XVM_SANDBOX_UID_BASE 100000u
/** Ids mapped per domain (0..65535 inside). */
#define XVM_SANDBOX_UID_RANGE 65536u
/** Highest domain id whose range fits in a 32-bit uid. */
#define XVM_SANDBOX_ID_MAX 65000u

/** The namespaces of a sandbox (clone/unshare/setns flags). */
#define XVM_SANDBOX_NS                                                       \
    (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC |             \
     CLONE_NEWUTS | CLONE_NEWNET | CLONE_NEWCGROUP)

/** Host uid (and gid) that root of domain @id's sandbox is. */
XVN_EXPORT
uint32_t xvm_sandbox_uid(uint32_t id);

/**
 * From outside: map uids and gids 0..65535 of the user namespace of @pid
 * (new, with no map yet) to xvm_sandbox_uid(@id) onward.  The caller is
 * root of the parent namespace.
 * @return 0, -ERANGE (@id > XVM_SANDBOX_ID_MAX) or -errno of the write.
 */
XVN_EXPORT
int xvm_sandbox_map(pid_t pid, uint32_t id);

/**
 * Inside a new user and mount namespace, as its root, in a new PID and
 * network namespace: become its root (the mapped uid), build the root
 * filesystem described above, pivot into it, and set the host name to
 * @hostname.  Mounts nothing of the
 * host beyond the system directories.
 * @return 0 or -errno (the mount or pivot that failed).
 */
XVN_EXPORT
int xvm_sandbox_rootfs(const char *hostname);

/**
 * The last step before guest code runs, inside the sandbox's namespaces:
 * become root of the user namespace (the mapped host uid), with no
 * supplementary groups; set no_new_privs; install the seccomp filter,
 * which fails with EPERM: module loading, kexec, reboot, keyrings, bpf,
 * perf_event_open, userfaultfd, io_uring, swap, accounting, new mounts and
 * pivot_root, new user namespaces (clone3 answers ENOSYS so callers fall
 * back to clone, whose flags the filter can see).  Other architectures'
 * system calls kill the process.
 * @return 0 or -errno.
 */
XVN_EXPORT
int xvm_sandbox_lock(void);

/** One system call a confined process may make (xvm_sandbox_confine()). */
struct xvm_sandbox_syscall {
    const char *name; /**< libseccomp's name of it, e.g. "ioctl" */
    unsigned nargs;   /**< 0: with any arguments; 1: only with its first
                           argument equal to a[0]; 2: and its second to
                           a[1] */
    uint64_t a[2];
};

/**
 * Confine the calling process for good, where it stands: a program that
 * already holds every descriptor it will use (the monitor of a KVM
 * domain, once its VM is made).  Leave every supplementary group, become
 * uid and gid xvm_sandbox_uid(@id) (the first id of domain @id's range,
 * which owns no host file), set no_new_privs, and allow only the @n
 * system calls of @allow: any other kills the process with SIGSYS, as
 * does a call of another architecture.  No namespace is made, nothing is
 * mounted: what keeps files and sockets out of reach is that open, socket,
 * connect and the like are not on the list.  The caller is root (it
 * changes its uid); single-threaded.
 * @return 0, -ERANGE (@id > XVM_SANDBOX_ID_MAX), -EINVAL (a name
 *         libseccomp does not know, @nargs > 2) or -errno.
 */
XVN_EXPORT
int xvm_sandbox_confine(uint32_t id, const struct xvm_sandbox_syscall *allow,
                        unsigned n);

#ifdef __cplusplus
}
#endif

#endif /* XVM_SANDBOX_H */
