/* SPDX-License-Identifier: MIT */
/*
 * The sandbox of process domains (xvm/sandbox.h): id maps, the root
 * filesystem, and the lock (credentials, no_new_privs, seccomp); and the
 * confinement of a program that holds what it needs (namespaces, an
 * empty root, an allow-list).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <grp.h>

#include "xvm/daemon.h"
#include "xvm/sandbox.h"

/* Where the new root is built, in the sandbox's own mount namespace. */
#define STAGE "/tmp"

uint32_t xvm_sandbox_uid(uint32_t id)
{
    return XVM_SANDBOX_UID_BASE + id * XVM_SANDBOX_UID_RANGE;
}

static int proc_write(pid_t pid, const char *file, const char *text)
{
    char path[64];

    snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
    return xvm_file_put(AT_FDCWD, path, text);
}

int xvm_sandbox_map(pid_t pid, uint32_t id)
{
    char map[64];
    int rc;

    if (id > XVM_SANDBOX_ID_MAX)
        return -ERANGE;
    snprintf(map, sizeof(map), "0 %u %u\n", xvm_sandbox_uid(id),
             XVM_SANDBOX_UID_RANGE);
    rc = proc_write(pid, "uid_map", map);
    return rc < 0 ? rc : proc_write(pid, "gid_map", map);
}

/*
 * Bind @src read-only at STAGE@src.  A remount must keep the flags that
 * the host's mount locks (nosuid, nodev, noexec, atime), or it is refused.
 */
static int bind_ro(const char *src)
{
    static const struct {
        unsigned long st, ms;
    } keep[] = {
        {ST_NOSUID, MS_NOSUID},         {ST_NODEV, MS_NODEV},
        {ST_NOEXEC, MS_NOEXEC},         {ST_NOATIME, MS_NOATIME},
        {ST_NODIRATIME, MS_NODIRATIME}, {ST_RELATIME, MS_RELATIME},
    };
    unsigned long flags = MS_REMOUNT | MS_BIND | MS_RDONLY;
    char dst[PATH_MAX];
    struct statvfs sv;
    size_t i;

    snprintf(dst, sizeof(dst), STAGE "%s", src);
    if (mount(src, dst, NULL, MS_BIND | MS_REC, NULL) < 0)
        return -errno;
    if (statvfs(dst, &sv) < 0)
        return -errno;
    for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
        if (sv.f_flag & keep[i].st)
            flags |= keep[i].ms;
    return mount(NULL, dst, NULL, flags, NULL) < 0 ? -errno : 0;
}

/* /@name of the host in the new root: the same link, or a read-only bind
 * of the directory; nothing if the host has none. */
static int system_dir(const char *name)
{
    char src[64], dst[PATH_MAX], link[PATH_MAX];
    struct stat st;
    ssize_t n;

    snprintf(src, sizeof(src), "/%s", name);
    snprintf(dst, sizeof(dst), STAGE "/%s", name);
    if (lstat(src, &st) < 0)
        return errno == ENOENT ? 0 : -errno;
    if (S_ISLNK(st.st_mode)) {
        n = readlink(src, link, sizeof(link) - 1);
        if (n < 0)
            return -errno;
        link[n] = '\0';
        return symlink(link, dst) < 0 ? -errno : 0;
    }
    if (!S_ISDIR(st.st_mode))
        return 0;
    if (mkdir(dst, 0755) < 0)
        return -errno;
    return bind_ro(src);
}

