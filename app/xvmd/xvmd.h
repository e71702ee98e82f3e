/* SPDX-License-Identifier: MIT */
/*
 * xvmd.h - internals of the xvmd control daemon.
 *
 * xvmd is single-threaded: one epoll loop (main.c) serves the control
 * socket (ctl.c), reaps children and times out shutdowns (domain.c).  Every
 * function here runs on that thread.
 *
 * A domain (struct xvmd_dom) is a record that outlives its runs: it is
 * defined by its first `xvm create`, persisted in the state directory
 * (store.c) with its UUID, listed as "shut off" when not running, and
 * removed only by `xvm undefine`.  While active it has an id (new for each
 * run, from 1 to XVMD_DOMID_LAST, see domid.c; dom0 is 0), a memory memfd
 * owned here, and a guest run by its kind (struct xvmd_kind_ops).
 */
#ifndef XVMD_XVMD_H
#define XVMD_XVMD_H

#include <stdbool.h>
#include <stddef.h>
#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

#include "xvmdctl/proto.h"
#include "domcfg/domcfg.h"
#include "xvm/log.h"

#define XVMD_DOMAINS_MAX 256

struct xvmd;
struct xvmd_dom;
struct xvmd_console;
struct xvmd_run;
struct xvm_xs;
struct xvmd_waiter;

/** The last domain id handed out: Xen's DOMID_FIRST_RESERVED - 1. */
#define XVMD_DOMID_LAST 0x7FEFu

/** Domain ids in use (domid.c).  Zeroed (xvmd_domid_init): none. */
struct xvmd_domids {
    uint32_t last; /**< the id handed out last, 0 if none yet */
    uint32_t prev; /**< the one before it (for xvmd_domid_cancel) */
    uint64_t used[XVMD_DOMID_LAST / 64 + 1]; /**< bit per id */
};

/** How a guest's run ended, as its kind reads the guest's exit. */
enum xvmd_exit {
    XVMD_EXIT_POWEROFF, /**< it stopped itself: shut off */
    XVMD_EXIT_REBOOT,   /**< it asked to start again: shut off, started */
    XVMD_EXIT_CRASH,    /**< anything else: crashed */
};

/**
 * A domain kind: how a guest is started, paused, stopped and cleaned up.
 * Every member is required.  The lifecycle code in domain.c calls them and
 * then moves the domain's state; a kind never changes dom->state itself.
 */
