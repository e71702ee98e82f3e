/* SPDX-License-Identifier: MIT */
/*
 * vswitchd: the dom0 virtual switch.
 *
 *   vswitchd [-c config] [-S state-dir] [-s socket] [-G group]
 *            [-F file-prefix] [-m MB] [-l cpu[,cpu...]] [-w workers] [-P]
 *            [-x XS_SOCKET [-X XVMD_SOCKET]] [-- EAL options]
 *
 * The fast path is one or more workers (-w, or one per CPU of -l), each
 * an EAL lcore (the main thread is worker 0): each polls the ports it
 * owns and, after IDLE_US without a frame, sleeps on their fds and
 * interrupts.  A DPDK control thread serves the control socket.  SIGTERM
 * or SIGINT stop it cleanly; the state directory keeps the persistent
 * configuration.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "xvm/rundir.h"
#include "netback/netback.h"
#include "server.h"
#include "vsw/pool.h"
#include "vsw/switch.h"
#include "vswmgr/vifs.h"
#include "vswctl/ctl.h"
#include "vswmgr/mgr.h"
#include "xvm/daemon.h"
#include "xvm/log.h"
#include "xvm/version.h"

#define DEFAULT_STATE_DIR "/var/lib/xvnet"
#define DEFAULT_PREFIX "vswitchd"
#define DEFAULT_MEM_MB 256
/* The packet pool (POOL_MBUFS of 2 KiB) and the EAL's own memory. */
#define MIN_MEM_MB 80
#define POOL_MBUFS 16383
#define POOL_CACHE 256
/*
 * Busy-poll this long after the last frame before sleeping.  While it
 * polls with nothing to do it yields: a guest's pump this thread just
 * woke may be waiting for this very CPU (on a host with few CPUs it
 * otherwise waited out the whole spin; bench/fptrace.sh measured it).
 */
#define IDLE_US 200
/* Longest sleep; and the bound when a port cannot wake us (af_packet). */
#define SLEEP_MAX_US 100000
#define SLEEP_NOWAKE_US 1000
#define EAL_ARGS_MAX 64

struct opts {
    const char *config;
    const char *state_dir;
    const char *sock;
    const char *group; /* -G, or NULL: XVM_READ_GROUP if it exists */
    gid_t gid;         /* its gid; (gid_t)-1: root only */
    const char *prefix;
    const char *cpu;   /* -l: the workers' CPUs, or NULL */
    unsigned workers;  /* -w, or the CPUs of -l; 0 until parsed */
    int worker_cpu[VSW_WORKERS_MAX]; /* CPUs: -l, then EAL's; -1 floating */
    const char *xs_sock, *xvmd_sock; /* -x, -X: guest vifs from xenstore */
    unsigned max_queues;             /* -q: a guest vif's queues; 0: default */
    unsigned mem_mb;
    bool pci;
    bool huge; /* the EAL runs on hugepages (some were free at start) */
    int eal_argc; /* extra EAL options after "--" */
    char **eal_argv;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

/* libnetback's lines (a vif disabled, ...) into the daemon's log. */
static void netback_log(const char *line)
{
    xvm_log_warn("%s", line);
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: vswitchd [-c config] [-S state-dir] [-s socket]\n"
            "                [-G group] [-F file-prefix] [-m MB]\n"
            "                [-l cpu[,cpu...]] [-w workers] [-P]\n"
            "                [-x xs-socket [-X xvmd-socket] [-q N]]"
            " [-- EAL options]\n"
            "  -c  boot configuration (links and VNICs, see vswitchd(8))\n"
            "  -S  persistent state directory (default %s)\n"
            "  -s  control socket (default %s)\n"
            "  -G  group (name or number) whose members may read, e.g.\n"
            "      dladm show-link (default %s if it exists; none: root\n"
            "      only)\n"
            "  -F  DPDK --file-prefix (default %s)\n"
            "  -m  memory in MB when running without hugepages (%u)\n"
            "  -l  CPUs of the fast path, one worker pinned to each\n"
            "      (default: one worker on the last CPU allowed)\n"
            "  -w  fast-path workers (default: one per CPU of -l, or 1);\n"
            "      without -l, several float over the CPUs allowed\n"
            "  -P  scan PCI devices (off: virtual devices only)\n"
            "  -x  serve the guest vifs of dom0's xenstore at this socket\n"
            "  -X  xvmd's control socket, with -x (default: xvmd's)\n"
            "  -q  the most netif queues a guest's vif may have, 1-%u,\n"
            "      with -x (default: the online CPUs, at most %u)\n",
            DEFAULT_STATE_DIR, xvm_run_path(XVM_SOCK_VSWITCHD), XVM_READ_GROUP,
            DEFAULT_PREFIX,
            DEFAULT_MEM_MB, NETIF_QUEUES_MAX, NB_QUEUES_DEFAULT);
}

