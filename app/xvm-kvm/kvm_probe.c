/* SPDX-License-Identifier: MIT */
/*
 * xvm-kvm --probe: which KVM the host has, and which guest actions reach
 * the monitor as exits (kvm/kvm.h's probe), as a table.  Each tiny guest
 * gets PROBE_SECONDS: an alarm interrupts a run that never exits.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kvm/kvm.h"
#include "kvm_probe.h"

#define PROBE_SECONDS 5

static void on_alarm(int sig)
{
    (void)sig; /* only to interrupt KVM_RUN */
}

void kvm_vm_strerror(int err, char *buf, size_t cap)
{
    const char *host = xkvm_host_name(xkvm_host_kind());

    if (err == ENOENT || err == EACCES || err == EPERM)
        snprintf(buf, cap, "cannot open /dev/kvm: %s (host KVM: %s)",
                 strerror(err), host);
    else
        snprintf(buf, cap, "cannot make a VM (host KVM: %s): %s", host,
                 strerror(err));
}

void kvm_vm_error(int err)
{
    char msg[160];

    kvm_vm_strerror(err, msg, sizeof(msg));
    fprintf(stderr, "xvm-kvm: %s\n", msg);
}

int kvm_probe_main(void)
{
    struct sigaction sa = { .sa_handler = on_alarm }; /* no SA_RESTART */
    enum xkvm_host host = xkvm_host_kind();
    struct xkvm_probe res;
    int pio_works = 0;

    sigaction(SIGALRM, &sa, NULL);
    printf("host KVM: %s\n", xkvm_host_name(host));
    printf("guests start at CPL %d here\n", xkvm_host_cpl(host));
    printf("%-28s %-3s %-8s %-15s %-5s %s\n", "guest action", "cpl",
           "expected", "got", "works", "detail");
    for (int k = 0; k < XKVM_PROBE_COUNT; k++) {
        int rc;

        alarm(PROBE_SECONDS);
        rc = xkvm_probe_run((enum xkvm_probe_kind)k, &res);
        alarm(0);
        if (rc < 0) {
            kvm_vm_error(-rc);
            return 1;
        }
        printf("%-28s %-3d %-8s %-15s %-5s %s\n", res.action, res.cpl,
               res.expected, xkvm_exit_name(res.exit_reason),
               res.works ? "yes" : "no",
               res.err == -EINTR ? "no exit within the time limit"
                                 : res.detail);
        if (k == XKVM_PROBE_PIO)
            pio_works = res.works;
    }
    printf("hypercalls (port I/O): %s\n", pio_works ? "usable" : "unusable");
    return pio_works ? 0 : 1;
}