struct xvmd_kind_ops {
    const char *os_type; /**< "OS Type" in dominfo */
    /**
     * Start the guest of @dom.  dom->id and dom->mem are set.  On success
     * the guest runs and dom->pid is the process to watch (its exit is
     * reported to xvmd_dom_exited()).  On failure nothing is left running
     * or mounted and @err says why.
     * @return 0 or -errno.
     */
    int (*start)(struct xvmd *x, struct xvmd_dom *dom, char *err,
                 size_t errlen);
    /** Stop running the guest's code (running -> paused). 0 or -errno. */
    int (*pause)(struct xvmd_dom *dom);
    /** Undo pause(). 0 or -errno. */
    int (*resume)(struct xvmd_dom *dom);
    /**
     * Ask the guest to shut down cleanly; works on a paused guest too.
     * Returns at once; the guest's exit is reported later.  0 or -errno.
     */
    int (*shutdown)(struct xvmd_dom *dom);
    /** Stop the guest now and reap it; on return dom->pid is 0. */
    void (*kill)(struct xvmd_dom *dom);
    /**
     * Free what start() made once the guest is gone (namespace, fds).
     * Safe to call twice.
     */
    void (*release)(struct xvmd *x, struct xvmd_dom *dom);
    /**
     * Open what `xvm exec` needs to enter the guest: @fd[0] a pidfd of a
     * process in all the guest's namespaces, @fd[1] the directory of the
     * guest's cgroup or -1 if it has none.  Both are the caller's to
     * close.  @return 0 or -errno.
     */
    int (*enter_open)(struct xvmd_dom *dom, int fd[2]);
    /**
     * Take over the running guest of @dom that an earlier xvmd started,
     * from its run record @r (run.c has checked that r->pid is that
     * guest): its channel, memory, console, cgroup.  On success dom->pid,
     * dom->pidfd, dom->mem and dom->ctl_fd are set and @paused says
     * whether it was paused.  On failure nothing of it is kept (the guest
     * runs on) and @err says why.  @return 0 or -errno.
     */
    int (*adopt)(struct xvmd *x, struct xvmd_dom *dom,
                 const struct xvmd_run *r, bool *paused, char *err,
                 size_t errlen);
    /** Fill in the kind's part of @dom's run record (run.c). */
    void (*run_info)(const struct xvmd_dom *dom, struct xvmd_run *r);
    /** The program a guest of this kind runs (xvm-procdom, xvm-kvm):
     *  run.c adopts only a process running it. */
    const char *(*program)(const struct xvmd *x);
    /** How the run ended, from the guest program's wait status @wstatus
     *  (xvmd_dom_reap()). */
    enum xvmd_exit (*exited)(int wstatus);
    /**
     * The hypervisor under the guest, for dominfo: the host's KVM module
     * ("kvm_pvm", ...) and in *@irq whether the guest can be delivered
     * interrupts; NULL for a kind that runs on the host's kernel.
     */
    const char *(*hypervisor)(int *irq);
    /**
     * Nonzero: `xvm shutdown` first asks the guest itself, as Xen
     * toolstacks do, by writing control/shutdown ("poweroff", or "reboot"
     * for `xvm reboot`) in its xenstore home; shutdown() is only the
     * fallback once the grace period is over (xvmd_dom_timeouts()).
     */
    int xs_shutdown;
};

/**
 * What survives an xvmd about a running domain (run.c), in
 * <state>/running/<name>: enough for the next xvmd to find the guest and
 * make sure it is the same process.
 */
struct xvmd_run {
    char boot_id[40];   /**< the kernel's boot id when it was written */
    uint32_t id;        /**< domain id */
    pid_t pid;          /**< the guest process (xvm-procdom) */
    uint64_t start;     /**< its start time (/proc/<pid>/stat, ticks) */
    pid_t init;         /**< process kind: the sandbox's init */
    uint64_t init_start;
    uint64_t ports;     /**< event-channel ports in use (bit n: port n) */
    char cg[PATH_MAX];  /**< the domain's cgroup, or "" */
};

/** The "process" kind (kind_process.c). */
extern const struct xvmd_kind_ops xvmd_kind_process;
/** The "kvm" kind (kind_kvm.c): the monitor xvm-kvm runs the guest. */
extern const struct xvmd_kind_ops xvmd_kind_kvm;

/** A guest that asks for more than XVMD_REBOOTS_MAX reboots within
 *  XVMD_REBOOT_WINDOW_MS is marked crashed instead of started again: a
 *  reboot loop does not spin xvmd. */
#define XVMD_REBOOTS_MAX 10
#define XVMD_REBOOT_WINDOW_MS 10000

/** A guest asked through control/shutdown that did not shut down within
 *  the grace period gets its kind's shutdown(), then this long more
 *  before it is killed. */
#define XVMD_SHUTDOWN_STOP_MS 2000

/** Ports per domain that xvmd brokers (port 0 is never used): the
 *  per-domain quota is XVMD_EVTCHN_PORTS - 1 channels, two eventfds each. */
#define XVMD_EVTCHN_PORTS 64

/**
 * Descriptors never spent on event channels, so that dom0 keeps its
 * control plane when guests ask for all they may: control clients (64),
 * dom0's xenstore connections, the state files, the spare descriptor of
 * xvm_unix_accept(), the console timer.  Each active domain's own
 * descriptors (guest channel, memory, xenstore connection, a netns
 * handle, its cgroup; its console's pty master and slave, log and
 * attached client; a pidfd of its guest once taken over) are kept on
 * top: XVMD_FD_PER_DOMAIN each.
 */
#define XVMD_FD_RESERVE 256
#define XVMD_FD_PER_DOMAIN 10

