/* SPDX-License-Identifier: MIT */
/* Claims on host interfaces (hostif_pvt.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hostif_pvt.h"

/* How long a claim waits for a holder to write its pid (it locks first,
 * then writes): CLAIM_TRIES times CLAIM_WAIT_NS. */
#define CLAIM_TRIES 20
#define CLAIM_WAIT_NS 10000000L

/* The devargs keys whose value is a host interface (af_packet, af_xdp,
 * tap and tun: iface; pcap: all four). */
static const char *const iface_keys[] = {"iface", "rx_iface", "tx_iface",
                                         "rx_iface_in"};

static bool is_iface_key(const char *key, size_t len)
{
    size_t k;

    for (k = 0; k < sizeof(iface_keys) / sizeof(iface_keys[0]); k++)
        if (strlen(iface_keys[k]) == len && memcmp(iface_keys[k], key, len) == 0)
            return true;
    return false;
}

/* The interface names in @devargs, each once, into @names; how many. */
static unsigned devargs_ifaces(const char *devargs,
                               char names[][IF_NAMESIZE])
{
    const char *p = devargs ? strchr(devargs, ',') : NULL;
    unsigned n = 0, i;

    while (p && n < HOSTIF_MAX) {
        const char *tok = p + 1, *end, *eq;
        size_t vlen;

        p = strchr(tok, ',');
        end = p ? p : tok + strlen(tok);
        eq = memchr(tok, '=', (size_t)(end - tok));
        if (!eq || !is_iface_key(tok, (size_t)(eq - tok)))
            continue;
        vlen = (size_t)(end - eq - 1);
        /* A name the kernel could have: not empty, short, no '/'. */
        if (vlen == 0 || vlen >= IF_NAMESIZE || memchr(eq + 1, '/', vlen))
            continue;
        memcpy(names[n], eq + 1, vlen);
        names[n][vlen] = '\0';
        for (i = 0; i < n && strcmp(names[i], names[n]) != 0; i++)
            ;
        if (i == n)
            n++;
    }
    return n;
}

/* Where the reason of a failed claim goes. */
struct why_buf {
    char *buf;
    size_t len;
};

static int why(struct why_buf *e, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int why(struct why_buf *e, int rc, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(e->buf, e->len, fmt, ap);
    va_end(ap);
    return rc;
}

/* The lock directory, made if missing, as a descriptor: ours, and
 * writable by nobody else (it sits in the world-writable /run/lock). */
static int lock_dir_open(struct why_buf *e)
{
    struct stat st;
    int fd;

    if (mkdir("/run/lock", 0755) < 0 && errno != EEXIST)
        return why(e, -errno, "cannot make /run/lock: %s", strerror(errno));
    if (mkdir(HOSTIF_LOCK_DIR, 0755) < 0 && errno != EEXIST)
        return why(e, -errno, "cannot make %s: %s", HOSTIF_LOCK_DIR,
                   strerror(errno));
    fd = open(HOSTIF_LOCK_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return why(e, -errno, "%s: %s", HOSTIF_LOCK_DIR, strerror(errno));
    if (fstat(fd, &st) < 0) {
        int rc = -errno;

        close(fd);
        return why(e, rc, "%s: %s", HOSTIF_LOCK_DIR, strerror(-rc));
    }
    if (st.st_uid != geteuid() || (st.st_mode & 022)) {
        close(fd);
        return why(e, -EPERM, "%s refused: owned by uid %u or writable by "
                   "others (mode %04o): NICs cannot be claimed",
                   HOSTIF_LOCK_DIR, (unsigned)st.st_uid,
                   (unsigned)(st.st_mode & 07777));
    }
    return fd;
}

/* The live process whose pid the lock file @fd holds, or 0. */
static int holder_pid(int fd)
{
    char buf[24];
    ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
    char *end;
    long pid;

    if (n <= 0)
        return 0;
    buf[n] = '\0';
    pid = strtol(buf, &end, 10);
    if (end == buf || *end != '\n' || pid <= 0 || pid > 0x3fffffff)
        return 0;
    if (kill((pid_t)pid, 0) < 0 && errno != EPERM)
        return 0; /* left by a holder that died */
    return (int)pid;
}

/* "vswitchd" or what process @pid runs, into @buf. */
static void holder_name(int pid, char *buf, size_t len)
{
    char path[64];
    FILE *f;

    snprintf(buf, len, "another process");
    snprintf(path, sizeof(path), "/proc/%d/comm", pid);
    f = fopen(path, "re");
    if (!f)
        return;
    if (fgets(buf, (int)len, f))
        buf[strcspn(buf, "\n")] = '\0';
    else
        snprintf(buf, len, "another process");
    fclose(f);
}

/* Write our pid into the claimed file @fd. */
static int pid_write(int fd)
{
    char buf[24];
    int n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());

    if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)n, 0) != n)
        return -errno;
    return 0;
}

