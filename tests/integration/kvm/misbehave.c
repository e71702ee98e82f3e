/* SPDX-License-Identifier: MIT */
/*
 * Guests that misbehave, one misdeed per image (-DMISDEED=MD_...), built
 * from minios's entry and console.  Each first says which it is on the
 * console (so the console works up to the misdeed), then does it; the
 * monitor must stop it as crashed with a message saying what it did, and
 * nothing else.  MD_REBOOT, MD_BLOCK_SHORT, MD_TICK, MD_LATE_OFF,
 * MD_DOORBELL and MD_EVTCHN_CHURN behave, to cover the calls the hello
 * guest does not make, to keep a console busy, to end a run later, to
 * count doorbells and to spend more ports than a broker's budget.
 * Run with more vCPUs (ap.S's entry), the others sleep in timed blocks,
 * except in the misdeeds of another vCPU: MD_AP_HCALL (vCPU 1 makes an
 * unknown hypercall while vCPU 0 waits), MD_AP_SPIN (vCPU 1 loops on the
 * CPU forever while vCPU 0 waits: only a signal stops it) and
 * MD_AP_BLOCK_FOREVER (vCPU 1 blocks with no timeout: nothing could end
 * it, as no event wakes another vCPU than 0).
 */
#include <stdint.h>

#include "console.h"
#include "hcall.h"
#include "xvm/xen.h"

enum misdeed {
    MD_CONSOLE_OUTSIDE,  /* console write beyond the end of RAM */
    MD_CONSOLE_WRAPS,    /* an address whose end wraps past 2^64 */
    MD_CONSOLE_TOO_LONG, /* one byte over XKVM_CONSOLE_MAX */
    MD_UNKNOWN_HCALL,    /* hypercall 99 */
    MD_BAD_SHUTDOWN,     /* shutdown reason 7 */
    MD_REPORTS_CRASH,    /* shutdown(crash) */
    MD_OTHER_PORT,       /* out to port 0x80 */
    MD_HIGH_PORT,        /* out to the first port the TSS keeps closed */
    MD_HCALL_IN,         /* in from the hypercall port */
    MD_HCALL_BYTE,       /* a 1-byte out to the hypercall port */
    MD_MMIO,             /* a load where there is no RAM */
    MD_TRIPLE_FAULT,     /* ud2 with no IDT */
    MD_HLT,              /* hlt, nothing to wake it */
    MD_BLOCK_FOREVER,    /* block with no timeout */
    MD_REBOOT,           /* shutdown(reboot): not a misdeed */
    MD_BLOCK_SHORT,      /* block 1 ms, then power off: not a misdeed */
    MD_SPIN,             /* loops forever: only a signal stops it */
    MD_BLOCK_LONG,       /* blocks for a minute: only a signal stops it */
    MD_TICK,             /* a line every 100 ms, forever: a live console */
    MD_LATE_OFF,         /* blocks 3 s, then powers off: not a misdeed */
    MD_GNTTAB_ON_BOOT,   /* grant table over the monitor's page tables */
    MD_SHARED_OUTSIDE,   /* shared page beyond the end of RAM */
    MD_EVTCHN_NOT_HELD,  /* send on a port it never allocated */
    MD_DOORBELL_NOT_HELD, /* doorbell of a port it never allocated */
    MD_DOORBELL_WORD,    /* a 4-byte out to a held port's doorbell */
    MD_DOORBELL_IN,      /* an in from a held port's doorbell */
    MD_DOORBELL_CLOSED,  /* doorbell of a port it rang, then closed */
    MD_DOORBELL,         /* loopback channel, doorbells and sends: behaves */
    MD_AP_HCALL,         /* vCPU 1: hypercall 99 */
    MD_AP_SPIN,          /* vCPU 1 loops forever: only a signal stops it */
    MD_AP_BLOCK_FOREVER, /* vCPU 1: a block with no timeout */
    MD_EVTCHN_CHURN,     /* allocates and closes a port 200 times: behaves */
};

static const char *const names[] = {
    "console_outside", "console_wraps", "console_too_long", "unknown_hcall",
    "bad_shutdown", "reports_crash", "other_port", "high_port", "hcall_in",
    "hcall_byte", "mmio", "triple_fault", "hlt", "block_forever", "reboot",
    "block_short", "spin", "block_long", "tick", "late_off",
    "gnttab_on_boot", "shared_outside", "evtchn_not_held",
    "doorbell_not_held", "doorbell_word", "doorbell_in", "doorbell_closed",
    "doorbell", "ap_hcall", "ap_spin", "ap_block_forever", "evtchn_churn",
};

#define DOORBELLS 1000

