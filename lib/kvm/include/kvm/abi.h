/* SPDX-License-Identifier: MIT */
/*
 * kvm/abi.h - what a KVM guest of xvnet sees: the memory layout and boot
 * state the monitor sets up, and the hypercalls it serves.
 *
 * Freestanding (only <stdint.h>), and its constants usable from assembly:
 * the guest kernels under guest/ include it as they are, as does the
 * monitor (libkvm).  docs/kvm.md explains the choices.
 *
 * Boot state.  The guest starts in 64-bit long mode with paging on:
 * guest-physical addresses from 0 up to XKVM_MAP_MIN or the end of RAM
 * rounded up to 1 GiB, whichever is larger, are identity-mapped with 2 MiB
 * user-accessible pages (read, write, execute).  RIP is the ELF entry, RSP
 * XKVM_BOOT_STACK_TOP, RDI the guest-physical address of a struct
 * xkvm_start_info, RSI 0 (the vCPU's id), RFLAGS 0x2 (interrupts off).
 * There is no IDT: the guest must not take exceptions or interrupts (on
 * kvm_pvm hosts it cannot), so an exception stops it as crashed.
 *
 * More vCPUs.  A domain of start_info.cpus vCPUs (at most XKVM_CPUS_MAX)
 * runs them all from the start, in the same state and on the same page
 * tables, each on its own host thread: vCPU 0 as above, every other one
 * (an application processor) at the entry its kernel names in an
 * XKVM_NOTE_AP_ENTRY note, with RSI its id (1 ..  cpus - 1) and RSP
 * XKVM_BOOT_STACK(id), its own 16 KiB below the others'.  There is no
 * INIT or SIPI: the monitor sets the registers.  A kernel without that
 * note runs only with one vCPU; the monitor refuses to run it with more.
 * An AP waits for its kernel's vCPU 0 as it likes (a timed XKVM_HC_BLOCK
 * is the way to wait without spinning).  Any vCPU may make any
 * hypercall; a shutdown or a crash of one stops them all.  Event
 * channels are bound to vCPU 0 (Xen's default): only vCPU 0's block
 * wakes for a doorbell or xenstore; another vCPU's block is a timed
 * sleep.
 *
 * Privilege.  On kvm_pvm hosts the guest starts at CPL 3 (XKVM_SEL_USER_CODE
 * and XKVM_SEL_USER_DATA), because that host runs a CPL 3 guest on the CPU
 * and emulates a CPL 0 one instruction by instruction; elsewhere at CPL 0
 * (XKVM_SEL_CODE, XKVM_SEL_DATA).  start_info.cpl says which.  A guest that
 * must run on both uses no privileged instruction (hlt, cli, sti, moves to
 * control registers, wrmsr, invlpg...): at CPL 3 each is an exception,
 * hence a crash.  Port I/O works at both: the TSS's I/O bitmap allows every
 * port below XKVM_IO_PORTS, so each `in`/`out` there exits to the monitor
 * as at CPL 0; one at or above it is an exception at CPL 3.
 *
 * Hypercalls.  `outl %eax, $XKVM_HC_PORT` with the call number in EAX and
 * the arguments in RDI, RSI, RDX (Xen's registers on x86_64); the result
 * comes back in RAX.  Only a 4-byte OUT to
 * XKVM_HC_PORT is a hypercall.  The monitor validates every argument; a call
 * it cannot accept (an unknown number, an address outside RAM, a length
 * beyond its cap, an unknown shutdown reason) stops the guest as crashed.
 */
#ifndef KVM_ABI_H
#define KVM_ABI_H

#ifndef __ASSEMBLER__
#include <stdint.h>
#endif

/* Guest-physical layout.  The first MiB is the monitor's: its boot
 * structures live in [XKVM_BOOT_GPA, XKVM_BOOT_END) and stay in use (the
 * GDT and the page tables); the frames below XKVM_BOOT_GPA are left free
 * for the guest's grant table (XVM_GNTTAB_GFN, where backends look for
 * it) and its other shared pages.  The kernel's PT_LOAD segments lie in
 * [XKVM_KERNEL_MIN, RAM). */