/** How long a guest's replies may wait unread: its guest channel's send
 *  buffer (SO_SNDBUF); a guest that lets it fill is crashed. */
#define XVMD_GUEST_SNDBUF 16384

/** One brokered channel: both doorbells, made by xvmd. */
struct xvmd_evtchn {
    int gfd;         /**< the guest's doorbell */
    int bfd;         /**< the remote (backend) end's doorbell */
    uint16_t remote; /**< the domain allowed to bind */
    uint8_t used;
    uint8_t bound;   /**< the remote has bound it (once only) */
};

struct xvmd_dom {
    struct xvmd_dom *next;
    uint32_t id; /**< XVMD_NO_ID when shut off */
    uint8_t uuid[16];
    enum xvmd_state state;
    struct xvm_domcfg cfg; /**< name, type, memory, vcpus, vifs; uuid set */
    const struct xvmd_kind_ops *ops;
    struct xvm_mem *mem; /**< the guest's memory while active, else NULL */
    pid_t pid;           /**< guest process while not reaped, else 0 */
    int ctl_fd;          /**< kind's channel to the guest, -1 if none */
    int netns_pinned;    /**< process kind: the namespace file is ours */
    int guest_fd;        /**< process kind: pidfd of the sandbox's init */
    int cg_fd;           /**< the domain's cgroup dir, -1 without one */
    char cg_path[PATH_MAX]; /**< its path, "" without one */
    int pidfd;           /**< a pidfd of dom->pid when it is not our child
                              (adopted), else -1 */
    uint64_t deadline_ms; /**< in shutdown: when to give up and kill */
    int xs_asked;         /**< in shutdown: control/shutdown written, the
                               kind's shutdown() not yet sent */
    int reboot;           /**< in shutdown: start again once off */
    uint64_t reboot_win_ms; /**< when the guest's reboots were first
                                 counted (XVMD_REBOOT_WINDOW_MS) */
    unsigned reboots;       /**< reboots it asked for since then */
    int end_said;           /**< its guest program's XVMD_GUEST_EXIT, or
                                 -1 (said nothing) */
    int autostart;        /**< start when xvmd starts (store.c keeps it) */
    int xs_introduced;    /**< vif.c: introduced to xenstored this run */
    int xs_fd;            /**< vif.c: the guest's end of its xenstore
                               connection until the kind hands it over,
                               else -1 */
    uint8_t vif_mac[XVM_DOMCFG_VIFS_MAX][6]; /**< MACs of this run */
    struct xvmd_evtchn evt[XVMD_EVTCHN_PORTS]; /**< brokered channels */
    /** Of the lines its guest can cause (xvm_log_limited()). */
    struct xvm_log_limit log_limit;
    /** The ports its run record lists: a port closed since is still
     *  there (a next xvmd keeps it from the guest, which is safe), so an
     *  alloc and close in a loop writes the record once per port. */
    uint64_t ports_saved;
    struct xvmd_console *con; /**< console.c: this run's, NULL if none */
};

struct xvmd {
    const char *state_dir;
    const char *netns_dir;    /**< where process domains pin namespaces */
    const char *procdom_path; /**< the xvm-procdom program */
    const char *kvm_path;     /**< the xvm-kvm program (KVM domains) */
    unsigned shutdown_ms;     /**< grace period of `xvm shutdown` */
    struct xvmd_dom *doms;
    struct xvmd_domids domids; /**< ids of the active and crashed domains */
    struct xvm_xs *xs; /**< dom0's connection to the xenstored */
    const char *xs_path; /**< -x: the xenstored's socket */
    gid_t ro_gid;      /**< -G: members may read; (gid_t)-1: root only */
    int ep;                /**< main.c's epoll set (guest channels join) */
    long nofile;           /**< our descriptor limit (RLIMIT_NOFILE) */
    unsigned evt_fds;      /**< eventfds held for event channels */
    struct xvmd_waiter *waiters; /**< parked CREATE/START (ctl.c) */
};

/* domain.c - the table and the lifecycle */