/* -q: the queues a guest's vif may have. */
static int queues_parse(const char *arg, unsigned *n)
{
    char *end;
    unsigned long v;

    errno = 0;
    v = strtoul(arg, &end, 10);
    if (!isdigit((unsigned char)*arg) || *end || errno || v < 1 ||
        v > NETIF_QUEUES_MAX) {
        fprintf(stderr, "vswitchd: -q: '%s' is not a number of queues "
                "(1-%u)\n", arg, NETIF_QUEUES_MAX);
        return -1;
    }
    *n = (unsigned)v;
    return 0;
}

/* -m: a whole number of MB, enough for the packet pool. */
static int mem_parse(const char *arg, unsigned *mb)
{
    char *end;
    unsigned long v;

    errno = 0;
    v = strtoul(arg, &end, 10);
    if (!isdigit((unsigned char)*arg) || *end || errno || v > 1048576) {
        fprintf(stderr, "vswitchd: -m: '%s' is not a number of MB\n", arg);
        return -1;
    }
    if (v < MIN_MEM_MB) {
        fprintf(stderr, "vswitchd: -m: at least %u MB (the packet pool "
                "needs them)\n", MIN_MEM_MB);
        return -1;
    }
    *mb = (unsigned)v;
    return 0;
}

/* -l: CPUs this process may run on, each once; @return how many. */
static int cpu_check(const char *arg, int cpus[VSW_WORKERS_MAX])
{
    cpu_set_t set, seen;
    const char *p = arg;
    char *end;
    unsigned long v;
    int n = 0;

    CPU_ZERO(&seen);
    if (sched_getaffinity(0, sizeof(set), &set) < 0)
        CPU_ZERO(&set);
    for (;;) {
        errno = 0;
        v = strtoul(p, &end, 10);
        if (!isdigit((unsigned char)*p) || (*end && *end != ',') || errno) {
            fprintf(stderr, "vswitchd: -l: '%s' is not a list of CPU "
                    "numbers (e.g. 2 or 2,3)\n", arg);
            return -1;
        }
        if (CPU_COUNT(&set) && (v >= CPU_SETSIZE || !CPU_ISSET(v, &set))) {
            fprintf(stderr, "vswitchd: -l: CPU %lu does not exist or is not "
                    "allowed here (%d CPUs allowed)\n", v, CPU_COUNT(&set));
            return -1;
        }
        if (CPU_ISSET(v, &seen)) {
            fprintf(stderr, "vswitchd: -l: CPU %lu given twice\n", v);
            return -1;
        }
        CPU_SET(v, &seen);
        if (n < VSW_WORKERS_MAX)
            cpus[n] = (int)v;
        n++;
        if (!*end)
            return n;
        p = end + 1;
    }
}

/* -w: how many workers; at most the CPUs it may use. */
static int workers_parse(const char *arg, unsigned *workers)
{
    cpu_set_t set;
    char *end;
    unsigned long v, max = VSW_WORKERS_MAX;

    if (sched_getaffinity(0, sizeof(set), &set) == 0 &&
        (unsigned long)CPU_COUNT(&set) < max)
        max = (unsigned long)CPU_COUNT(&set);
    errno = 0;
    v = strtoul(arg, &end, 10);
    if (!isdigit((unsigned char)*arg) || *end || errno || v < 1 || v > max) {
        fprintf(stderr, "vswitchd: -w: '%s' is not a number of workers "
                "from 1 to %lu (the CPUs it may use)\n", arg, max);
        return -1;
    }
    *workers = (unsigned)v;
    return 0;
}