/* Hide @file of the new /etc behind an empty unreadable file. */
static int mask(const char *file)
{
    char dst[PATH_MAX];

    snprintf(dst, sizeof(dst), STAGE "%s", file);
    if (access(dst, F_OK) < 0)
        return 0;
    if (mount(STAGE "/.masked", dst, NULL, MS_BIND, NULL) < 0)
        return -errno;
    return mount(NULL, dst, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0
               ? -errno
               : 0;
}

static int tmpfs(const char *dir, const char *opts)
{
    char dst[PATH_MAX];

    snprintf(dst, sizeof(dst), STAGE "%s", dir);
    if (mkdir(dst, 0755) < 0 && errno != EEXIST)
        return -errno;
    return mount("tmpfs", dst, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0
               ? -errno
               : 0;
}

/* /dev: a tmpfs with the host's harmless character devices bound in. */
static int dev_populate(void)
{
    static const char *const devs[] = {"null", "zero", "full", "random",
                                       "urandom", "tty"};
    static const char *const links[][2] = {
        {"/proc/self/fd", "fd"},     {"/proc/self/fd/0", "stdin"},
        {"/proc/self/fd/1", "stdout"}, {"/proc/self/fd/2", "stderr"},
        {"pts/ptmx", "ptmx"},
    };
    char src[64], dst[PATH_MAX];
    size_t i;
    int fd;

    if (mount("tmpfs", STAGE "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC,
              "mode=0755,size=64k") < 0)
        return -errno;
    for (i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
        snprintf(src, sizeof(src), "/dev/%s", devs[i]);
        snprintf(dst, sizeof(dst), STAGE "/dev/%s", devs[i]);
        fd = open(dst, O_CREAT | O_WRONLY | O_CLOEXEC, 0666);
        if (fd < 0)
            return -errno;
        close(fd);
        if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
            return -errno;
    }
    for (i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
        snprintf(dst, sizeof(dst), STAGE "/dev/%s", links[i][1]);
        if (symlink(links[i][0], dst) < 0)
            return -errno;
    }
    /* The domain's console (our stdin, a pty of dom0's devpts, which the
     * domain does not see) as /dev/console, as container runtimes give
     * it: so ttyname() and tty(1) name it.  Without one, no node.  The
     * bind is from its path: the fd's own mount is of the namespace it
     * was opened in, not ours. */
    if (isatty(0) && ttyname_r(0, src, sizeof(src)) == 0) {
        fd = open(STAGE "/dev/console", O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
        if (fd < 0)
            return -errno;
        close(fd);
        if (mount(src, STAGE "/dev/console", NULL, MS_BIND, NULL) < 0)
            return -errno;
    }
    if (mkdir(STAGE "/dev/pts", 0755) < 0 || mkdir(STAGE "/dev/shm", 0755) < 0)
        return -errno;
    if (mount("devpts", STAGE "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
              "newinstance,ptmxmode=0666,mode=0620") < 0)
        return -errno;
    return tmpfs("/dev/shm", "mode=1777,size=16m");
}

static int root_build(void)
{
    static const char *const sysdirs[] = {"usr", "etc",   "bin",  "sbin",
                                          "lib", "lib32", "lib64", "libx32"};
    static const char *const secrets[] = {"/etc/shadow", "/etc/gshadow",
                                          "/etc/shadow-", "/etc/gshadow-"};
    size_t i;
    int fd, rc;

    if (mount("xvm-root", STAGE, "tmpfs", MS_NOSUID | MS_NODEV,
              "mode=0755,size=1m") < 0)
        return -errno;
    for (i = 0; i < sizeof(sysdirs) / sizeof(sysdirs[0]); i++) {
        rc = system_dir(sysdirs[i]);
        if (rc < 0)
            return rc;
    }
    fd = open(STAGE "/.masked", O_CREAT | O_WRONLY | O_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    close(fd);
    for (i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
        rc = mask(secrets[i]);
        if (rc < 0)
            return rc;
    }
    if (mkdir(STAGE "/dev", 0755) < 0 || mkdir(STAGE "/proc", 0555) < 0 ||
        mkdir(STAGE "/sys", 0555) < 0 || mkdir(STAGE "/root", 0700) < 0 ||
        mkdir(STAGE "/var", 0755) < 0)
        return -errno;
    rc = dev_populate();
    if (rc == 0)
        rc = tmpfs("/run", "mode=0755,size=16m");
    if (rc == 0)
        rc = tmpfs("/tmp", "mode=1777,size=64m");
    if (rc == 0)
        rc = tmpfs("/var/tmp", "mode=1777,size=16m");
    if (rc < 0)
        return rc;
    if (mount("proc", STAGE "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
              NULL) < 0 ||
        mount("sysfs", STAGE "/sys", "sysfs",
              MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, NULL) < 0)
        return -errno;
    return 0;
}

/* Become root of the user namespace: files we make need a mapped owner. */
static int become_root(void)
{
    if (setgroups(0, NULL) < 0 || setresgid(0, 0, 0) < 0 ||
        setresuid(0, 0, 0) < 0)
        return -errno;
    return 0;
}

/* Make the tmpfs built at STAGE the root (read-only, keeping @flags of
 * its mount), detach the old one, and take the host name @hostname. */
static int root_enter(const char *hostname, unsigned long flags)
{
    /* pivot_root(".", "."): the old root lands on top; detach it. */
    if (chdir(STAGE) < 0 || syscall(SYS_pivot_root, ".", ".") < 0 ||
        umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
        return -errno;
    if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | flags,
              NULL) < 0)
        return -errno;
    if (sethostname(hostname, strlen(hostname)) < 0)
        return -errno;
    return 0;
}

int xvm_sandbox_rootfs(const char *hostname)
{
    int rc = become_root();

    if (rc < 0)
        return rc;
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        return -errno;
    rc = root_build();
    return rc < 0 ? rc : root_enter(hostname, MS_NOSUID | MS_NODEV);
}

static int filter_install(void)
{
    static const int deny[] = {
        SCMP_SYS(init_module),     SCMP_SYS(finit_module),
        SCMP_SYS(delete_module),   SCMP_SYS(kexec_load),
        SCMP_SYS(kexec_file_load), SCMP_SYS(reboot),
        SCMP_SYS(keyctl),          SCMP_SYS(add_key),
        SCMP_SYS(request_key),     SCMP_SYS(bpf),
        SCMP_SYS(perf_event_open), SCMP_SYS(userfaultfd),
        SCMP_SYS(io_uring_setup),  SCMP_SYS(io_uring_enter),
        SCMP_SYS(io_uring_register), SCMP_SYS(swapon),
        SCMP_SYS(swapoff),         SCMP_SYS(acct),
        SCMP_SYS(mount),           SCMP_SYS(umount2),
        SCMP_SYS(pivot_root),      SCMP_SYS(fsopen),
        SCMP_SYS(fsmount),         SCMP_SYS(fsconfig),
        SCMP_SYS(fspick),          SCMP_SYS(move_mount),
        SCMP_SYS(open_tree),       SCMP_SYS(mount_setattr),
        SCMP_SYS(syslog),          SCMP_SYS(lookup_dcookie),
        SCMP_SYS(quotactl),        SCMP_SYS(open_by_handle_at),
    };
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    size_t i;
    int rc = 0;

    if (!ctx)
        return -ENOMEM;
    for (i = 0; i < sizeof(deny) / sizeof(deny[0]) && rc == 0; i++)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), deny[i], 0);
    /* No user namespace inside the domain's: unshare and clone say no. */
    if (rc == 0)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(unshare),
                              1,
                              SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER,
                                      CLONE_NEWUSER));
    if (rc == 0)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                              SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER,
                                      CLONE_NEWUSER));
    if (rc == 0)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3),
                              0);
    if (rc == 0)
        rc = seccomp_load(ctx);
    seccomp_release(ctx);
    return rc;
}