/** Its guest runs, is paused or is shutting down: it holds its id,
 *  memory, cgroup and vifs (running, blocked, paused, in shutdown). */
bool xvmd_dom_active(const struct xvmd_dom *dom);
/** Find a domain by id, UUID or name (in that order), NULL if none. */
struct xvmd_dom *xvmd_dom_find(struct xvmd *x, const char *spec);
/** Count of domain records. */
unsigned xvmd_dom_count(const struct xvmd *x);
/**
 * Define a domain from config text and, if @start, start it (`xvm create`;
 * without @start, `xvm define`).  On error nothing new is left behind.  @err gets a message (without the "xvm: " prefix).  On
 * success *@old is NULL if the record is new, else a copy of the record
 * it replaced (the caller frees it) for xvmd_dom_create_undo().
 */
int xvmd_dom_create(struct xvmd *x, const char *fname, const char *text,
                    size_t len, bool start, struct xvmd_dom **out,
                    struct xvm_domcfg **old, char *err, size_t errlen);
/**
 * Undo a create whose run did not come up: stop the run, then forget a
 * new record (@old NULL; @dom is freed) or put @old back.
 */
void xvmd_dom_create_undo(struct xvmd *x, struct xvmd_dom *dom,
                          const struct xvm_domcfg *old);
int xvmd_dom_pause(struct xvmd *x, struct xvmd_dom *dom, char *err,
                   size_t errlen);
int xvmd_dom_resume(struct xvmd *x, struct xvmd_dom *dom, char *err,
                    size_t errlen);
int xvmd_dom_shutdown(struct xvmd *x, struct xvmd_dom *dom, char *err,
                      size_t errlen);
int xvmd_dom_destroy(struct xvmd *x, struct xvmd_dom *dom, char *err,
                     size_t errlen);
int xvmd_dom_undefine(struct xvmd *x, struct xvmd_dom *dom, char *err,
                      size_t errlen);
/** Shut @dom down as xvmd_dom_shutdown() does, then start it again from
 *  its record once it is off (virsh reboot). */
int xvmd_dom_reboot(struct xvmd *x, struct xvmd_dom *dom, char *err,
                    size_t errlen);
/** Start @dom whenever xvmd starts (@on), or not; kept in the store. */
int xvmd_dom_autostart(struct xvmd *x, struct xvmd_dom *dom, bool on,
                       char *err, size_t errlen);
/** Start every shut-off domain marked autostart (xvmd start); failures
 *  are logged. */
void xvmd_dom_autostart_all(struct xvmd *x);
/** Start shut-off @dom from its record (virsh start). */
int xvmd_dom_start(struct xvmd *x, struct xvmd_dom *dom, char *err,
                   size_t errlen);
/**
 * Apply @spec (`key=value,...`, as a vif entry of a config) to vif @n of
 * @dom's record, keep the record, and, while @dom runs, rewrite the vif's
 * backend keys so that the switch made again (a restart) finds them.  The
 * MAC cannot change.  @return 0, -ENOENT, -EINVAL or the store's -errno.
 */
int xvmd_dom_vif_set(struct xvmd *x, struct xvmd_dom *dom, uint32_t n,
                     const char *spec, char *err, size_t errlen);
/**
 * The guest of running @dom broke the rules (@why, logged with the
 * domain): kill it and mark the domain crashed, as a guest that dies.
 */
void xvmd_dom_crash(struct xvmd *x, struct xvmd_dom *dom, const char *why);
/** Reap every exited child and move its domain on (SIGCHLD). */
void xvmd_dom_reap(struct xvmd *x);
/** Kill overdue shutdowns; return ms until the next deadline, or -1. */
int xvmd_dom_timeouts(struct xvmd *x);
/** Destroy every active domain and free the table (xvmd exit). */
void xvmd_dom_fini(struct xvmd *x);
/** Load the domain records of the state directory (xvmd start). */
int xvmd_dom_init(struct xvmd *x);
/** Milliseconds on CLOCK_MONOTONIC. */
uint64_t xvmd_now_ms(void);

/* domid.c - domain ids */

