/* SPDX-License-Identifier: MIT */
/*
 * xvm-kvm - runs one KVM guest.
 *
 *   xvm-kvm --kernel FILE [--memory MIB] [--cpl 0|3] [--vcpus N]
 *   xvm-kvm --domain NAME --id ID --kernel FILE [--vcpus N] (run by xvmd)
 *   xvm-kvm --probe
 *   xvm-kvm --version | --help
 *
 * The guest's RAM is a domain memfd (xvm/mem.h) of MIB MiB (default 16),
 * its kernel the ELF image FILE (kvm/elf.h), its console this program's
 * stdout; it starts at the host's privilege level (kvm/abi.h) unless --cpl
 * says which, with N vCPUs (default 1; at most xkvm_host_cpus_max(), and
 * more than one only for a kernel that names its other vCPUs' entry).
 * The image is checked and loaded before /dev/kvm is opened, so a
 * refused image is told as such on any host.  What happens to the guest
 * goes to stderr; the exit status says how it ended:
 *   0 it powered off, 1 the monitor failed (usage, image, KVM),
 *   2 it crashed (it said so, misbehaved or faulted), 3 it asked for a
 *   reboot, 4 SIGTERM or SIGINT stopped it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kvm/elf.h"
#include "kvm/kvm.h"
#include "kvm_probe.h"
#include "xvm_kvm.h"
#include "xvm/mem.h"
#include "xvm/version.h"

#define MEMORY_MAX_MIB (XKVM_PD_MAX * 1024u)

static struct xkvm_vm *the_vm;
static volatile sig_atomic_t stop_signal;

static void usage(FILE *f)
{
    fprintf(f, "usage: xvm-kvm --kernel FILE [--memory MIB] [--cpl 0|3]"
               " [--vcpus N] [--no-ioeventfd] [--stats]\n"
               "       xvm-kvm --domain NAME --id ID --kernel FILE"
               " [--vcpus N]\n"
               "       xvm-kvm --probe\n"
               "       xvm-kvm --version | --help\n"
               "(see xvm-kvm(8))\n");
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
static void *image_read(const char *path, uint64_t ram_size, size_t *len,
                        char *err, size_t cap, int *rc)
{
    struct stat st;
    char *buf = NULL;
    size_t got = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

    if (fd < 0 || fstat(fd, &st) < 0) {
        *rc = -errno;
        snprintf(err, cap, "%s: %s", path, strerror(errno));
        goto out_close;
    }
    if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > ram_size) {
        *rc = -EINVAL;
        snprintf(err, cap, "%s: refused: %s", path,
                 S_ISREG(st.st_mode) ? "larger than guest RAM"
                                     : "not a regular file");
        goto out_close;
    }
    buf = malloc(st.st_size ? (size_t)st.st_size : 1);
    if (!buf) {
        *rc = -ENOMEM;
        snprintf(err, cap, "%s: %s", path, strerror(ENOMEM));
    }
    while (buf && got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

        if (n <= 0) {
            *rc = n < 0 ? -errno : -EIO;
            snprintf(err, cap, "%s: %s", path,
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

int kvm_image_load(struct xvm_mem *mem, const char *path, unsigned vcpus,
                   struct xkvm_boot *boot, char *err, size_t cap)
{
    uint64_t ram_size = (uint64_t)xvm_mem_nr_frames(mem) * XKVM_PAGE_SIZE;
    struct xkvm_elf_error where;
    enum xkvm_elf_status st;
    size_t len = 0;
    int rc = 0;
    void *img = image_read(path, ram_size, &len, err, cap, &rc);

    if (!img)
        return rc;
    st = xkvm_elf_load(xvm_mem_base(mem), ram_size, img, len, boot, &where);
    free(img);
    if (st == XKVM_ELF_OK && vcpus > 1 && !boot->ap_entry) {
        snprintf(err, cap, "%s: refused: %u vCPUs, but it names no entry "
                 "for vCPUs other than 0 (no xvnet AP entry note): it "
                 "runs with one", path, vcpus);
        return -EINVAL;
    }
    if (st == XKVM_ELF_OK) {
        const char *why = xkvm_needs_refusal(boot->needs, xkvm_host_kind());

        if (!why)
            return 0;
        snprintf(err, cap, "%s: refused: %s (this host: %s)", path,
                 why, xkvm_host_name(xkvm_host_kind()));
        return -EINVAL;
    }
    if (where.phdr >= 0)
        snprintf(err, cap, "%s: refused: program header %d: %s", path,
                 where.phdr, xkvm_elf_strerror(st));
    else
        snprintf(err, cap, "%s: refused: %s", path, xkvm_elf_strerror(st));
    return -EINVAL;
}

void kvm_signals_setup(void)
{
    struct sigaction sa = { .sa_handler = on_stop }; /* no SA_RESTART */

    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

/* The words of the two signals that stop a guest (strsignal() may want
 * locale files, which a confined monitor cannot open). */
static const char *stop_words(int sig)
{
    return sig == SIGINT ? "Interrupt" : "Terminated";
}

int kvm_guest_run(struct xkvm_vm *vm, const char *who)
{
    struct xkvm_stop stop;

    the_vm = vm;
    do {
        xkvm_vm_run(vm, &dev_ops, NULL, &stop);
    } while (stop.reason == XKVM_STOP_KICKED && !stop_signal);
    the_vm = NULL;
    switch (stop.reason) {
    case XKVM_STOP_POWEROFF:
        fprintf(stderr, "%s: guest stopped: poweroff\n", who);
        return 0;
    case XKVM_STOP_REBOOT:
        fprintf(stderr, "%s: guest stopped: reboot\n", who);
        return XKVM_EXIT_REBOOT;
    case XKVM_STOP_CRASH:
        fprintf(stderr, "%s: guest crashed: %s\n", who, stop.why);
        return XKVM_EXIT_CRASH;
    case XKVM_STOP_KICKED:
        fprintf(stderr, "%s: guest destroyed (%s)\n", who,
                stop_words(stop_signal));
        return XKVM_EXIT_SIGNAL;
    case XKVM_STOP_ERROR:
        break;
    }
    fprintf(stderr, "%s: monitor failed: %s\n", who, stop.why);
    return 1;
}