int xvm_sandbox_lock(void)
{
    int rc = become_root();

    if (rc < 0)
        return rc;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return -errno;
    return filter_install();
}

/* The allow-list of xvm_sandbox_confine(): everything else kills. */
/* The filter of @allow, built but not loaded: a bad list is refused
 * before anything that cannot be undone. */
static int allow_build(const struct xvm_sandbox_syscall *allow, unsigned n,
                       scmp_filter_ctx *out)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
    struct scmp_arg_cmp cmp[2];
    unsigned i, j;
    int rc = 0;

    if (!ctx)
        return -ENOMEM;
    rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
    for (i = 0; i < n && rc == 0; i++) {
        int nr = seccomp_syscall_resolve_name(allow[i].name);

        if (nr == __NR_SCMP_ERROR || allow[i].ncmp > 2) {
            rc = -EINVAL;
            break;
        }
        for (j = 0; j < allow[i].ncmp; j++) {
            if (allow[i].cmp[j].arg > 5)
                rc = -EINVAL;
            cmp[j] = (struct scmp_arg_cmp){
                .arg = allow[i].cmp[j].arg, .op = SCMP_CMP_MASKED_EQ,
                .datum_a = allow[i].cmp[j].mask,
                .datum_b = allow[i].cmp[j].value };
        }
        if (rc == 0)
            rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr,
                                        allow[i].ncmp, cmp);
    }
    if (rc < 0) {
        seccomp_release(ctx);
        return rc;
    }
    *out = ctx;
    return 0;
}

