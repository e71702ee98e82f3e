/* SPDX-License-Identifier: MIT */
/*
 * xvmd: domain records.  Each domain is one file,
 * <state_dir>/domains/<name>.cfg, written atomically and read back only
 * if xvmd wrote it (xvm/daemon.h).  A record is itself a domain config in
 * the format of xvm/domcfg.h, with the domain's UUID filled in, so it is
 * read back with the same parser and can be handed to `xvm create`.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xvm/daemon.h"
#include "xvmd.h"

static int store_dir(const struct xvmd *x, char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "%s/domains", x->state_dir);

    return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

static const char *prio_str(enum xvm_vif_priority p)
{
    return p == XVM_PRIO_LOW ? "low" : p == XVM_PRIO_HIGH ? "high" : "medium";
}

/* One vif back in config syntax. */
static void vif_format(FILE *f, const struct xvm_vifcfg *v)
{
    fprintf(f, "\"link=%s", v->link);
    if (v->vlan)
        fprintf(f, ",vlan=%u", v->vlan);
    if (v->maxbw_kbps)
        fprintf(f, ",maxbw=%lluK", (unsigned long long)v->maxbw_kbps);
    if (v->mac_kind == XVM_MAC_RANDOM)
        fprintf(f, ",mac=random");
    else if (v->mac_kind == XVM_MAC_FIXED)
        fprintf(f, ",mac=%02x:%02x:%02x:%02x:%02x:%02x", v->mac[0],
                v->mac[1], v->mac[2], v->mac[3], v->mac[4], v->mac[5]);
    fprintf(f, ",priority=%s\"", prio_str(v->priority));
}

static int record_write(FILE *f, const struct xvmd_dom *dom)
{
    const struct xvm_domcfg *c = &dom->cfg;
    char uuid[37];
    unsigned i;

    xvm_uuid_format(dom->uuid, uuid);
    fprintf(f, "# xvmd domain record (rewritten by xvmd)\n");
    fprintf(f, "name = \"%s\"\nuuid = \"%s\"\ntype = \"%s\"\n", c->name,
            uuid, xvm_domtype_str(c->type));
    fprintf(f, "memory = %u\nvcpus = %u\nvif = [", c->memory_mib, c->vcpus);
    for (i = 0; i < c->nr_vifs; i++) {
        fputs(i ? ",\n        " : " ", f);
        vif_format(f, &c->vifs[i]);
    }
    fputs(" ]\n", f);
    return fflush(f) == 0 && !ferror(f) ? 0 : -EIO;
}

int xvmd_store_save(const struct xvmd *x, const struct xvmd_dom *dom)
{
    char dir[PATH_MAX], path[PATH_MAX];
    char *buf = NULL;
    size_t len = 0;
    FILE *f;
    int rc;

    rc = store_dir(x, dir, sizeof(dir));
    if (rc < 0)
        return rc;
    if ((size_t)snprintf(path, sizeof(path), "%s/%s.cfg", dir, dom->cfg.name) >=
        sizeof(path))
        return -ENAMETOOLONG;
    f = open_memstream(&buf, &len);
    if (!f)
        return -ENOMEM;
    rc = record_write(f, dom);
    if (fclose(f) != 0 && rc == 0)
        rc = -ENOMEM;
    if (rc == 0)
        rc = xvm_file_write(path, buf, len, 0600);
    free(buf);
    return rc;
}

int xvmd_store_remove(const struct xvmd *x, const char *name)
{
    char dir[PATH_MAX], path[PATH_MAX + 80];
    int rc = store_dir(x, dir, sizeof(dir));

    if (rc < 0)
        return rc;
    snprintf(path, sizeof(path), "%s/%s.cfg", dir, name);
    if (unlink(path) < 0 && errno != ENOENT)
        return -errno;
    return 0;
}

/* Read the record @name of @dir into @cfg; failures are logged. */
static int record_load(const char *dir, const char *name,
                       struct xvm_domcfg *cfg)
{
    char path[PATH_MAX + 300], err[512];
    size_t n = strlen(name) - 4, len; /* without ".cfg" */
    char *text;
    int rc;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    rc = xvm_file_read(path, XVM_FILE_OWNED, XVM_DOMCFG_TEXT_MAX, &text, &len);
    if (rc < 0) {
        xvm_log_warn("ignoring domain record %s", path);
        return rc;
    }
    rc = xvm_domcfg_parse(text, len, path, cfg, err, sizeof(err));
    free(text);
    if (rc < 0) {
        xvm_log_warn("ignoring domain record %s", err);
    } else if (strlen(cfg->name) != n || strncmp(cfg->name, name, n) != 0) {
        xvm_log_warn("ignoring domain record %s: it names domain %s", path,
                     cfg->name);
        rc = -EINVAL;
    }
    return rc;
}

int xvmd_store_load(struct xvmd *x,
                    int (*fn)(struct xvmd *x, const struct xvm_domcfg *cfg))
{
    char dir[PATH_MAX];
    struct xvm_domcfg cfg;
    struct dirent *de;
    DIR *d;
    int rc;

    rc = store_dir(x, dir, sizeof(dir));
    if (rc < 0)
        return rc;
    rc = xvm_state_dir(dir, 0700);
    if (rc < 0)
        return rc;
    d = opendir(dir);
    if (!d)
        return -errno;
    while ((de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name);

        if (de->d_name[0] == '.' || n < 5 ||
            strcmp(de->d_name + n - 4, ".cfg") != 0 ||
            record_load(dir, de->d_name, &cfg) < 0)
            continue;
        rc = fn(x, &cfg);
        if (rc < 0)
            xvm_log_warn("ignoring domain record %s/%s: %s", dir, de->d_name,
                         strerror(-rc));
    }
    closedir(d);
    return 0;
}