/** No id in use; the first one handed out is 1. */
void xvmd_domid_init(struct xvmd_domids *d);
/**
 * Take the lowest free id after the one handed out last, wrapping from
 * XVMD_DOMID_LAST to 1.  @return the id, or -ENOSPC if all are in use.
 */
int xvmd_domid_alloc(struct xvmd_domids *d);
/**
 * Give @id back once its domain is gone (shut off: guest reaped, memory,
 * vifs, xenstore and channels released).  Ids outside 1 ..
 * XVMD_DOMID_LAST are ignored.
 */
void xvmd_domid_free(struct xvmd_domids *d, uint32_t id);
/** Mark @id used (a domain taken over from an earlier xvmd).
 *  @return 0, or -EBUSY if it is, -EINVAL if it is no domain id. */
int xvmd_domid_take(struct xvmd_domids *d, uint32_t id);
/**
 * Give back the id just taken for a create that failed, as if it had not
 * been taken: the next create gets it again.
 */
void xvmd_domid_cancel(struct xvmd_domids *d, uint32_t id);

/* vif.c - where the netif wiring of a domain's vifs plugs in */

/**
 * Set up the vifs of @dom (dom->cfg.vifs) once it has an id and memory,
 * before it runs.  @return 0 or -errno with @err set; on failure nothing of
 * the vifs remains.
 */
int xvmd_vif_setup(struct xvmd *x, struct xvmd_dom *dom, char *err,
                   size_t errlen);
/** Rewrite the VNIC property keys of vif @n of running @dom after its
 *  config changed.  @return 0 or -EIO. */
int xvmd_vif_update(struct xvmd *x, struct xvmd_dom *dom, unsigned n);
/** Tear down what xvmd_vif_setup() made.  Safe to call twice. */
void xvmd_vif_teardown(struct xvmd *x, struct xvmd_dom *dom);
/**
 * Ask the guest of running @dom to shut down the Xen way: write @how
 * ("poweroff", "reboot") at /local/domain/<id>/control/shutdown, which the
 * guest may read and clear.  @return 0 or -errno (no xenstore home).
 */
int xvmd_vif_ask_shutdown(struct xvmd *x, struct xvmd_dom *dom,
                          const char *how);
/** Take over the vifs of @dom, adopted from an earlier xvmd: it is in
 *  the store already; their MACs are read back from it. */
void xvmd_vif_adopt(struct xvmd *x, struct xvmd_dom *dom);
/** At start: release and remove from the xenstored every domain of an
 *  earlier xvmd that no longer runs (it outlives xvmd).  @return how
 *  many. */
unsigned xvmd_vif_sweep(struct xvmd *x);

/* evtchn.c - event channels brokered between a guest and its backends */

/**
 * A new unbound port of @dom toward @remote: > 0, or -ENOSPC (@dom has its
 * XVMD_EVTCHN_PORTS - 1), -ENFILE (the global quota: every descriptor
 * xvmd may hold beyond XVMD_FD_RESERVE and its domains' own is an event
 * channel's), or eventfd(2)'s -errno.
 */
int xvmd_evtchn_alloc(struct xvmd *x, struct xvmd_dom *dom, uint16_t remote);
/**
 * Let @requester bind @port of @dom, again if it did before (a restarted
 * backend): 0, -EINVAL (no such port), -EACCES (the port is for another
 * domain), -EISCONN (a port of an adopted run, bound before xvmd
 * restarted: its doorbells are with the guest and the backend only).  On
 * success dom->evt[port] holds the doorbells to hand over.
 */
int xvmd_evtchn_bind(struct xvmd_dom *dom, uint32_t port, uint16_t requester);
/**
 * The guest closes @port of @dom (EVTCHNOP_close): xvmd's doorbells of it
 * are closed and the port and its descriptors go back to the budget.
 * @return 0, or -EINVAL (no such port in use: nothing is given back).
 */