static void put_num(uint64_t n)
{
    char buf[24];
    int i = (int)sizeof(buf) - 1;

    buf[i] = 0;
    do
        buf[--i] = (char)('0' + n % 10);
    while ((n /= 10) && i > 0);
    console_puts(buf + i);
}

/* A loopback channel a <-> b; b's doorbell rung DOORBELLS times and its
 * send hypercall as often: each time a is pending after a look. */
static void doorbells(void)
{
    struct shared_info *sh = (struct shared_info *)(uintptr_t)(5 * 4096);
    int64_t a, b;
    unsigned seen_db = 0, seen_send = 0;

    memset(sh, 0, 4096);
    if (hc_shared_info(5) != 0)
        return;
    a = hc_evtchn_alloc_unbound(0);
    b = hc_evtchn_bind(0, (uint64_t)a);
    console_puts("misbehave: ports ");
    put_num((uint64_t)a);
    console_puts(" ");
    put_num((uint64_t)b);
    console_puts("\n");
    if (a <= 0 || b <= 0)
        return;
    hc_block(0);
    sh->evtchn_pending[0] = 0; /* the bind's own pending bit */
    for (unsigned i = 0; i < DOORBELLS; i++) {
        hc_doorbell((uint32_t)b);
        hc_block(0);
        if (__atomic_fetch_and(&sh->evtchn_pending[0],
                               ~((xen_ulong_t)1 << a), __ATOMIC_SEQ_CST) &
            ((xen_ulong_t)1 << a))
            seen_db++;
    }
    for (unsigned i = 0; i < DOORBELLS; i++) {
        hc_evtchn_send((uint64_t)b);
        hc_block(0);
        if (__atomic_fetch_and(&sh->evtchn_pending[0],
                               ~((xen_ulong_t)1 << a), __ATOMIC_SEQ_CST) &
            ((xen_ulong_t)1 << a))
            seen_send++;
    }
    console_puts("misbehave: doorbell seen ");
    put_num(seen_db);
    console_puts(" send seen ");
    put_num(seen_send);
    console_puts("\n");
    hc_evtchn_close((uint64_t)b);
    hc_evtchn_close((uint64_t)a);
    hc_shutdown(XKVM_SHUTDOWN_POWEROFF);
}

#define CHURNS 200

/* Allocate a port toward dom0 and close it, CHURNS times: more than the
 * ports a broker (xvmd) gives a domain, so each close must have given
 * one back.  Says how many went, and why it stopped if it did. */
static void evtchn_churn(void)
{
    int64_t p = 0;
    unsigned i;

    if (hc_shared_info(5) != 0)
        return;
    for (i = 0; i < CHURNS; i++) {
        p = hc_evtchn_alloc_unbound(0);
        if (p <= 0)
            break;
        hc_evtchn_close((uint64_t)p);
    }
    console_puts("misbehave: churn ");
    put_num(i);
    if (p <= 0) {
        console_puts(" then refused, errno ");
        put_num((uint64_t)-p);
    }
    console_puts("\n");
    hc_shutdown(XKVM_SHUTDOWN_POWEROFF);
}

static char big[XKVM_CONSOLE_MAX + 1];

void minios_main(const struct xkvm_start_info *si);
void minios_ap_main(const struct xkvm_start_info *si, uint64_t cpu);

/* The other vCPUs: asleep but for their own misdeeds (after vCPU 0 has
 * said which it is: a millisecond's sleep first). */
void minios_ap_main(const struct xkvm_start_info *si, uint64_t cpu)
{
    (void)si;
    hc_block(10000000);
    if (MISDEED == MD_AP_HCALL && cpu == 1) {
        console_puts("misbehave: cpu 1 makes hypercall 99\n");
        hcall3(99, 0, 0, 0);
        console_puts("misbehave: cpu 1 still running after the misdeed\n");
    }
    if (MISDEED == MD_AP_BLOCK_FOREVER && cpu == 1)
        hc_block(XKVM_BLOCK_FOREVER);
    if (MISDEED == MD_AP_SPIN && cpu == 1) {
        console_puts("misbehave: cpu 1 spins\n");
        for (;;)
            __asm__ volatile("" ::: "memory");
    }
    for (;;)
        hc_block(100000000);
}

