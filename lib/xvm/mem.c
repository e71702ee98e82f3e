/* SPDX-License-Identifier: MIT */
/* Domain memory: a memfd of 4 KiB frames, mapped shared. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xvm/mem.h"

struct xvm_mem {
    unsigned refs; /* atomic: xvm_mem_ref() and xvm_mem_destroy() */
    int fd;
    uint32_t nr_frames;
    void *base;
};

static struct xvm_mem *mem_map(int fd, uint32_t nr_frames)
{
    struct xvm_mem *mem = calloc(1, sizeof(*mem));
    int err;

    if (!mem)
        return NULL;
    mem->base = mmap(NULL, (size_t)nr_frames << XVM_PAGE_SHIFT,
                     PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (mem->base == MAP_FAILED) {
        err = errno;
        free(mem);
        errno = err;
        return NULL;
    }
    mem->refs = 1;
    mem->fd = fd;
    mem->nr_frames = nr_frames;
    return mem;
}

struct xvm_mem *xvm_mem_create(const char *name, uint32_t nr_frames)
{
    struct xvm_mem *mem;
    int fd, err;

    if (!name || nr_frames == 0 || nr_frames > XVM_MEM_MAX_FRAMES) {
        errno = EINVAL;
        return NULL;
    }
    fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0)
        return NULL;
    if (ftruncate(fd, (off_t)nr_frames << XVM_PAGE_SHIFT) < 0)
        goto err_close;
    /* The size is part of the contract with every mapper: freeze it, so no
     * one holding the fd can shrink the file under another's mapping. */
    if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0)
        goto err_close;
    mem = mem_map(fd, nr_frames);
    if (!mem)
        goto err_close;
    return mem;

err_close:
    err = errno;
    close(fd);
    errno = err;
    return NULL;
}

struct xvm_mem *xvm_mem_open(int fd)
{
    struct xvm_mem *mem;
    struct stat st;
    int seals, dfd, err;

    if (fstat(fd, &st) < 0)
        return NULL;
    if (!S_ISREG(st.st_mode) || st.st_size <= 0 ||
        (st.st_size & (XVM_PAGE_SIZE - 1)) != 0 ||
        (uint64_t)st.st_size >
            ((uint64_t)XVM_MEM_MAX_FRAMES << XVM_PAGE_SHIFT)) {
        errno = EINVAL;
        return NULL;
    }
    /* A peer's memory must not be able to shrink under our mapping (that
     * would turn our accesses into SIGBUS): require the shrink seal. */
    seals = fcntl(fd, F_GET_SEALS);
    if (seals < 0 || !(seals & F_SEAL_SHRINK)) {
        errno = EINVAL;
        return NULL;
    }
    dfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (dfd < 0)
        return NULL;
    mem = mem_map(dfd, (uint32_t)(st.st_size >> XVM_PAGE_SHIFT));
    if (!mem) {
        err = errno;
        close(dfd);
        errno = err;
    }
    return mem;
}

struct xvm_mem *xvm_mem_ref(struct xvm_mem *mem)
{
    if (mem)
        __atomic_add_fetch(&mem->refs, 1, __ATOMIC_RELAXED);
    return mem;
}

void xvm_mem_destroy(struct xvm_mem *mem)
{
    if (!mem || __atomic_sub_fetch(&mem->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    munmap(mem->base, (size_t)mem->nr_frames << XVM_PAGE_SHIFT);
    close(mem->fd);
    free(mem);
}

int xvm_mem_fd(const struct xvm_mem *mem)
{
    return mem->fd;
}

uint32_t xvm_mem_nr_frames(const struct xvm_mem *mem)
{
    return mem->nr_frames;
}

void *xvm_mem_base(const struct xvm_mem *mem)
{
    return mem->base;
}

void *xvm_mem_frame(const struct xvm_mem *mem, uint64_t gfn)
{
    return xvm_mem_frame_at(mem->base, mem->nr_frames, gfn);
}

int64_t xvm_mem_gfn_of(const struct xvm_mem *mem, const void *ptr)
{
    uintptr_t p = (uintptr_t)ptr, b = (uintptr_t)mem->base;

    if (p < b || p - b >= ((uintptr_t)mem->nr_frames << XVM_PAGE_SHIFT))
        return -1;
    return (int64_t)((p - b) >> XVM_PAGE_SHIFT);
}
