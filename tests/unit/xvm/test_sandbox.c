/* SPDX-License-Identifier: MIT */
/*
 * xvm_sandbox_confine() (xvm/sandbox.h), in children: after it the process
 * is the domain's uid in namespaces of its own with an empty root, and
 * its allow-list holds with its argument conditions: an mmap without
 * PROT_EXEC and an fcntl F_DUPFD_CLOEXEC pass, an executable mapping,
 * another fcntl command or a call off the list kill it with SIGSYS.
 * With xvm_sandbox_thread_calls() it makes threads (and joins them)
 * after confinement, as the monitor of a KVM domain of more vCPUs does,
 * yet a fork, a clone into a new namespace and a clone3 still fail.
 * Needs root (it changes uids and makes namespaces): else exit 77.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "xvm/sandbox.h"

#define DOM_ID 3

#if defined(__SANITIZE_ADDRESS__)
#define XT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define XT_ASAN 1
#endif
#endif

static const struct xvm_sandbox_syscall allow[] = {
    {"exit_group", 0, {{0}}},
    {"exit", 0, {{0}}},
    {"write", 0, {{0}}},
    {"read", 0, {{0}}},
    {"openat", 0, {{0}}},
    {"getuid", 0, {{0}}},
    {"getgid", 0, {{0}}},
    {"uname", 0, {{0}}},
    {"munmap", 0, {{0}}},
    {"mmap", 1, {XVM_SANDBOX_CLEAR(2, PROT_EXEC)}},
    {"fcntl", 1, {XVM_SANDBOX_EQ32(1, F_DUPFD_CLOEXEC)}},
    /* ASan's hook before a call that does not return reads it */
    {"sigaltstack", 0, {{0}}},
};

/* A confined child's end: the system call itself, past the sanitizers'
 * _exit hook (a leak check), which the filter would kill. */
__attribute__((noreturn)) static void child_exit(int code)
{
    syscall(SYS_exit_group, code);
    __builtin_unreachable();
}

/* What a child does once confined; its exit status is the first check
 * that failed (0: none), or the signal that killed it. */
typedef int (*child_fn)(void);

/* @allow, and with @threads what making threads takes. */
static int confine(int threads)
{
    struct xvm_sandbox_syscall list[32];
    unsigned n = sizeof(allow) / sizeof(allow[0]);

    memcpy(list, allow, sizeof(allow));
    if (threads) {
        n += xvm_sandbox_thread_calls(&list[n]);
        list[n++] = (struct xvm_sandbox_syscall){"futex", 0, {{0}}};
#ifdef XT_ASAN
        /* ASan's start of a thread: it looks for its stack, and sets up
         * its shadow and allocator caches */
        list[n++] = (struct xvm_sandbox_syscall){"sched_getaffinity", 0,
                                                 {{0}}};
        list[n++] = (struct xvm_sandbox_syscall){"madvise", 0, {{0}}};
#endif
    }
    return xvm_sandbox_confine(DOM_ID, "xt", list, n);
}

static int run_confined_as(child_fn fn, int threads, int *sig)
{
    int st, rc;
    pid_t pid = fork();

    if (pid == 0) {
        rc = confine(threads);
        child_exit(rc < 0 ? 100 : fn());
    }
    *sig = 0;
    if (pid < 0 || waitpid(pid, &st, 0) != pid)
        return -1;
    if (WIFSIGNALED(st))
        *sig = WTERMSIG(st);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int run_confined(child_fn fn, int *sig)
{
    return run_confined_as(fn, 0, sig);
}

static int allowed(void)
{
    struct utsname u;
    void *p;
    int fd;

    if (getuid() != xvm_sandbox_uid(DOM_ID) ||
        getgid() != xvm_sandbox_uid(DOM_ID))
        return 2;
    /* the host's root is gone: not even / names it */
    fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
    if (fd >= 0 || errno != ENOENT)
        return 3;
    if (uname(&u) < 0 || strcmp(u.nodename, "xt") != 0)
        return 4;
    p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
             -1, 0);
    if (p == MAP_FAILED)
        return 5;
    munmap(p, 4096);
    if (fcntl(1, F_DUPFD_CLOEXEC, 0) < 0)
        return 6;
    /* no file can be made: the root is read-only and not ours */
    fd = open("/x", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0 || (errno != EROFS && errno != EACCES))
        return 7;
    return 0;
}

static void test_confine_allows(void)
{
    int sig;

    CHECK_EQ(run_confined(allowed, &sig), 0);
    CHECK_EQ(sig, 0);
}

/* Reached only if the mapping was not refused: 0 if it was made. */
static int map(int prot)
{
    void *p = mmap(NULL, 4096, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    return p == MAP_FAILED ? 1 : 0;
}

static int map_exec(void)
{
    return map(PROT_READ | PROT_EXEC);
}

static int map_wx(void)
{
    return map(PROT_READ | PROT_WRITE | PROT_EXEC);
}

static int fcntl_other(void)
{
    return fcntl(1, F_GETFL) < 0 ? 1 : 0;
}

static int open_socket(void)
{
    return socket(AF_UNIX, SOCK_STREAM, 0) < 0 ? 1 : 0;
}

static void test_confine_kills(void)
{
    static const child_fn fns[] = {map_exec, map_wx, fcntl_other, open_socket};
    int sig;

    for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
        CHECK_EQ(run_confined(fns[i], &sig), -1);
        CHECK_EQ(sig, SIGSYS);
    }
}