void minios_main(const struct xkvm_start_info *si)
{
    uint32_t v = 0;

    console_puts("misbehave: ");
    console_puts(names[MISDEED]);
    console_puts("\n");
    switch (MISDEED) {
    case MD_CONSOLE_OUTSIDE:
        hcall3(XKVM_HC_CONSOLE_WRITE, si->ram_bytes - 8, 16, 0);
        break;
    case MD_CONSOLE_WRAPS:
        hcall3(XKVM_HC_CONSOLE_WRITE, ~0ull - 3, 16, 0);
        break;
    case MD_CONSOLE_TOO_LONG:
        memset(big, 'x', sizeof(big));
        hc_console_write(big, sizeof(big));
        break;
    case MD_UNKNOWN_HCALL:
        hcall3(99, 0, 0, 0);
        break;
    case MD_BAD_SHUTDOWN:
        hc_shutdown(7);
    case MD_REPORTS_CRASH:
        hc_shutdown(XKVM_SHUTDOWN_CRASH);
    case MD_OTHER_PORT:
        __asm__ volatile("outl %0, $0x80" : : "a"(v));
        break;
    case MD_HIGH_PORT:
        __asm__ volatile("outl %0, %w1" : : "a"(v), "Nd"(XKVM_IO_PORTS));
        break;
    case MD_HCALL_IN:
        __asm__ volatile("inl %1, %0" : "=a"(v) : "i"(XKVM_HC_PORT));
        break;
    case MD_HCALL_BYTE:
        __asm__ volatile("outb %b0, %1" : : "a"(v), "i"(XKVM_HC_PORT));
        break;
    case MD_MMIO:
        v = *(volatile uint32_t *)(uintptr_t)0x3ff00000u;
        break;
    case MD_TRIPLE_FAULT:
        __asm__ volatile("ud2");
        break;
    case MD_HLT:
        __asm__ volatile("hlt");
        break;
    case MD_BLOCK_FOREVER:
        hc_block(XKVM_BLOCK_FOREVER);
        break;
    case MD_REBOOT:
        hc_shutdown(XKVM_SHUTDOWN_REBOOT);
    case MD_BLOCK_SHORT:
        if (hc_block(1000000) == 0 && hc_block(0) == 0)
            console_puts("misbehave: woke\n");
        hc_shutdown(XKVM_SHUTDOWN_POWEROFF);
    case MD_SPIN:
        for (;;)
            __asm__ volatile("" ::: "memory");
    case MD_BLOCK_LONG:
        hc_block(60000000000ull);
        break;
    case MD_LATE_OFF:
        hc_block(3000000000ull);
        hc_shutdown(XKVM_SHUTDOWN_POWEROFF);
    case MD_TICK:
        for (;;) {
            console_puts("misbehave: tick\n");
            hc_block(100000000);
        }
    case MD_GNTTAB_ON_BOOT:
        hc_gnttab_setup(XKVM_PML4_GPA / XKVM_PAGE_SIZE, 1);
        break;
    case MD_SHARED_OUTSIDE:
        hc_shared_info(si->ram_bytes / XKVM_PAGE_SIZE);
        break;
    case MD_EVTCHN_NOT_HELD:
        if (hc_shared_info(5) == 0 && hc_evtchn_alloc_unbound(0) == 1)
            hc_evtchn_send(2);
        break;
    case MD_DOORBELL_NOT_HELD:
        if (hc_shared_info(5) == 0 && hc_evtchn_alloc_unbound(0) == 1)
            hc_doorbell(2);
        break;
    case MD_DOORBELL_WORD:
        if (hc_shared_info(5) == 0 && hc_evtchn_alloc_unbound(0) == 1 &&
            hc_evtchn_bind(0, 1) == 2)
            __asm__ volatile("outl %%eax, %%dx"
                             : : "a"(0), "d"((uint16_t)XKVM_DOORBELL_PORT(2)));
        break;
    case MD_DOORBELL_IN:
        if (hc_shared_info(5) == 0 && hc_evtchn_alloc_unbound(0) == 1 &&
            hc_evtchn_bind(0, 1) == 2)
            __asm__ volatile("inb %%dx, %%al"
                             : "=a"(v) : "d"((uint16_t)XKVM_DOORBELL_PORT(2)));
        break;
    case MD_DOORBELL_CLOSED:
        if (hc_shared_info(5) == 0 && hc_evtchn_alloc_unbound(0) == 1 &&
            hc_evtchn_bind(0, 1) == 2) {
            hc_doorbell(2);
            hc_evtchn_close(2);
            hc_doorbell(2);
        }
        break;
    case MD_DOORBELL:
        doorbells();
        break;
    case MD_AP_HCALL:
    case MD_AP_BLOCK_FOREVER:
        for (unsigned i = 0; i < 100; i++) /* 10 s for vCPU 1's misdeed */
            hc_block(100000000);
        break;
    case MD_AP_SPIN:
        for (;;)
            hc_block(100000000);
    case MD_EVTCHN_CHURN:
        evtchn_churn();
        break;
    }
    console_puts("misbehave: still running after the misdeed\n");
    hc_shutdown(XKVM_SHUTDOWN_POWEROFF);
}
