/* SPDX-License-Identifier: MIT */
/*
 * xvmd: a domain's cgroup (xvmd.h), for every kind.  Each domain has a
 * cgroup v2 subtree (when the host has cgroup v2):
 *   <cgroup2>/xvnet/state-<key>/<name>/               cpu.max (vcpus)
 *                                          front/    the kind's side:
 *                                                    xvm-procdom
 *                                          guest/    memory.max; a process
 *                                                    domain's init and
 *                                                    `xvm exec`, a KVM
 *                                                    domain's monitor
 * <key> names xvmd's state directory (a hash of its real path), not the
 * process: the xvmd that runs next on the same state directory uses the
 * same level, and several xvmds on one host (each with its own state
 * directory) never touch each other's.  The subtree outlives xvmd with
 * its domains; the next xvmd on the state directory removes what a dead
 * one left there but for the domains it adopts (cg_sweep()).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xvm/daemon.h"
#include "xvm/hash.h"
#include "xvmd.h"

/* How long destroy waits for the killed processes to leave the cgroup. */
#define CG_EMPTY_MS 1000

/* Where cgroup v2 is mounted ("" if nowhere), from our mountinfo. */
static const char *cg2_mount(void)
{
    static char root[256];
    static int looked;
    char line[1024], mnt[256], *sep;
    FILE *f;

    if (looked)
        return root;
    looked = 1;
    f = fopen("/proc/self/mountinfo", "re");
    if (!f)
        return root;
    while (fgets(line, sizeof(line), f)) {
        sep = strstr(line, " - cgroup2 ");
        if (sep && sscanf(line, "%*s %*s %*s %*s %255s", mnt) == 1) {
            snprintf(root, sizeof(root), "%s", mnt);
            break;
        }
    }
    fclose(f);
    return root;
}

/* "state-<key>": the level of the domains of @x's state directory. */
static void cg_level_name(const struct xvmd *x, char *buf, size_t cap)
{
    char real[PATH_MAX];
    const char *p = realpath(x->state_dir, real) ? real : x->state_dir;

    snprintf(buf, cap, "state-%016llx",
             (unsigned long long)xvm_fnv1a_str(XVM_FNV1A_BASIS, p));
}

/* The cgroup of a new run; an adopted one keeps the path it was given
 * (dom->cg_path). */
static void cg_path(const struct xvmd *x, const struct xvmd_dom *dom,
                    char *buf, size_t cap)
{
    char level[32];

    cg_level_name(x, level, sizeof(level));
    snprintf(buf, cap, "%s/xvnet/%s/%s", cg2_mount(), level, dom->cfg.name);
}

/* Whether @dirfd's cgroup.controllers offers @ctl. */
static int cg_has(int dirfd, const char *ctl)
{
    char buf[512], *tok, *save = NULL;

    if (xvmd_read_small(dirfd, "cgroup.controllers", buf, sizeof(buf)) <= 0)
        return 0;
    for (tok = strtok_r(buf, " \n", &save); tok;
         tok = strtok_r(NULL, " \n", &save))
        if (strcmp(tok, ctl) == 0)
            return 1;
    return 0;
}