int xvmd_evtchn_close(struct xvmd *x, struct xvmd_dom *dom, uint32_t port);
/** Close every channel of @dom (end of a run). */
void xvmd_evtchn_release(struct xvmd *x, struct xvmd_dom *dom);
/**
 * Serve one request on @dom's guest channel.  The reply never blocks.
 * @return 0 to go on serving (1: an event channel the run record does
 *         not list yet was handed out: the caller saves the record),
 *         -EPIPE when the guest closed the channel
 *         (its exit is reported by SIGCHLD), or -EAGAIN when it left
 *         XVMD_GUEST_SNDBUF of replies unread: the caller crashes it
 *         (xvmd_dom_crash()), xvmd waits for no guest.
 */
int xvmd_guest_serve(struct xvmd *x, struct xvmd_dom *dom);
/** The active domain whose guest channel is @fd, or NULL. */
struct xvmd_dom *xvmd_dom_by_chan(struct xvmd *x, int fd);
/** The active domain whose adopted guest @fd (a pidfd) watches. */
struct xvmd_dom *xvmd_dom_by_pidfd(struct xvmd *x, int fd);
/** The adopted guest of @dom exited (its pidfd said so). */
void xvmd_dom_gone(struct xvmd *x, struct xvmd_dom *dom);

/* run.c - what outlives xvmd about running domains */
/** Write @dom's run record (after a start, on an event channel it does
 *  not list yet); dom->ports_saved then is what it lists. */
void xvmd_run_save(struct xvmd *x, struct xvmd_dom *dom);
/** Remove @dom's run record (its run is over). */
void xvmd_run_remove(struct xvmd *x, const struct xvmd_dom *dom);
/** Read the small file @path (at @dirfd, AT_FDCWD for none) into @buf,
 *  NUL-terminated.  @return the length, or -errno. */
ssize_t xvmd_read_small(int dirfd, const char *path, char *buf, size_t cap);
/** @pid's state letter and start time (clock ticks since boot) from
 *  /proc/<pid>/stat; either may be NULL.  0, or -ESRCH (gone). */
int xvmd_pid_stat(pid_t pid, char *state, uint64_t *start);
/** Start time of @pid from /proc (clock ticks since boot), 0 if gone. */
uint64_t xvmd_pid_start(pid_t pid);
/** The kernel's boot id into @buf ("" if it cannot be read). */
void xvmd_boot_id(char *buf, size_t cap);

/* claim.c - one xvmd per xenstored */

/** The xenstore node naming the xvmd that serves the store. */
#define XVMD_CLAIM_PATH "/tool/xvmd"
/** Claim the store for this xvmd.  0; -EBUSY (logged) when another xvmd
 *  runs on it, or one of another state directory left domains in it; or
 *  -errno.  The claim is never dropped: the domains outlive xvmd. */
int xvmd_claim(struct xvmd *x);
/** Whether @pid runs the program the kernel calls @comm. */
bool xvmd_pid_runs(pid_t pid, const char *comm);
/** At start, inside the loop (x->ep is set): take over every domain an
 *  earlier xvmd left running.  @return how many. */
unsigned xvmd_run_adopt_all(struct xvmd *x);

/* store.c - domain records in <state_dir>/domains/<name>.cfg */

/** Write @dom's record atomically.  0 or -errno. */
int xvmd_store_save(const struct xvmd *x, const struct xvmd_dom *dom);
/** Remove @dom's record.  0 or -errno (a missing record is not one). */
int xvmd_store_remove(const struct xvmd *x, const char *name);
/** Mark domain @name to start with xvmd (@on) or not: a file
 *  <state_dir>/autostart/<name>.  0 or -errno. */
int xvmd_store_autostart(const struct xvmd *x, const char *name, bool on);
/** Is domain @name marked?  (1 or 0) */
int xvmd_store_autostart_get(const struct xvmd *x, const char *name);
/**
 * Call @fn for every record in the store (bad ones are logged and
 * skipped).  0 or -errno if the directory cannot be read or made.
 */
int xvmd_store_load(struct xvmd *x,
                    int (*fn)(struct xvmd *x, const struct xvm_domcfg *cfg));

/* cgroup.c - a domain's cgroup v2 subtree: <name>/ with cpu.max (vcpus),
 * front/ for the kind's own side, guest/ with memory.max */