/* The last CPU this process may run on. */
static int cpu_last(void)
{
    cpu_set_t set;
    int i, last = 0;

    if (sched_getaffinity(0, sizeof(set), &set) == 0)
        for (i = 0; i < CPU_SETSIZE; i++)
            if (CPU_ISSET(i, &set))
                last = i;
    return last;
}

/* -l and -w together: as many CPUs as workers; where each is pinned. */
static int workers_settle(struct opts *o, int ncpus)
{
    unsigned i;

    if (!o->cpu) {
        if (!o->workers)
            o->workers = 1;
        for (i = 0; i < VSW_WORKERS_MAX; i++)
            o->worker_cpu[i] = -1;
        if (o->workers == 1)
            o->worker_cpu[0] = cpu_last();
        return 0;
    }
    if (o->workers && o->workers != (unsigned)ncpus) {
        fprintf(stderr, "vswitchd: -w %u needs as many CPUs in -l (%d "
                "given)\n", o->workers, ncpus);
        return -1;
    }
    if (ncpus > VSW_WORKERS_MAX) {
        fprintf(stderr, "vswitchd: -l: at most %d CPUs (one worker "
                "each)\n", VSW_WORKERS_MAX);
        return -1;
    }
    o->workers = (unsigned)ncpus;
    return 0;
}

/*
 * The pid of another DPDK process that holds @prefix (the EAL locks its
 * runtime config), or 0.
 */
static pid_t prefix_holder(const char *prefix)
{
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    char path[256];
    int fd;

    snprintf(path, sizeof(path), "/var/run/dpdk/%s/config", prefix);
    fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return 0;
    if (fcntl(fd, F_GETLK, &fl) < 0 || fl.l_type == F_UNLCK)
        fl.l_pid = 0;
    close(fd);
    return fl.l_pid;
}

static int opts_parse(int argc, char **argv, struct opts *o)
{
    int c, ncpus = 0;

    *o = (struct opts){.state_dir = DEFAULT_STATE_DIR,
                       .sock = xvm_run_path(XVM_SOCK_VSWITCHD),
                       .prefix = DEFAULT_PREFIX,
                       .mem_mb = DEFAULT_MEM_MB};
    while ((c = getopt(argc, argv, "c:S:s:G:F:m:l:w:Px:X:q:h")) != -1) {
        switch (c) {
        case 'c': o->config = optarg; break;
        case 'S': o->state_dir = optarg; break;
        case 's': o->sock = optarg; break;
        case 'G': o->group = optarg; break;
        case 'F': o->prefix = optarg; break;
        case 'm':
            if (mem_parse(optarg, &o->mem_mb) < 0)
                return -1;
            break;
        case 'l':
            if ((ncpus = cpu_check(optarg, o->worker_cpu)) < 0)
                return -1;
            o->cpu = optarg;
            break;
        case 'w':
            if (workers_parse(optarg, &o->workers) < 0)
                return -1;
            break;
        case 'h': usage(stdout); exit(0);
        case 'P': o->pci = true; break;
        case 'x': o->xs_sock = optarg; break;
        case 'X': o->xvmd_sock = optarg; break;
        case 'q':
            if (queues_parse(optarg, &o->max_queues) < 0)
                return -1;
            break;
        default: usage(stderr); return -1;
        }
    }
    /* EAL options only after "--": anything else is a mistake. */
    if (optind < argc && strcmp(argv[optind - 1], "--") != 0) {
        fprintf(stderr, "vswitchd: unexpected argument '%s' (EAL options "
                        "go after --)\n", argv[optind]);
        usage(stderr);
        return -1;
    }
    if (!o->xs_sock && (o->xvmd_sock || o->max_queues)) {
        fprintf(stderr, "vswitchd: -%c goes with -x (guest vifs)\n",
                o->xvmd_sock ? 'X' : 'q');
        return -1;
    }
    o->eal_argc = argc - optind;
    o->eal_argv = argv + optind;
    if (workers_settle(o, ncpus) < 0)
        return -1;
    return xvm_group_resolve("vswitchd", o->group, &o->gid);
}