static void *thread_body(void *arg)
{
    *(int *)arg = (int)syscall(SYS_gettid);
    return arg;
}

/* Two threads made and joined, each with its own id. */
static int threads_made(void)
{
    int tid[2] = {0, 0};
    pthread_t t[2];
    void *ret;

    for (int i = 0; i < 2; i++)
        if (pthread_create(&t[i], NULL, thread_body, &tid[i]) != 0)
            return 2;
    for (int i = 0; i < 2; i++)
        if (pthread_join(t[i], &ret) != 0 || ret != &tid[i])
            return 3;
    if (tid[0] <= 0 || tid[1] <= 0 || tid[0] == tid[1] ||
        tid[0] == (int)syscall(SYS_gettid))
        return 4;
    return 0;
}

static int forks(void)
{
    pid_t pid = fork();

    if (pid == 0)
        child_exit(0);
    return 5; /* the filter should have killed it */
}

static int clones_newns(void)
{
    return syscall(SYS_clone, CLONE_NEWNET | SIGCHLD, 0, 0, 0, 0) < 0 ? 1 : 5;
}

static int clone3_refused(void)
{
    long rc = syscall(SYS_clone3, NULL, 0);

    return rc < 0 && errno == ENOSYS ? 0 : 6;
}

static void test_confine_threads(void)
{
    static const child_fn killed[] = {forks, clones_newns};
    int sig;

    CHECK_EQ(run_confined_as(threads_made, 1, &sig), 0);
    CHECK_EQ(sig, 0);
    CHECK_EQ(run_confined_as(clone3_refused, 1, &sig), 0);
    CHECK_EQ(sig, 0);
    for (size_t i = 0; i < sizeof(killed) / sizeof(killed[0]); i++) {
        CHECK_EQ(run_confined_as(killed[i], 1, &sig), -1);
        CHECK_EQ(sig, SIGSYS);
    }
    /* without the thread calls a thread cannot be made either */
    CHECK_EQ(run_confined(threads_made, &sig), -1);
    CHECK_EQ(sig, SIGSYS);
}

/* Namespaces seen from outside: not ours.  The child waits on a pipe. */
static void test_confine_namespaces(void)
{
    static const char *const ns[] = {"mnt", "net", "ipc", "uts", "cgroup"};
    char path[64], theirs[64], ours[64];
    int go[2], ready[2], st;
    char c = 0;
    ssize_t n;
    pid_t pid;

    CHECK(pipe(go) == 0 && pipe(ready) == 0);
    pid = fork();
    if (pid == 0) {
        if (xvm_sandbox_confine(DOM_ID, "xt", allow,
                                sizeof(allow) / sizeof(allow[0])) < 0)
            _exit(100);
        if (write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) != 1)
            child_exit(1);
        child_exit(0);
    }
    CHECK(pid > 0);
    CHECK_EQ(read(ready[0], &c, 1), 1);
    for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
        snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, ns[i]);
        n = readlink(path, theirs, sizeof(theirs) - 1);
        CHECK(n > 0);
        theirs[n > 0 ? n : 0] = '\0';
        snprintf(path, sizeof(path), "/proc/self/ns/%s", ns[i]);
        n = readlink(path, ours, sizeof(ours) - 1);
        CHECK(n > 0);
        ours[n > 0 ? n : 0] = '\0';
        CHECK(strcmp(theirs, ours) != 0);
    }
    CHECK_EQ(write(go[1], "g", 1), 1);
    CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
    close(go[0]);
    close(go[1]);
    close(ready[0]);
    close(ready[1]);
}

/* A bad list is refused before anything that cannot be undone: the
 * caller keeps its namespaces and its uid. */
static void refused_unchanged(const struct xvm_sandbox_syscall *list,
                              const char *what)
{
    char before[64] = "", after[64] = "";

    CHECK(readlink("/proc/self/ns/mnt", before, sizeof(before) - 1) > 0);
    CHECK_EQ(xvm_sandbox_confine(DOM_ID, "xt", list, 1), -EINVAL);
    CHECK(readlink("/proc/self/ns/mnt", after, sizeof(after) - 1) > 0);
    CHECK(strcmp(before, after) == 0);
    CHECK_EQ(geteuid(), 0);
    if (strcmp(before, after) != 0 || geteuid() != 0)
        fprintf(stderr, "%s: refused after confining\n", what);
}

/* An id out of range, a name libseccomp does not know, three conditions,
 * an argument beyond the sixth. */
static void test_confine_refuses(void)
{
    static const struct xvm_sandbox_syscall unknown[] = {
        {"no_such_call", 0, {{0}}},
    };
    static const struct xvm_sandbox_syscall three[] = {
        {"read", 3, {{0}}},
    };
    static const struct xvm_sandbox_syscall arg6[] = {
        {"read", 1, {XVM_SANDBOX_EQ32(6, 0)}},
    };

    CHECK_EQ(xvm_sandbox_confine(XVM_SANDBOX_ID_MAX + 1, "xt", allow, 1),
             -ERANGE);
    refused_unchanged(unknown, "an unknown call");
    refused_unchanged(three, "three conditions");
    refused_unchanged(arg6, "argument 6");
}

int main(void)
{
    if (geteuid() != 0) {
        printf("SKIP: xvm_sandbox_confine() needs root\n");
        return 77;
    }
    RUN(test_confine_allows);
    RUN(test_confine_kills);
    RUN(test_confine_namespaces);
    RUN(test_confine_threads);
    RUN(test_confine_refuses);
    return check_summary();
}