/**
 * Make @dom's cgroup (dom->cg_fd, dom->cg_path) with its limits, guest/'s
 * memory.max at @guest_max bytes.  Without cgroup v2, a controller, or a
 * writable tree it logs that the limits are not enforced and returns 0
 * with dom->cg_fd -1.  @return 0 or -errno (@err set; the caller removes
 * what was made, xvmd_cg_remove()).
 */
int xvmd_cg_create(const struct xvmd *x, struct xvmd_dom *dom,
                   uint64_t guest_max, char *err, size_t errlen);
/** Kill what is left in @dom's cgroup and remove it (none: nothing). */
void xvmd_cg_remove(struct xvmd_dom *dom);
/** An adopted domain's cgroup @path ("" for none) as dom->cg_fd. */
void xvmd_cg_adopt(struct xvmd_dom *dom, const char *path);
/** XVMD_LIMIT_* bits of the limits @dom's cgroup does not enforce (a
 *  domain that runs: a crashed one has none left). */
uint32_t xvmd_cg_unlimited(const struct xvmd_dom *dom);

/* guest.c - what the kinds' guest programs share (xvm-procdom, xvm-kvm):
 * the descriptors they get, the start handshake, the kill, the take-over */

/**
 * In the child, with its descriptors set: join the domain's cgroup through
 * @cg (a copy of its directory, -1 without one) and become the kind's
 * guest program (xvmd_guest_exec()); returns only if it could not.
 */
typedef void xvmd_guest_exec_fn(const struct xvmd *x,
                                const struct xvmd_dom *dom, int cg);
/**
 * In the child: exec @path with @argv; if that fails, tell xvmd on the
 * channel ("err <errno> cannot run <path>: ...") and _exit.
 */
__attribute__((noreturn)) void xvmd_guest_exec(const char *path,
                                               const char *const *argv);
/**
 * Start the guest program of @dom, every kind's way: the domain's cgroup
 * with guest/'s memory.max at @guest_max bytes, its console, a channel,
 * a child with signals back to default, a process group of its own, the
 * console's slave (or /dev/null) on stdin and stdout, the channel on fd 3
 * and the copies kept for a later xvmd on fds 5 to 7 (xvmd's end of the
 * channel; the pty master; the memory), which then runs @exec.  Then the
 * handshake: the guest is sent its "mem" (the memory and its xenstore
 * connection, which is then closed here) and xvmd waits for its "ok",
 * with a descriptor in *@fd if @fd is not NULL (the kind wants one), or
 * "err <errno> <message>" (@err: "domain NAME: <message>").  On success
 * dom->pid and dom->ctl_fd are set; on failure the kind's kill() and
 * release() have undone it.  @return 0 or -errno (@err set).
 */
int xvmd_guest_start(struct xvmd *x, struct xvmd_dom *dom,
                     uint64_t guest_max, xvmd_guest_exec_fn *exec, int *fd,
                     char *err, size_t errlen);
/** After xvmd_guest_start(): the guest channel non-blocking with a small
 *  send buffer, in the loop (x->ep).  On failure the guest is killed and
 *  released (its kind's kill() and release()).  @return 0 or -errno (@err
 *  set). */
int xvmd_guest_chan_ready(struct xvmd *x, struct xvmd_dom *dom, char *err,
                          size_t errlen);
/** Send @sig to the guest program.  @return 0, -ESRCH (none) or -errno. */
int xvmd_guest_signal(struct xvmd_dom *dom, int sig);
/** SIGTERM to the guest program, then its kind's resume() (a paused one
 *  must see it): a kind's shutdown().  @return 0 or -errno. */
int xvmd_guest_shutdown(struct xvmd_dom *dom);
/** SIGKILL the guest program and reap it (or, adopted, wait on its
 *  pidfd); on return dom->pid is 0. */