/* Free hugepages, from /proc/meminfo (0 if none or unreadable). */
static long hugepages_free(void)
{
    char line[128];
    long n = 0;
    FILE *f = fopen("/proc/meminfo", "re");

    if (!f)
        return 0;
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "HugePages_Free: %ld", &n) == 1)
            break;
    fclose(f);
    return n;
}

/*
 * Without -l: one worker on the last CPU this process may run on (EAL's
 * -l), or @workers lcores each free to run on any of them (EAL's
 * --lcores "(0-N)@(cpus)").  @return the EAL option.
 */
static const char *cpu_default(unsigned workers, char *buf, size_t len)
{
    cpu_set_t set;
    size_t off;
    int i;

    if (workers == 1) {
        snprintf(buf, len, "%d", cpu_last());
        return "-l";
    }
    if (sched_getaffinity(0, sizeof(set), &set) < 0)
        CPU_ZERO(&set);
    off = (size_t)snprintf(buf, len, "(0-%u)@(", workers - 1);
    for (i = 0; i < CPU_SETSIZE && off + 8 < len; i++)
        if (CPU_ISSET(i, &set))
            off += (size_t)snprintf(buf + off, len - off, "%d,", i);
    buf[off - 1] = ')';
    return "--lcores";
}

static int eal_start(struct opts *o)
{
    static char prefix[128], mem[16], cpu[1024];
    char *argv[EAL_ARGS_MAX];
    int argc = 0, i;

    argv[argc++] = "vswitchd";
    snprintf(prefix, sizeof(prefix), "--file-prefix=%s", o->prefix);
    argv[argc++] = prefix;
    if (o->cpu) {
        snprintf(cpu, sizeof(cpu), "%s", o->cpu);
        argv[argc++] = "-l";
    } else {
        argv[argc++] = (char *)cpu_default(o->workers, cpu, sizeof(cpu));
    }
    argv[argc++] = cpu;
    if (!o->pci)
        argv[argc++] = "--no-pci";
    o->huge = hugepages_free() > 0;
    if (!o->huge) {
        snprintf(mem, sizeof(mem), "%u", o->mem_mb);
        argv[argc++] = "--no-huge";
        argv[argc++] = "-m";
        argv[argc++] = mem;
    }
    for (i = 0; i < o->eal_argc && argc < EAL_ARGS_MAX - 1; i++)
        argv[argc++] = o->eal_argv[i];
    argv[argc] = NULL;
    return rte_eal_init(argc, argv);
}

/*
 * The CPU each pinned worker runs on, as EAL placed it: worker 0 is the
 * main lcore, the others the worker lcores in order (workers_start()).
 * EAL numbers -l's lcores by CPU, so "-l 1,0" puts worker 0 on CPU 0, not
 * on the CPU listed first.  Floating workers (-w without -l) stay on none.
 */
static void workers_where(struct opts *o)
{
    unsigned lc, i = 1;

    if (o->worker_cpu[0] < 0)
        return;
    o->worker_cpu[0] = (int)rte_lcore_to_cpu_id((int)rte_get_main_lcore());
    RTE_LCORE_FOREACH_WORKER(lc) {
        if (i >= o->workers)
            break;
        o->worker_cpu[i++] = (int)rte_lcore_to_cpu_id((int)lc);
    }
}