unsigned xvm_sandbox_thread_calls(
    struct xvm_sandbox_syscall out[XVM_SANDBOX_THREAD_CALLS])
{
    static const struct xvm_sandbox_syscall calls[] = {
        { "clone", 1, { XVM_SANDBOX_EQ32(0, XVM_SANDBOX_CLONE_THREAD) } },
        { "set_robust_list", 0, {{0}} },
        { "rseq", 0, {{0}} },
        { "rt_sigprocmask", 0, {{0}} },
        { "gettid", 0, {{0}} },
        /* a thread's stack guard, malloc's arenas growing: never more */
        { "mprotect", 1, { XVM_SANDBOX_EQ32(2, PROT_READ | PROT_WRITE) } },
        { "mprotect", 1, { XVM_SANDBOX_EQ32(2, PROT_NONE) } },
        { "madvise", 1, { XVM_SANDBOX_EQ32(2, MADV_DONTNEED) } },
        /* libc's own two signals below SIGRTMIN (cancellation, setxid),
         * whose handlers its first pthread_create() installs */
        { "rt_sigaction", 1, { XVM_SANDBOX_EQ32(0, 32) } },
        { "rt_sigaction", 1, { XVM_SANDBOX_EQ32(0, 33) } },
    };
    unsigned n = sizeof(calls) / sizeof(calls[0]);

    _Static_assert(sizeof(calls) / sizeof(calls[0]) <=
                       XVM_SANDBOX_THREAD_CALLS, "the caller's room");
    memcpy(out, calls, sizeof(calls));
    return n;
}

/* Namespaces of its own, and an empty root: nothing of the host's file
 * system is left to name (the descriptors held are another matter). */
static int root_empty(const char *hostname)
{
    const unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;

    if (unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS |
                CLONE_NEWCGROUP) < 0)
        return -errno;
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        return -errno;
    if (mount("xvm-empty", STAGE, "tmpfs", flags, "mode=0555,size=4k") < 0)
        return -errno;
    return root_enter(hostname, flags);
}

int xvm_sandbox_confine(uint32_t id, const char *hostname,
                        const struct xvm_sandbox_syscall *allow, unsigned n)
{
    scmp_filter_ctx ctx;
    uid_t u;
    int rc;

    if (id > XVM_SANDBOX_ID_MAX)
        return -ERANGE;
    rc = allow_build(allow, n, &ctx);
    if (rc < 0)
        return rc;
    rc = root_empty(hostname);
    u = (uid_t)xvm_sandbox_uid(id);
    if (rc == 0 && (setgroups(0, NULL) < 0 || setresgid(u, u, u) < 0 ||
                    setresuid(u, u, u) < 0))
        rc = -errno;
    if (rc == 0 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        rc = -errno;
    if (rc == 0)
        rc = seccomp_load(ctx);
    seccomp_release(ctx);
    return rc;
}
