/* SPDX-License-Identifier: MIT */
/*
 * xvm-kvm - runs one KVM guest.
 *
 *   xvm-kvm --kernel FILE [--memory MIB | --mem-fd FD] [--domid ID]
 *           [--xenstore-fd FD] [--evtchn-fd FD]
 *   xvm-kvm --probe
 *   xvm-kvm --version
 *
 * The guest's RAM is a domain memfd (xvm/mem.h) of MIB MiB (default 16),
 * its kernel the ELF image FILE (kvm/elf.h), its console this program's
 * stdout.  The image is checked and loaded before /dev/kvm is opened, so a
 * refused image is told as such on any host.  What happens to the guest
 * goes to stderr.  The domain options run it as domain ID without xvmd
 * (tests): --mem-fd the domain's memfd instead of new memory, --xenstore-fd
 * its xenstore connection (what xvmd hands a guest), --evtchn-fd a guest
 * channel to its event-channel broker (xvmd's guest protocol); all are
 * inherited descriptors.  The exit status says how it ended:
 *   0 it powered off, 1 the monitor failed (usage, image, KVM),
 *   2 it crashed (it said so, misbehaved or faulted), 3 it asked for a
 *   reboot, 4 SIGTERM or SIGINT stopped it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kvm/elf.h"
#include "kvm/kvm.h"
#include "kvm_probe.h"
#include "kvm_pv.h"
#include "xvm/mem.h"
#include "xvm/version.h"

#define EXIT_CRASH 2
#define EXIT_REBOOT 3
#define EXIT_SIGNAL 4
#define MEMORY_MAX_MIB (XKVM_PD_MAX * 1024u)

static struct xkvm_vm *the_vm;
static volatile sig_atomic_t stop_signal;

static void usage(FILE *f)
{
    fprintf(f, "usage: xvm-kvm --kernel FILE [--memory MIB | --mem-fd FD] "
               "[--domid ID]\n"
               "               [--xenstore-fd FD] [--evtchn-fd FD]\n"
               "       xvm-kvm --probe\n");
}

static void on_stop(int sig)
{
    stop_signal = sig;
    if (the_vm)
        xkvm_vm_kick(the_vm);
}

/* The console: the guest's bytes as they are, on stdout. */
static void console_write(void *arg, const void *buf, size_t len)
{
    const char *p = buf;

    (void)arg;
    while (len > 0) {
        ssize_t n = write(STDOUT_FILENO, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return; /* stdout gone: the guest goes on without it */
        p += n;
        len -= (size_t)n;
    }
}

static const struct xkvm_dev_ops dev_ops = {
    .console_write = console_write,
};

/* Read the image whole; it must be a regular file that fits in RAM. */
static void *image_read(const char *path, uint64_t ram_size, size_t *len)
{
    struct stat st;
    char *buf = NULL;
    size_t got = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

    if (fd < 0 || fstat(fd, &st) < 0) {
        fprintf(stderr, "xvm-kvm: %s: %s\n", path, strerror(errno));
        goto out_close;
    }
    if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > ram_size) {
        fprintf(stderr, "xvm-kvm: %s: refused: %s\n", path,
                S_ISREG(st.st_mode) ? "larger than guest RAM"
                                    : "not a regular file");
        goto out_close;
    }
    buf = malloc(st.st_size ? (size_t)st.st_size : 1);
    while (buf && got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

        if (n <= 0) {
            fprintf(stderr, "xvm-kvm: %s: %s\n", path,
                    n < 0 ? strerror(errno) : "shrank while read");
            free(buf);
            buf = NULL;
            goto out_close;
        }
        got += (size_t)n;
    }
    *len = got;
out_close:
    if (fd >= 0)
        close(fd);
    return buf;
}

static int image_load(struct xvm_mem *mem, const char *path,
                      struct xkvm_boot *boot)
{
    uint64_t ram_size = (uint64_t)xvm_mem_nr_frames(mem) * XKVM_PAGE_SIZE;
    struct xkvm_elf_error where;
    enum xkvm_elf_status st;
    size_t len = 0;
    void *img = image_read(path, ram_size, &len);

    if (!img)
        return -1;
    st = xkvm_elf_load(xvm_mem_base(mem), ram_size, img, len, boot, &where);
    free(img);
    if (st == XKVM_ELF_OK)
        return 0;
    if (where.phdr >= 0)
        fprintf(stderr, "xvm-kvm: %s: refused: program header %d: %s\n",
                path, where.phdr, xkvm_elf_strerror(st));
    else
        fprintf(stderr, "xvm-kvm: %s: refused: %s\n", path,
                xkvm_elf_strerror(st));
    return -1;
}

static int guest_run(struct xkvm_vm *vm)
{
    struct sigaction sa = { .sa_handler = on_stop }; /* no SA_RESTART */
    struct xkvm_stop stop;

    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    the_vm = vm;
    do {
        xkvm_vm_run(vm, &dev_ops, NULL, &stop);
    } while (stop.reason == XKVM_STOP_KICKED && !stop_signal);
    the_vm = NULL;
    switch (stop.reason) {
    case XKVM_STOP_POWEROFF:
        fprintf(stderr, "xvm-kvm: guest stopped: poweroff\n");
        return 0;
    case XKVM_STOP_REBOOT:
        fprintf(stderr, "xvm-kvm: guest stopped: reboot\n");
        return EXIT_REBOOT;
    case XKVM_STOP_CRASH:
        fprintf(stderr, "xvm-kvm: guest crashed: %s\n", stop.why);
        return EXIT_CRASH;
    case XKVM_STOP_KICKED:
        fprintf(stderr, "xvm-kvm: guest destroyed (%s)\n",
                strsignal(stop_signal));
        return EXIT_SIGNAL;
    case XKVM_STOP_ERROR:
        break;
    }
    fprintf(stderr, "xvm-kvm: monitor failed: %s\n", stop.why);
    return 1;
}