void xvmd_guest_kill(struct xvmd_dom *dom);
/** Close the guest channel and the pidfd of an adopted guest. */
void xvmd_guest_release(struct xvmd *x, struct xvmd_dom *dom);
/**
 * Take over the guest program of @r: a pidfd of it, its channel, its
 * memory (checked to be the domain's) and its console from its fds 5 to
 * 7; dom->pid, dom->pidfd, dom->ctl_fd and dom->mem set, both fds in the
 * loop.  On failure nothing is kept and @err says why.  @return 0 or
 * -errno.
 */
int xvmd_guest_adopt(struct xvmd *x, struct xvmd_dom *dom,
                     const struct xvmd_run *r, char *err, size_t errlen);

/* console.c - the console of a domain */

/** Bytes of console output kept: <name>.log holds at most this much; it
 *  is renamed to <name>.log.1 (replacing it) when it would grow past. */
#define XVMD_CONSOLE_LOG_MAX (1024 * 1024)

/**
 * Make the console of @dom's new run: a pty whose master joins the loop
 * (x->ep), whose output is logged to <state_dir>/console/<name>.log and
 * relayed to an attached client.  Without one (logged) the domain runs
 * with no console.  @return 0 or -errno.
 */
int xvmd_console_open(struct xvmd *x, struct xvmd_dom *dom);
/** The console of @dom, adopted from an earlier xvmd: @master is the
 *  pty master the guest kept (taken by this call).  0 or -errno. */
int xvmd_console_adopt(struct xvmd *x, struct xvmd_dom *dom, int master);
/** The pty's master (xvmd's; the guest keeps a copy), or -1. */
int xvmd_console_master(const struct xvmd_dom *dom);
/** The pty's slave for the guest to dup (xvmd keeps it), or -1. */
int xvmd_console_slave(const struct xvmd_dom *dom);
/** The path of @dom's console log, <state_dir>/console/<name>.log, in
 *  @buf.  @return 0 or -ENAMETOOLONG. */
int xvmd_console_log_path(const struct xvmd *x, const struct xvmd_dom *dom,
                          char *buf, size_t cap);
/** Remove @dom's console logs (a create that failed leaves none). */
void xvmd_console_log_remove(struct xvmd *x, struct xvmd_dom *dom);
/**
 * End the console of @dom's run: read what the domain left in the pty
 * into the log, detach the client (it sees the end), close the pty and
 * the log.  Safe to call twice.
 */
void xvmd_console_close(struct xvmd *x, struct xvmd_dom *dom);
/**
 * Attach a client to @dom's console: *@fd gets the client's end of a new
 * socketpair (the caller sends and closes it); xvmd keeps the other.
 * @return 0, -ENODEV (no console), -EBUSY (a client is attached) or
 *         -errno, with @err set.
 */
int xvmd_console_attach(struct xvmd *x, struct xvmd_dom *dom, int *fd,
                        char *err, size_t errlen);
/**
 * Serve @events on @fd if it is a console's (a pty master, an attached
 * client, the console timer).  Never blocks.
 * @return 1 if it was, 0 if @fd is none of them.
 */
int xvmd_console_event(struct xvmd *x, int fd, uint32_t events);

/* ctl.c - the control socket */

/**
 * Answer one request of @len bytes in @req; may send an fd.
 * @return 0 (answered), or 1 when the answer waits for the domain's vifs
 *         (a CREATE or START with WAIT): @sock is parked, the caller must
 *         not read from it until xvmd_ctl_waits() answers and hands it back
 *         to the epoll set.
 */
int xvmd_ctl_handle(struct xvmd *x, int sock, const void *req, size_t len,
                    bool ro);
/**
 * Answer the parked requests whose domains' vifs are all Connected, or
 * failed, or ran out of time (undoing their runs).  Called after every
 * turn of the loop.  @return ms until the next deadline, or -1.
 */
int xvmd_ctl_waits(struct xvmd *x);
/** Answer every parked request on @dom with @why (the domain is about to
 *  be undefined, or xvmd stops); NULL @dom: all of them. */
void xvmd_ctl_waits_cancel(struct xvmd *x, const struct xvmd_dom *dom,
                           const char *why);

#endif /* XVMD_XVMD_H */