#define XKVM_PAGE_SIZE 4096u
#define XKVM_BOOT_GPA 0x10000u      /* first byte of the boot structures */
#define XKVM_GDT_GPA 0x10000u       /* GDT, then TSS and I/O bitmap */
#define XKVM_START_INFO_GPA 0x11000u /* struct xkvm_start_info */
#define XKVM_PML4_GPA 0x12000u
#define XKVM_PDPT_GPA 0x13000u
#define XKVM_PD_GPA 0x14000u        /* one 4 KiB page directory per GiB */
#define XKVM_PD_MAX 16u             /* 16 GiB mapped at most */
#define XKVM_BOOT_END (XKVM_PD_GPA + XKVM_PD_MAX * XKVM_PAGE_SIZE)
#define XKVM_BOOT_STACK_TOP 0x80000u
#define XKVM_BOOT_STACK_BYTES 0x4000u /* each vCPU's, below vCPU 0's */
#define XKVM_BOOT_STACK(id) (XKVM_BOOT_STACK_TOP - (id) * XKVM_BOOT_STACK_BYTES)
/* vCPUs of a guest at most (the monitor also keeps to the host's CPUs). */
#define XKVM_CPUS_MAX 8u
#define XKVM_KERNEL_MIN 0x100000u   /* 1 MiB: the lowest kernel address */
#define XKVM_MAP_MIN (4ull << 30)   /* mapped even if RAM is smaller */
#define XKVM_RAM_MIN (2u << 20)     /* smallest RAM the monitor accepts */

/* GDT selectors: CPL 0 code and data, and CPL 3 data and code where
 * Linux puts its __USER_DS and __USER_CS, the only user selectors a
 * kvm_pvm host lets a guest load. */
#define XKVM_SEL_CODE 0x08
#define XKVM_SEL_DATA 0x10
#define XKVM_SEL_USER_DATA 0x2b
#define XKVM_SEL_USER_CODE 0x33
/* Ports [0, XKVM_IO_PORTS) are open to `in`/`out` at CPL 3. */
#define XKVM_IO_PORTS 0x4000u

/*
 * What a kernel needs of the host, said in an ELF note (a PT_NOTE segment):
 * name "xvnet", type XKVM_NOTE_NEEDS, a 4-byte descriptor of XKVM_NEEDS_*
 * bits.  A kernel without it needs neither.  The monitor refuses a kernel
 * that needs what the host cannot give, and one with bits it does not know.
 */
#define XKVM_NOTE_NAME "xvnet"
#define XKVM_NOTE_NEEDS 1u
/* It takes interrupts or exceptions (it has an IDT). */
#define XKVM_NEEDS_INTERRUPTS 0x1u
/* It runs at CPL 0 (hlt, privileged instructions): on a kvm_pvm host it
 * then starts at CPL 0, where KVM emulates every instruction (slow). */
#define XKVM_NEEDS_SUPERVISOR 0x2u
#define XKVM_NEEDS__ALL 0x3u
/* The entry of the vCPUs other than 0: an 8-byte descriptor, the
 * guest-physical address (inside an executable PT_LOAD) where they start.
 * A kernel that can run on more than one vCPU says so with it. */
#define XKVM_NOTE_AP_ENTRY 2u

#define XKVM_START_MAGIC 0x314d564bu /* "KVM1" little-endian */
#define XKVM_START_VERSION 3u

/* The hypercall port: an 8-bit port, so `out` takes it as an immediate and
 * RDX stays free for the third argument. */
#define XKVM_HC_PORT 0x88

/* Event-channel doorbells: a 1-byte `out` (any value) to I/O port
 * XKVM_DOORBELL_BASE + p is EVTCHNOP_send on port p, without a result.
 * `outb %al, %dx` with DX = XKVM_DOORBELL_PORT(p).  Where the host allows
 * it the monitor registers the port's peer eventfd as a KVM ioeventfd at
 * that address, so the write signals the backend in the kernel with no
 * exit to the monitor; elsewhere the exit reaches the monitor, which does
 * what XKVM_HC_EVTCHN_SEND does.  Either way: a port the guest does not
 * hold (or p = 0), an `in`, another size or a `rep` stops the guest as
 * crashed; a port whose peer has gone or that is not bound drops the
 * doorbell (the send's -ENOTCONN, which a doorbell cannot return). */
#define XKVM_DOORBELL_BASE 0x1000
#define XKVM_DOORBELL_PORT(p) (XKVM_DOORBELL_BASE + (p))

/* Hypercall numbers (EAX). */
/** Write RSI bytes at guest-physical RDI to the console.  At most
 * XKVM_CONSOLE_MAX bytes, all inside RAM.  Returns the count written. */