int kvm_vcpus_parse(const char *arg, unsigned *vcpus)
{
    unsigned long n;
    char *end;

    errno = 0;
    n = strtoul(arg, &end, 10);
    if (errno || end == arg || *end || arg[0] == '-' || n < 1 ||
        n > xkvm_host_cpus_max()) {
        fprintf(stderr, "xvm-kvm: --vcpus %s: 1 to %u here (at most %u, "
                "and no more than this host's CPUs)\n", arg,
                xkvm_host_cpus_max(), XKVM_CPUS_MAX);
        return -EINVAL;
    }
    *vcpus = (unsigned)n;
    return 0;
}

/* Run the kernel at @path alone; @cpl -1: the host's privilege level. */
static int kernel_main(const char *path, unsigned mib, unsigned vcpus,
                       int cpl, int no_ioeventfd, int stats)
{
    struct xkvm_exit_counts c;
    struct xkvm_boot boot;
    struct xkvm_vm *vm;
    struct xvm_mem *mem;
    char msg[PATH_MAX + 128];
    int rc;

    mem = xvm_mem_create("xvm-kvm", mib * (1u << 20) / XKVM_PAGE_SIZE);
    if (!mem) {
        fprintf(stderr, "xvm-kvm: guest RAM of %u MiB: %s\n", mib,
                strerror(errno));
        return 1;
    }
    if (kvm_image_load(mem, path, vcpus, &boot, msg, sizeof(msg)) < 0) {
        fprintf(stderr, "xvm-kvm: %s\n", msg);
        xvm_mem_destroy(mem);
        return 1;
    }
    vm = xkvm_vm_create(xvm_mem_fd(mem), vcpus);
    xvm_mem_destroy(mem); /* the VM keeps its own mapping */
    if (!vm) {
        kvm_vm_error(errno);
        return 1;
    }
    rc = cpl < 0 ? 0 : xkvm_vm_set_cpl(vm, cpl);
    if (rc == 0)
        rc = xkvm_vm_boot(vm, &boot);
    if (rc < 0) {
        fprintf(stderr, "xvm-kvm: cannot set the vCPUs up: %s\n",
                strerror(-rc));
        xkvm_vm_destroy(vm);
        return 1;
    }
    if (no_ioeventfd)
        xkvm_vm_set_ioeventfd(vm, 0);
    kvm_signals_setup();
    rc = kvm_guest_run(vm, "xvm-kvm");
    if (stats) {
        xkvm_vm_exit_counts(vm, &c);
        fprintf(stderr, "xvm-kvm: exits %" PRIu64 ": hypercalls %" PRIu64
                " (sends %" PRIu64 "), doorbells %" PRIu64 "\n", c.exits,
                c.hcalls, c.sends, c.doorbells);
    }
    xkvm_vm_destroy(vm);
    return rc;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "kernel", required_argument, NULL, 'k' },
        { "memory", required_argument, NULL, 'm' },
        { "probe", no_argument, NULL, 'p' },
        { "domain", required_argument, NULL, 'd' },
        { "id", required_argument, NULL, 'i' },
        { "no-ioeventfd", no_argument, NULL, 'n' },
        { "stats", no_argument, NULL, 's' },
        { "cpl", required_argument, NULL, 'c' },
        { "vcpus", required_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *kernel = NULL, *domain = NULL;
    unsigned long mib = 16, id = 0;
    unsigned vcpus = 1;
    int probe = 0, no_ioeventfd = 0, stats = 0, cpl = -1, c;
    char *end;

    if (xvm_version_opt(argc, argv, "xvm-kvm"))
        return 0;
    while ((c = getopt_long(argc, argv, "k:m:phd:i:nsc:v:", opts,
                            NULL)) != -1) {
        switch (c) {
        case 'k': kernel = optarg; break;
        case 'd': domain = optarg; break;
        case 'i':
            errno = 0;
            id = strtoul(optarg, &end, 10);
            if (errno || end == optarg || *end || optarg[0] == '-' ||
                id == 0 || id > UINT16_MAX) {
                fprintf(stderr, "xvm-kvm: --id %s: a domain id\n", optarg);
                return 1;
            }
            break;
        case 'p': probe = 1; break;
        case 'v':
            if (kvm_vcpus_parse(optarg, &vcpus) < 0)
                return 1;
            break;
        case 'n': no_ioeventfd = 1; break;
        case 's': stats = 1; break;
        case 'c':
            if (strcmp(optarg, "0") != 0 && strcmp(optarg, "3") != 0) {
                fprintf(stderr, "xvm-kvm: --cpl %s: 0 or 3\n", optarg);
                return 1;
            }
            cpl = optarg[0] - '0';
            break;
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
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 1;
        }
    }
    if (optind != argc || probe == !!kernel || !domain != !id ||
        ((no_ioeventfd || stats || cpl >= 0) && (domain || probe)) ||
        (vcpus > 1 && probe)) {
        usage(stderr);
        return 1;
    }
    if (domain)
        return kvm_domain_main(domain, (unsigned)id, kernel, vcpus);
    return probe ? kvm_probe_main() : kernel_main(kernel, (unsigned)mib,
                                                    vcpus, cpl, no_ioeventfd,
                                                    stats);
}