static int kernel_main(const char *path, unsigned mib, int mem_fd,
                       struct kvm_pv_opts *pvo)
{
    struct xkvm_boot boot;
    struct xkvm_pv *pv;
    struct xkvm_vm *vm;
    struct xvm_mem *mem;
    int rc;

    mem = mem_fd >= 0 ? xvm_mem_open(mem_fd)
                      : xvm_mem_create("xvm-kvm",
                                       mib * (1u << 20) / XKVM_PAGE_SIZE);
    if (!mem) {
        fprintf(stderr, "xvm-kvm: guest RAM of %u MiB: %s\n", mib,
                strerror(errno));
        return 1;
    }
    if (image_load(mem, path, &boot) < 0) {
        xvm_mem_destroy(mem);
        return 1;
    }
    vm = xkvm_vm_create(xvm_mem_fd(mem));
    xvm_mem_destroy(mem); /* the VM keeps its own mapping */
    if (!vm) {
        kvm_vm_error(errno);
        return 1;
    }
    rc = xkvm_vm_boot(vm, &boot);
    if (rc < 0) {
        fprintf(stderr, "xvm-kvm: cannot set the vCPU up: %s\n",
                strerror(-rc));
        xkvm_vm_destroy(vm);
        return 1;
    }
    pv = kvm_pv_attach(vm, pvo);
    pvo->xs_fd = -1; /* the interface's now */
    if (!pv) {
        fprintf(stderr, "xvm-kvm: domain %u: %s\n", pvo->domid,
                strerror(errno));
        xkvm_vm_destroy(vm);
        return 1;
    }
    rc = guest_run(vm);
    xkvm_vm_destroy(vm);
    xkvm_pv_destroy(pv);
    return rc;
}

/* --mem-fd, --xenstore-fd, --evtchn-fd (open descriptors) and --domid. */
static int domain_opt(int c, const char *arg, int *mem_fd,
                      struct kvm_pv_opts *pvo)
{
    unsigned long v;
    char *end;

    errno = 0;
    v = strtoul(arg, &end, 10);
    if (errno || end == arg || *end || arg[0] == '-' ||
        v > (c == 'd' ? DOMID_FIRST_RESERVED - 1u : (unsigned long)INT32_MAX) ||
        (c != 'd' && fcntl((int)v, F_GETFD) < 0)) {
        fprintf(stderr, "xvm-kvm: %s %s: %s\n",
                c == 'd' ? "--domid" : "descriptor", arg,
                c == 'd' ? "a domain id below 0x7ff0" : "not an open descriptor");
        return -1;
    }
    if (c == 'M')
        *mem_fd = (int)v;
    else if (c == 'x')
        pvo->xs_fd = (int)v;
    else if (c == 'e')
        pvo->chan_fd = (int)v;
    else
        pvo->domid = (unsigned)v;
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "kernel", required_argument, NULL, 'k' },
        { "memory", required_argument, NULL, 'm' },
        { "probe", no_argument, NULL, 'p' },
        { "mem-fd", required_argument, NULL, 'M' },
        { "domid", required_argument, NULL, 'd' },
        { "xenstore-fd", required_argument, NULL, 'x' },
        { "evtchn-fd", required_argument, NULL, 'e' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *kernel = NULL;
    struct kvm_pv_opts pvo = { .domid = 0, .xs_fd = -1, .chan_fd = -1 };
    unsigned long mib = 16;
    int probe = 0, mem_fd = -1, c;
    char *end;

    if (xvm_version_opt(argc, argv, "xvm-kvm"))
        return 0;
    while ((c = getopt_long(argc, argv, "k:m:phM:d:x:e:", opts, NULL)) != -1) {
        switch (c) {
        case 'k': kernel = optarg; break;
        case 'p': probe = 1; break;
        case 'm':
            errno = 0;
            mib = strtoul(optarg, &end, 10);
            if (errno || end == optarg || *end || optarg[0] == '-' ||
                mib < XKVM_RAM_MIN >> 20 || mib > MEMORY_MAX_MIB) {
                fprintf(stderr, "xvm-kvm: --memory %s: a number of MiB from "
                        "%u to %u\n", optarg, XKVM_RAM_MIN >> 20,
                        MEMORY_MAX_MIB);
                return 1;
            }
            break;
        case 'M':
        case 'x':
        case 'e':
        case 'd':
            if (domain_opt(c, optarg, &mem_fd, &pvo) < 0)
                return 1;
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 1;
        }
    }
    if (optind != argc || probe == !!kernel) {
        usage(stderr);
        return 1;
    }
    return probe ? kvm_probe_main()
                 : kernel_main(kernel, (unsigned)mib, mem_fd, &pvo);
}