/* Where the workers run, for the log: "on CPUs 0,1", or floating. */
static const char *workers_str(const struct opts *o, char *buf, size_t len)
{
    size_t off;
    unsigned i;

    if (o->worker_cpu[0] < 0)
        return "floating (pinned to no CPU)";
    off = (size_t)snprintf(buf, len, "on CPU%s ", o->workers > 1 ? "s" : "");
    for (i = 0; i < o->workers && off < len; i++)
        off += (size_t)snprintf(buf + off, len - off, "%s%d", i ? "," : "",
                                o->worker_cpu[i]);
    return buf;
}

/* A worker's loop until a signal: poll, and sleep when idle. */
static void fast_path(struct vsw_switch *sw, unsigned worker)
{
    uint64_t hz = rte_get_tsc_hz(), idle_cycles = hz * IDLE_US / 1000000;
    uint64_t last_work = rte_rdtsc();

    while (!stop) {
        if (vsw_switch_poll(sw, worker)) {
            last_work = rte_rdtsc();
            continue;
        }
        if (rte_rdtsc() - last_work > idle_cycles)
            vsw_switch_sleep(sw, worker, SLEEP_MAX_US, SLEEP_NOWAKE_US);
        else
            sched_yield(); /* the CPU to a guest we woke, if it waits */
    }
    vsw_switch_thread_stop(sw, worker);
}

struct worker_arg {
    struct vsw_switch *sw;
    unsigned worker;
    bool started;
};

static int worker_main(void *arg)
{
    struct worker_arg *wa = arg;

    vsw_switch_thread_start(wa->sw, wa->worker);
    __atomic_store_n(&wa->started, true, __ATOMIC_RELEASE);
    fast_path(wa->sw, wa->worker);
    return 0;
}

/*
 * Every worker a thread: this one worker 0, the other lcores the rest,
 * each registered before this returns, so that no control request finds
 * a worker half started.  @return 0, or -1 (then none runs).
 */
static int workers_start(struct vsw_switch *sw, struct worker_arg *wa)
{
    unsigned lc, i = 1, n = vsw_switch_workers(sw);

    RTE_LCORE_FOREACH_WORKER(lc) {
        if (i >= n)
            break;
        wa[i] = (struct worker_arg){.sw = sw, .worker = i};
        if (rte_eal_remote_launch(worker_main, &wa[i], lc) != 0) {
            xvm_log_err("worker %u: lcore %u is busy", i, lc);
            break;
        }
        i++;
    }
    if (i < n) {
        xvm_log_err("%u workers but %u lcores", n, i);
        stop = 1;
        rte_eal_mp_wait_lcore();
        return -1;
    }
    for (i = 1; i < n; i++)
        while (!__atomic_load_n(&wa[i].started, __ATOMIC_ACQUIRE))
            sched_yield();
    vsw_switch_thread_start(sw, 0);
    return 0;
}

static int setup_config(struct vsw_mgr *m, const struct opts *o)
{
    char err[512];
    int rc;

    if (o->config) {
        rc = vsw_mgr_load(m, o->config, false, err, sizeof(err));
        if (rc < 0) {
            xvm_log_err("%s", err);
            return rc;
        }
    }
    rc = vsw_mgr_restore(m, err, sizeof(err));
    if (rc < 0)
        xvm_log_err("cannot restore the state: %s", err);
    return rc < 0 ? rc : 0;
}