uint32_t xvmd_cg_unlimited(const struct xvmd_dom *dom)
{
    uint32_t bits = XVMD_LIMIT_VCPUS | XVMD_LIMIT_MEMORY;
    int guest;

    if (dom->cg_fd < 0)
        return bits | XVMD_LIMIT_NOCGROUP;
    if (cg_has(dom->cg_fd, "cpu"))
        bits &= ~XVMD_LIMIT_VCPUS;
    guest = openat(dom->cg_fd, "guest", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (guest >= 0 && cg_has(guest, "memory"))
        bits &= ~XVMD_LIMIT_MEMORY;
    if (guest >= 0)
        close(guest);
    return bits;
}

/* Kill what is in cgroup @name under @parent and remove it, depth first. */
static void cg_remove_tree(int parent, const char *name)
{
    struct dirent *e;
    int fd;
    DIR *d;

    fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return;
    xvm_file_put(fd, "cgroup.kill", "1");
    d = fdopendir(fd);
    if (!d) {
        close(fd);
        return;
    }
    while ((e = readdir(d)))
        if (e->d_type == DT_DIR && e->d_name[0] != '.')
            cg_remove_tree(dirfd(d), e->d_name);
    closedir(d);
    for (int i = 0; i < 100; i++) { /* the killed leave at once, or nearly */
        if (unlinkat(parent, name, AT_REMOVEDIR) == 0 || errno != EBUSY)
            return;
        usleep(2000);
    }
}

/* Whether @path is the cgroup of a domain of ours (adopted). */
static bool cg_ours(const struct xvmd *x, const char *path)
{
    const struct xvmd_dom *dom;

    for (dom = x->doms; dom; dom = dom->next)
        if (dom->cg_fd >= 0 && strcmp(dom->cg_path, path) == 0)
            return true;
    return false;
}

/* Remove what a dead xvmd of this state directory left in @level (an
 * open directory), but for the domains taken over from it (their cgroups
 * stay where they are). */
static void cg_sweep(const struct xvmd *x, int level, const char *lpath)
{
    struct dirent *c;
    char path[PATH_MAX + 256];
    DIR *d = fdopendir(level);

    if (!d) {
        close(level);
        return;
    }
    while ((c = readdir(d))) {
        if (c->d_type != DT_DIR || c->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", lpath, c->d_name);
        if (cg_ours(x, path))
            continue;
        xvm_log_info("removing cgroup %s of a dead xvmd", path);
        cg_remove_tree(dirfd(d), c->d_name);
    }
    closedir(d);
}

/* Make @path (one level) and pass memory and cpu down to its children. */
static int cg_level(const char *path)
{
    int fd;

    if (mkdir(path, 0755) < 0 && errno != EEXIST)
        return -errno;
    fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    if (cg_has(fd, "memory"))
        xvm_file_put(fd, "cgroup.subtree_control", "+memory");
    if (cg_has(fd, "cpu"))
        xvm_file_put(fd, "cgroup.subtree_control", "+cpu");
    return fd;
}

int xvmd_cg_create(const struct xvmd *x, struct xvmd_dom *dom,
                   uint64_t guest_max, char *err, size_t errlen)
{
    char path[PATH_MAX], level[PATH_MAX], val[64], *p, c;
    static int swept;
    int fd, guest, rc = 0;
    uint32_t unlimited;

    if (!cg2_mount()[0]) {
        xvm_log_warn("domain %s: no cgroup v2: memory and vcpus are not "
                     "enforced, destroy relies on the PID namespace",
                     dom->cfg.name);
        return 0;
    }
    cg_path(x, dom, path, sizeof(path));
    if (!swept) {
        swept = 1;
        snprintf(level, sizeof(level), "%s", path);
        *strrchr(level, '/') = '\0';
        fd = open(level, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0)
            cg_sweep(x, fd, level);
    }
    /* each level below the mount: xvnet, state-<key>, <name> */
    for (p = path + strlen(cg2_mount()) + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        c = *p;
        *p = '\0';
        fd = cg_level(path);
        *p = c;
        if (fd < 0 || c == '\0')
            break;
        close(fd);
    }
    if (fd < 0) { /* a read-only or foreign cgroup tree: run without */
        xvm_log_warn("domain %s: cannot make cgroup %s (%s): memory and "
                     "vcpus are not enforced",
                     dom->cfg.name, path, strerror(-fd));
        return 0;
    }
    dom->cg_fd = fd;
    snprintf(dom->cg_path, sizeof(dom->cg_path), "%s", path);
    if ((mkdirat(fd, "front", 0755) < 0 && errno != EEXIST) ||
        (mkdirat(fd, "guest", 0755) < 0 && errno != EEXIST)) {
        rc = -errno;
        snprintf(err, errlen, "domain %s: cgroup %s: %s", dom->cfg.name, path,
                 strerror(errno));
        return rc;
    }
    unlimited = xvmd_cg_unlimited(dom);
    if (!(unlimited & XVMD_LIMIT_VCPUS)) {
        snprintf(val, sizeof(val), "%u 100000", dom->cfg.vcpus * 100000u);
        rc = xvm_file_put(fd, "cpu.max", val);
    } else {
        xvm_log_warn("domain %s: cgroup v2 has no cpu controller here: "
                     "vcpus is not enforced",
                     dom->cfg.name);
    }
    guest = openat(fd, "guest", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (rc == 0 && guest >= 0 && !(unlimited & XVMD_LIMIT_MEMORY)) {
        snprintf(val, sizeof(val), "%llu", (unsigned long long)guest_max);
        rc = xvm_file_put(guest, "memory.max", val);
    } else if (rc == 0) {
        xvm_log_warn("domain %s: cgroup v2 has no memory controller here: "
                     "memory is not enforced",
                     dom->cfg.name);
    }
    if (guest >= 0)
        close(guest);
    if (rc < 0)
        snprintf(err, errlen, "domain %s: cgroup limits: %s", dom->cfg.name,
                 strerror(-rc));
    return rc;
}

void xvmd_cg_remove(struct xvmd_dom *dom)
{
    char path[PATH_MAX];
    int i;

    if (dom->cg_fd < 0)
        return;
    xvm_file_put(dom->cg_fd, "cgroup.kill", "1");
    xvm_file_put(dom->cg_fd, "cgroup.freeze", "0");
    /* killed processes leave the cgroup when they are gone */
    for (i = 0; i < CG_EMPTY_MS; i += 5) {
        if ((unlinkat(dom->cg_fd, "guest", AT_REMOVEDIR) == 0 ||
             errno == ENOENT) &&
            (unlinkat(dom->cg_fd, "front", AT_REMOVEDIR) == 0 ||
             errno == ENOENT))
            break;
        usleep(5000);
    }
    close(dom->cg_fd);
    dom->cg_fd = -1;
    snprintf(path, sizeof(path), "%s", dom->cg_path);
    dom->cg_path[0] = '\0';
    if (rmdir(path) < 0 && errno != ENOENT)
        xvm_log_warn("domain %s: cannot remove cgroup %s: %s", dom->cfg.name,
                     path, strerror(errno));
    /* the state-<key> level goes with the last domain */
    *strrchr(path, '/') = '\0';
    rmdir(path);
}

void xvmd_cg_adopt(struct xvmd_dom *dom, const char *path)
{
    if (!path[0])
        return;
    dom->cg_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dom->cg_fd >= 0)
        snprintf(dom->cg_path, sizeof(dom->cg_path), "%s", path);
}