/* Claim @ifname into @c; -ENODEV: no such interface, nothing claimed. */
static int claim(const char *ifname, struct hostif_claim *c,
                 struct why_buf *e)
{
    const struct timespec wait = {0, CLAIM_WAIT_NS};
    unsigned idx = if_nametoindex(ifname);
    struct stat ns, st, at;
    const char *name;
    int dfd, fd, rc = 0, tries, pid = 0;
    char comm[32];

    c->fd = -1;
    c->path[0] = '\0';
    if (idx == 0)
        return -ENODEV;
    if (stat("/proc/thread-self/ns/net", &ns) < 0)
        return why(e, -errno, "cannot tell the network namespace of %s: %s",
                   ifname, strerror(errno));
    snprintf(c->path, sizeof(c->path), "%s/net-%llu-if-%u.lock",
             HOSTIF_LOCK_DIR, (unsigned long long)ns.st_ino, idx);
    name = c->path + strlen(HOSTIF_LOCK_DIR) + 1;
    dfd = lock_dir_open(e);
    if (dfd < 0) {
        c->path[0] = '\0';
        return dfd;
    }
    for (tries = 0;; tries++) {
        fd = openat(dfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
                    0644);
        if (fd < 0) {
            rc = why(e, -errno, "%s: %s", c->path, strerror(errno));
            break;
        }
        if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
            /* Ours, unless its last holder removed it between our open
             * and our lock: then the name is another file's, or none. */
            if (fstat(fd, &st) == 0 &&
                fstatat(dfd, name, &at, AT_SYMLINK_NOFOLLOW) == 0 &&
                st.st_ino == at.st_ino && st.st_dev == at.st_dev) {
                rc = pid_write(fd);
                if (rc == 0) {
                    c->fd = fd;
                    break;
                }
                why(e, rc, "%s: %s", c->path, strerror(-rc));
            } else if (tries < CLAIM_TRIES) {
                close(fd);
                continue;
            } else {
                rc = why(e, -EAGAIN, "%s keeps changing", c->path);
            }
            close(fd);
            break;
        }
        if (errno != EWOULDBLOCK) {
            rc = why(e, -errno, "%s: %s", c->path, strerror(errno));
            close(fd);
            break;
        }
        /* Held.  The holder writes its pid just after it locks. */
        pid = holder_pid(fd);
        close(fd);
        if (pid == 0 && tries < CLAIM_TRIES) {
            nanosleep(&wait, NULL);
            continue;
        }
        if (pid)
            holder_name(pid, comm, sizeof(comm));
        rc = pid ? why(e, -EBUSY, "%s is already attached by %s (pid %d)",
                       ifname, comm, pid)
                 : why(e, -EBUSY, "%s is already attached by another process",
                       ifname);
        break;
    }
    close(dfd);
    if (c->fd < 0)
        c->path[0] = '\0';
    return rc;
}

static void release(struct hostif_claim *c)
{
    if (c->fd < 0)
        return;
    /* Removed while still locked: whoever opened it meanwhile and locks
     * it after us sees that the name is no longer this file. */
    unlink(c->path);
    close(c->fd);
    c->fd = -1;
    c->path[0] = '\0';
}

void hostif_claims_init(struct hostif_claims *cl, const char *devargs)
{
    unsigned i;

    cl->n = devargs_ifaces(devargs, cl->names);
    for (i = 0; i < HOSTIF_MAX; i++) {
        cl->c[i].fd = -1;
        cl->c[i].path[0] = '\0';
    }
}

int hostif_claims_take(struct hostif_claims *cl, char *whybuf, size_t whylen)
{
    struct why_buf e = {whybuf, whylen};
    unsigned i;
    int rc;

    for (i = 0; i < cl->n; i++) {
        if (cl->c[i].fd >= 0)
            continue;
        rc = claim(cl->names[i], &cl->c[i], &e);
        if (rc < 0 && rc != -ENODEV)
            return rc;
    }
    return 0;
}

void hostif_claims_release(struct hostif_claims *cl)
{
    unsigned i;

    for (i = 0; i < cl->n; i++)
        release(&cl->c[i]);
}