static int run(const struct opts *o, struct rte_mempool *pool)
{
    struct vsw_switch_params sp = {.pool = pool, .workers = o->workers};
    /* A NIC may be dedicated (vfio-pci) only on the PCI bus, with
     * hugepages. */
    struct vsw_mgr_params mp = {.pool = pool, .state_dir = o->state_dir,
                                .hostnics = true,
                                .worker_cpus = o->worker_cpu,
                                .pci_bus = o->pci && o->huge};
    struct vsw_switch *sw;
    struct vsw_mgr *m;
    struct server *srv;
    struct vsw_mgr_vifs *xv = NULL;
    struct worker_arg wa[VSW_WORKERS_MAX];
    char where[128], guests[PATH_MAX + 32];
    int rc = 1;

    sw = vsw_switch_create(&sp);
    if (!sw) {
        xvm_log_err("switch: %s", strerror(errno));
        return 1;
    }
    if (vsw_telemetry_attach(sw) < 0)
        xvm_log_warn("telemetry commands not registered");
    mp.sw = sw;
    m = vsw_mgr_create(&mp);
    if (!m) {
        xvm_log_err("datalink manager (state directory %s, host NICs): %s",
                    o->state_dir, strerror(errno));
        goto destroy_sw;
    }
    if (setup_config(m, o) < 0)
        goto destroy_mgr;
    if (o->xs_sock &&
        !(xv = vsw_mgr_vifs_create(o->xs_sock, o->xvmd_sock,
                                              o->max_queues, m, sw))) {
        xvm_log_err("xenstore %s: %s", o->xs_sock, strerror(errno));
        goto destroy_mgr;
    }
    if (workers_start(sw, wa) < 0)
        goto destroy_mgr;
    srv = server_start(o->sock, o->gid, m, sw, xv);
    if (!srv) {
        xvm_log_err("cannot serve %s: %s", o->sock, strerror(errno));
        stop = 1;
        rte_eal_mp_wait_lcore();
        vsw_switch_thread_stop(sw, 0);
        goto destroy_mgr;
    }
    if (o->xs_sock)
        snprintf(guests, sizeof(guests), "guest vifs from %s", o->xs_sock);
    else
        snprintf(guests, sizeof(guests), "no guest vifs (no -x)");
    if (o->gid == (gid_t)-1)
        xvm_log_info("ready on %s (root only), state in %s, %u fast-path "
                     "worker(s) %s, %s", o->sock, o->state_dir, o->workers,
                     workers_str(o, where, sizeof(where)), guests);
    else
        xvm_log_info("ready on %s (group %s, gid %u, may read), state in "
                     "%s, %u fast-path worker(s) %s, %s", o->sock,
                     o->group ? o->group : XVM_READ_GROUP, (unsigned)o->gid,
                     o->state_dir, o->workers,
                     workers_str(o, where, sizeof(where)), guests);
    /* The line scripts wait for, and the service manager's word. */
    printf("vswitchd: ready on %s\n", o->sock);
    fflush(stdout);
    xvm_daemon_ready("ready on %s", o->sock);
    fast_path(sw, 0);
    rte_eal_mp_wait_lcore();
    rc = 0;
    server_stop(srv);
destroy_mgr:
    vsw_mgr_vifs_destroy(xv);
    vsw_mgr_destroy(m);
destroy_sw:
    vsw_telemetry_attach(NULL);
    vsw_switch_destroy(sw);
    return rc;
}

int main(int argc, char **argv)
{
    struct sigaction sa = {.sa_handler = on_signal};
    struct rte_mempool *pool;
    struct opts o;
    pid_t holder;
    int rc;

    if (xvm_version_opt(argc, argv, "vswitchd"))
        return 0;

    xvm_log_open("vswitchd", false);
    nb_set_log(netback_log);
    if (opts_parse(argc, argv, &o) < 0)
        return 1;
    /* Not a signalfd (xvm_signalfd_open()): the fast path never waits on
     * one; a handler without SA_RESTART ends its sleep and sets the flag
     * it polls. */
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    holder = prefix_holder(o.prefix);
    if (holder > 0) {
        xvm_log_err("DPDK file prefix '%s' is in use by process %d (another "
                    "vswitchd?): give this one its own with -F",
                    o.prefix, (int)holder);
        return 1;
    }
    if (eal_start(&o) < 0) {
        xvm_log_err("cannot start DPDK: %s",
                    rte_errno ? rte_strerror(rte_errno)
                              : "see the EAL messages above");
        return 1;
    }
    workers_where(&o);
    pool = vsw_pool_create("vsw_pool", POOL_MBUFS, POOL_CACHE,
                           rte_socket_id());
    if (!pool) {
        xvm_log_err("mbuf pool: %s", rte_strerror(rte_errno));
        rte_eal_cleanup();
        return 1;
    }
    rc = run(&o, pool);
    rte_mempool_free(pool);
    rte_eal_cleanup();
    return rc;
}