#define XKVM_HC_CONSOLE_WRITE 1
/** Stop the domain; RDI is an XKVM_SHUTDOWN_* reason.  Does not return. */
#define XKVM_HC_SHUTDOWN 2
/** Wait until an event is pending or RDI nanoseconds have passed (0: do not
 * wait, only look).  Returns 0.  Only the calling vCPU waits; on a vCPU
 * other than 0 it is a sleep of RDI nanoseconds (XKVM_BLOCK_FOREVER is
 * refused there: nothing could end it).  On vCPU 0, before it waits, and
 * after, the monitor marks pending in the shared page every port whose
 * doorbell rang and relays the xenstore ring; it returns at once if an unmasked port is
 * pending or new xenstore bytes were put in the ring.  An endless wait
 * (XKVM_BLOCK_FOREVER) with nothing that could end it (no port, no
 * xenstore ring) is refused. */
#define XKVM_HC_BLOCK 3
/** Grant table: RDI the first of RSI (1..XKVM_GNTTAB_FRAMES_MAX)
 * consecutive frames that hold the guest's grant_entry_v1_t array (Xen's
 * GNTTABOP_setup_table the other way round: the guest names the frames).
 * Backends are told XVM_GNTTAB_GFN and XVM_GNTTAB_FRAMES (xvm/gnttab.h),
 * so a guest that wants backends puts it there.  Once.  Returns 0. */
#define XKVM_HC_GNTTAB_SETUP 4
/** Shared page: RDI the frame of the guest's struct shared_info (Xen's),
 * where the monitor sets evtchn_pending bits (and, for an unmasked port,
 * evtchn_pending_sel and evtchn_upcall_pending of vcpu_info[0]) and reads
 * evtchn_mask.  Once, before any event-channel call.  Returns 0. */
#define XKVM_HC_SHARED_INFO 5
/** EVTCHNOP_alloc_unbound: RDI the remote domain.  Returns the new port
 * (1..XKVM_EVTCHN_PORTS-1), or a negative errno when the broker refuses
 * (-ENOSPC: no port left). */
#define XKVM_HC_EVTCHN_ALLOC_UNBOUND 6
/** EVTCHNOP_bind_interdomain: RDI the remote domain, RSI its port.
 * Returns the new local port or a negative errno: -ENOSYS while the
 * broker cannot bind for a guest (xvmd's guest channel cannot yet).
 * Without a broker the guest may bind to one of its own unbound ports
 * (RDI its own domain id, 0 for a guest run alone): a loopback channel
 * whose two ports signal each other; -EINVAL if RSI is not such a port. */
#define XKVM_HC_EVTCHN_BIND 7
/** EVTCHNOP_send: RDI a port the guest holds.  Returns 0, or -ENOTCONN
 * when the peer has gone. */
#define XKVM_HC_EVTCHN_SEND 8
/** EVTCHNOP_close: RDI a port the guest holds.  Returns 0. */
#define XKVM_HC_EVTCHN_CLOSE 9
/** Xenstore ring: RDI the frame of the guest's struct
 * xenstore_domain_interface (Xen's xs_wire.h), which the guest zeroed.
 * The monitor relays its req ring to the domain's xenstore connection and
 * the connection's bytes into its rsp ring.  Once.  Returns 0, or -ENODEV
 * when the monitor has no xenstore connection for the domain. */
#define XKVM_HC_XS_SETUP 10
/** The guest put requests in the xenstore ring or took responses: relay
 * now (without waiting).  Returns 0. */
#define XKVM_HC_XS_NOTIFY 11

/* Shutdown reasons: Xen's SHUTDOWN_* values. */
#define XKVM_SHUTDOWN_POWEROFF 0
#define XKVM_SHUTDOWN_REBOOT 1
#define XKVM_SHUTDOWN_CRASH 3

#define XKVM_CONSOLE_MAX 4096u
#define XKVM_BLOCK_FOREVER 0xffffffffffffffffull
/** Grant-table frames a guest may name (XKVM_HC_GNTTAB_SETUP). */
#define XKVM_GNTTAB_FRAMES_MAX 64u
/** Event-channel ports of a guest: 1 .. XKVM_EVTCHN_PORTS - 1 (port 0 is
 * never used, as in Xen); all in word 0 of the shared page's bitmaps. */
#define XKVM_EVTCHN_PORTS 64u

#ifndef __ASSEMBLER__
/** At RDI on entry.  The guest may reuse the page once it has read it. */
struct xkvm_start_info {
    uint32_t magic;      /* XKVM_START_MAGIC */
    uint32_t version;    /* XKVM_START_VERSION */
    uint64_t ram_bytes;  /* guest RAM: [0, ram_bytes) */
    uint64_t kernel_end; /* first byte after the highest kernel segment */
    uint32_t cpl;        /* the privilege level it started at: 0 or 3 */
    uint32_t cpus;       /* vCPUs running, 1 .. XKVM_CPUS_MAX (version 3) */
};
#endif

#endif /* KVM_ABI_H */
