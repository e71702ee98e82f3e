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
 * The monitor of a KVM domain, which holds every descriptor it needs
 * once its VM is made, is confined by the same means, without a user or
 * PID namespace and with an empty root (xvm_sandbox_confine()).
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

/** One condition on an argument of a system call: it holds when
 *  (argument @arg & @mask) == @value. */
struct xvm_sandbox_cmp {
    unsigned arg;   /**< 0 to 5: which argument */
    uint64_t mask;  /**< the bits compared */
    uint64_t value; /**< what they must be */
};

/** Argument @i equals @v (an int or a descriptor: the low 32 bits). */
#define XVM_SANDBOX_EQ32(i, v) { (i), 0xffffffffu, (uint64_t)(v) }
/** Argument @i equals @v (all 64 bits: an ioctl request). */
#define XVM_SANDBOX_EQ(i, v) { (i), ~(uint64_t)0, (uint64_t)(v) }
/** Argument @i has none of the bits @bits. */
#define XVM_SANDBOX_CLEAR(i, bits) { (i), (uint64_t)(bits), 0 }

/** One system call a confined process may make (xvm_sandbox_confine()),
 *  with up to two conditions that must all hold; several entries of one
 *  call allow it when any of them matches. */
struct xvm_sandbox_syscall {
    const char *name; /**< libseccomp's name of it, e.g. "ioctl" */
    unsigned ncmp;    /**< how many of @cmp apply: 0 = any arguments */
    struct xvm_sandbox_cmp cmp[2];
};

/**
 * Confine the calling process for good, where it stands: a program that
 * already holds every descriptor it will use (the monitor of a KVM
 * domain, once its VM is made).  In order:
 *  - new mount, network, IPC, UTS and cgroup namespaces (the cgroup one
 *    rooted where the process is: a domain's cgroup if it was put in
 *    one); its root becomes an empty read-only tmpfs and the host's is
 *    detached, so no path of the host resolves; its network namespace
 *    has only a loopback that is down; its host name is @hostname;
 *  - it leaves every supplementary group and becomes uid and gid
 *    xvm_sandbox_uid(@id) (the first id of domain @id's range, which owns
 *    no host file), with no capability left;
 *  - no_new_privs, and a seccomp filter that allows only the @n system
 *    calls of @allow (as their conditions say): any other kills the
 *    process with SIGSYS, as does a call of another architecture, except
 *    clone3, which answers ENOSYS so that libc falls back to clone, whose
 *    flags the filter can see (xvm_sandbox_thread_calls()).
 * The descriptors it holds keep working: a KVM VM made before runs on.
 * Unlike a process domain's sandbox there is no user or PID namespace:
 * the process is root of the host's until it drops to the domain's uid,
 * and it cannot fork (unless @allow says so).  The caller is root;
 * single-threaded (unshare of a mount namespace needs that): it may make
 * threads afterwards, if @allow has xvm_sandbox_thread_calls().
 * @return 0, -ERANGE (@id > XVM_SANDBOX_ID_MAX), -EINVAL (a name
 *         libseccomp does not know, @ncmp > 2, an argument > 5) or the
 *         -errno of the step that failed.
 */
XVN_EXPORT
int xvm_sandbox_confine(uint32_t id, const char *hostname,
                        const struct xvm_sandbox_syscall *allow, unsigned n);

/** The clone flags of a thread as glibc's pthread_create() makes it: the
 *  only clone xvm_sandbox_thread_calls() allows. */
#define XVM_SANDBOX_CLONE_THREAD                                             \
    (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |      \
     CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID)

/** How many entries xvm_sandbox_thread_calls() fills at most. */
#define XVM_SANDBOX_THREAD_CALLS 10

/**
 * The entries of an allow-list (xvm_sandbox_confine()) that let a
 * confined process make threads with pthread_create(), and let them end
 * and be joined: clone only with exactly XVM_SANDBOX_CLONE_THREAD (a
 * fork, or a clone into new namespaces, still kills), what a new thread
 * sets up (set_robust_list, rseq, rt_sigprocmask, gettid, and the
 * handlers of libc's two internal signals, 32 and 33), mprotect only
 * to PROT_READ|PROT_WRITE or PROT_NONE (a stack's guard page, a
 * thread's malloc arena) and
 * madvise MADV_DONTNEED (a finished thread's stack).  Nothing here makes
 * memory executable or reaches a file.  The caller adds what its threads
 * do and futex (join).
 * @return the count filled in @out.
 */
XVN_EXPORT
unsigned xvm_sandbox_thread_calls(
    struct xvm_sandbox_syscall out[XVM_SANDBOX_THREAD_CALLS]);

#ifdef __cplusplus
}
#endif

#endif /* XVM_SANDBOX_H */
