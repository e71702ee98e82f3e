/* SPDX-License-Identifier: MIT */
/*
 * xvm - the virsh-like command of xvnet: a thin table of commands over the
 * xvmd control protocol (hypervisor/xvmd/proto.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "xvmdctl/client.h"
#include "domcfg/domcfg.h"
#include "xvm/fdpass.h"
#include "xvm/version.h"
#include "xvm/sandbox.h"

static const char *sock_path = XVMD_DEFAULT_SOCKET;

/* A call to xvmd (client.h): 0, or 1 after printing why it failed. */
static int call_run(struct xvmd_call *c)
{
    if (xvmd_call_run(c, sock_path) == 0)
        return 0;
    fprintf(stderr, "xvm: %s\n", c->err);
    return 1;
}

/* One domain of a reply. */
struct dominfo {
    uint32_t id, state, vcpus, pid;
    const char *name, *ostype;
    const uint8_t *uuid;
    uint64_t memory;
};

static int dominfo_get(const struct nlattr *nest, struct dominfo *d)
{
    const struct nlattr *tb[XVMD_D_MAX_ + 1];
    int i;

    if (xvmd_nest_parse(nest, tb, XVMD_D_MAX_, xvmd_dom_policy) < 0)
        return -1;
    for (i = 1; i <= XVMD_D_MAX_; i++)
        if (!tb[i] || (i == XVMD_D_UUID &&
                       mnl_attr_get_payload_len(tb[i]) != 16))
            return -1;
    d->id = mnl_attr_get_u32(tb[XVMD_D_ID]);
    d->name = mnl_attr_get_str(tb[XVMD_D_NAME]);
    d->uuid = mnl_attr_get_payload(tb[XVMD_D_UUID]);
    d->state = mnl_attr_get_u32(tb[XVMD_D_STATE]);
    d->ostype = mnl_attr_get_str(tb[XVMD_D_OSTYPE]);
    d->memory = mnl_attr_get_u64(tb[XVMD_D_MEMORY]);
    d->vcpus = mnl_attr_get_u32(tb[XVMD_D_VCPUS]);
    d->pid = mnl_attr_get_u32(tb[XVMD_D_PID]);
    return 0;
}

static int dom_request(uint16_t cmd, const char *dom, struct xvmd_call *c)
{
    xvmd_call_start(c, cmd);
    if (!mnl_attr_put_strz_check(c->nlh, sizeof(c->req), XVMD_A_DOM, dom) ||
        strlen(dom) > 127) {
        fprintf(stderr, "xvm: '%.40s...': domain name too long\n", dom);
        return 1;
    }
    return call_run(c);
}

static int cmd_create(char **argv)
{
    static struct xvmd_call c;
    static char text[XVM_DOMCFG_TEXT_MAX + 1];
    struct xvm_domcfg cfg;
    char err[1024];
    size_t len = 0;
    ssize_t n = 0;
    int fd = open(argv[0], O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        fprintf(stderr, "xvm: %s: %s\n", argv[0], strerror(errno));
        return 1;
    }
    while (len < sizeof(text) &&
           (n = read(fd, text + len, sizeof(text) - len)) > 0)
        len += (size_t)n;
    close(fd);
    if (n < 0) {
        fprintf(stderr, "xvm: %s: %s\n", argv[0], strerror(errno));
        return 1;
    }
    /* check here too, so a bad file is reported even with no xvmd */
    if (xvm_domcfg_parse(text, len, argv[0], &cfg, err, sizeof(err)) < 0) {
        fprintf(stderr, "xvm: %s\n", err);
        return 1;
    }
    xvmd_call_start(&c, XVMD_CMD_CREATE);
    if (!mnl_attr_put_strz_check(c.nlh, sizeof(c.req), XVMD_A_FILE,
                                 argv[0]) ||
        !mnl_attr_put_check(c.nlh, sizeof(c.req), XVMD_A_CONFIG, len, text)) {
        fprintf(stderr, "xvm: %s: file name too long\n", argv[0]);
        return 1;
    }
    if (call_run(&c))
        return 1;
    printf("Domain '%s' created from %s\n", cfg.name, argv[0]);
    return 0;
}

static void id_format(uint32_t id, char buf[12])
{
    if (id == XVMD_NO_ID)
        strcpy(buf, "-");
    else
        snprintf(buf, 12, "%u", id);
}

static int cmd_list(char **argv)
{
    static struct xvmd_call c;
    const struct nlattr *a;
    struct dominfo d;
    int wid = 2, wname = 4, pass, i;
    char id[12];

    xvmd_call_start(&c, XVMD_CMD_LIST);
    if (argv[0]) {
        if (strcmp(argv[0], "--all") != 0) {
            fprintf(stderr, "xvm: list: unknown option '%s'\n", argv[0]);
            return 1;
        }
        mnl_attr_put(c.nlh, XVMD_A_ALL, 0, NULL);
    }
    if (call_run(&c))
        return 1;
    /* two passes: measure the columns, then print */
    for (pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            printf(" %-*s   %-*s   %s\n", wid, "Id", wname, "Name",
                   "State");
            for (i = 0; i < wid + wname + 15; i++)
                putchar('-');
            putchar('\n');
        }
        mnl_attr_for_each(a, c.reply, 0) {
            if (mnl_attr_get_type(a) != XVMD_A_DOMAIN)
                continue;
            if (dominfo_get(a, &d) < 0) {
                fprintf(stderr, "xvm: malformed reply from xvmd\n");
                return 1;
            }
            id_format(d.id, id);
            if (pass == 0) {
                wid = (int)strlen(id) > wid ? (int)strlen(id) : wid;
                wname = (int)strlen(d.name) > wname ? (int)strlen(d.name)
                                                    : wname;
            } else {
                printf(" %-*s   %-*s   %s\n", wid, id, wname, d.name,
                       xvmd_state_str(d.state));
            }
        }
    }
    return 0;
}

static int vifs_brief(const char *dom, uint32_t id);

static int cmd_dominfo(char **argv)
{
    static struct xvmd_call c;
    struct dominfo d;
    char id[12], uuid[37];

    if (dom_request(XVMD_CMD_DOMINFO, argv[0], &c))
        return 1;
    if (!c.tb[XVMD_A_DOMAIN] || dominfo_get(c.tb[XVMD_A_DOMAIN], &d) < 0) {
        fprintf(stderr, "xvm: malformed reply from xvmd\n");
        return 1;
    }
    id_format(d.id, id);
    xvm_uuid_format(d.uuid, uuid);
    printf("%-15s %s\n", "Id:", id);
    printf("%-15s %s\n", "Name:", d.name);
    printf("%-15s %s\n", "UUID:", uuid);
    printf("%-15s %s\n", "OS Type:", d.ostype);
    printf("%-15s %s\n", "State:", xvmd_state_str(d.state));
    printf("%-15s %u\n", "CPU(s):", d.vcpus);
    printf("%-15s %llu KiB\n", "Max memory:", (unsigned long long)d.memory);
    if (d.pid)
        printf("%-15s %u\n", "PID:", d.pid);
    return d.id == 0 ? 0 : vifs_brief(argv[0], d.id); /* Domain-0: none */
}

/* destroy, shutdown, pause, resume, undefine: one request, one line. */
static int simple(uint16_t cmd, const char *dom, const char *done)
{
    static struct xvmd_call c;

    if (dom_request(cmd, dom, &c))
        return 1;
    printf("Domain '%s' %s\n", dom, done);
    return 0;
}

/* XenbusState as virsh-style words. */
static const char *vif_state_str(uint32_t st)
{
    static const char *const names[] = {
        "none", "initialising", "init-wait", "initialised", "connected",
        "closing", "closed", "reconfiguring", "reconfigured"};

    return st < sizeof(names) / sizeof(names[0]) ? names[st] : "unknown";
}

/* One line per vif of the DOMIFLIST reply in @c; the VNIC of a running
 * domain @id is xvm<id>_<n>.  @return vifs, or -1 on a malformed reply. */
static int vifs_print(const struct xvmd_call *c, uint32_t id)
{
    const struct nlattr *a;
    int n = 0;

    printf("%-12s %-5s %-10s %-6s %-18s %-5s %-8s %s\n", "Interface",
           "Type", "Source", "Model", "MAC", "VLAN", "Maxbw", "State");
    printf("------------------------------------------------------------"
           "--------------------\n");
    mnl_attr_for_each(a, c->reply, 0) {
        const struct nlattr *tb[XVMD_V_MAX_ + 1];
        char ifname[24], bw[LP_MAXBW_STRLEN] = "--", vlan[8] = "--";
        uint32_t st;
        int k;

        if (mnl_attr_get_type(a) != XVMD_A_VIFINFO)
            continue;
        if (xvmd_nest_parse(a, tb, XVMD_V_MAX_, xvmd_vif_policy) < 0)
            return -1;
        for (k = XVMD_V_INDEX; k <= XVMD_V_STATE; k++)
            if (!tb[k])
                return -1;
        if (id != XVMD_NO_ID)
            snprintf(ifname, sizeof(ifname), "xvm%u_%u", id,
                     mnl_attr_get_u32(tb[XVMD_V_INDEX]));
        else
            snprintf(ifname, sizeof(ifname), "-");
        if (mnl_attr_get_u64(tb[XVMD_V_MAXBW]))
            lp_maxbw_format(mnl_attr_get_u64(tb[XVMD_V_MAXBW]), bw,
                            sizeof(bw));
        if (mnl_attr_get_u32(tb[XVMD_V_VLAN]))
            snprintf(vlan, sizeof(vlan), "%u",
                     mnl_attr_get_u32(tb[XVMD_V_VLAN]));
        st = mnl_attr_get_u32(tb[XVMD_V_STATE]);
        printf("%-12s %-5s %-10s %-6s %-18s %-5s %-8s %s%s%s\n", ifname,
               "vnic", mnl_attr_get_str(tb[XVMD_V_LINK]), "netif",
               mnl_attr_get_str(tb[XVMD_V_MAC])[0]
                   ? mnl_attr_get_str(tb[XVMD_V_MAC])
                   : "-",
               vlan, bw, id == XVMD_NO_ID ? "-" : vif_state_str(st),
               tb[XVMD_V_ERROR] ? ": " : "",
               tb[XVMD_V_ERROR] ? mnl_attr_get_str(tb[XVMD_V_ERROR]) : "");
        n++;
    }
    return n;
}

/* dominfo's "Vifs:" lines: one per vif, its VNIC, link, MAC and state. */
static int vifs_brief(const char *dom, uint32_t id)
{
    static struct xvmd_call c;
    const struct nlattr *a;
    unsigned n = 0;

    if (dom_request(XVMD_CMD_DOMIFLIST, dom, &c))
        return 1;
    mnl_attr_for_each(a, c.reply, 0) {
        const struct nlattr *tb[XVMD_V_MAX_ + 1];

        if (mnl_attr_get_type(a) != XVMD_A_VIFINFO ||
            xvmd_nest_parse(a, tb, XVMD_V_MAX_, xvmd_vif_policy) < 0 ||
            !tb[XVMD_V_INDEX] || !tb[XVMD_V_LINK] || !tb[XVMD_V_STATE])
            continue;
        printf("%-15s vif %u on %s, %s", n ? "" : "Vifs:",
               mnl_attr_get_u32(tb[XVMD_V_INDEX]),
               mnl_attr_get_str(tb[XVMD_V_LINK]),
               id == XVMD_NO_ID
                   ? "shut off"
                   : vif_state_str(mnl_attr_get_u32(tb[XVMD_V_STATE])));
        if (id != XVMD_NO_ID)
            printf(" (VNIC xvm%u_%u)", id, mnl_attr_get_u32(tb[XVMD_V_INDEX]));
        putchar('\n');
        n++;
    }
    if (!n)
        printf("%-15s none\n", "Vifs:");
    return 0;
}

static int cmd_domiflist(char **argv)
{
    static struct xvmd_call info, c;
    struct dominfo d;

    if (dom_request(XVMD_CMD_DOMINFO, argv[0], &info))
        return 1;
    if (!info.tb[XVMD_A_DOMAIN] || dominfo_get(info.tb[XVMD_A_DOMAIN], &d) < 0 ||
        dom_request(XVMD_CMD_DOMIFLIST, argv[0], &c)) {
        fprintf(stderr, "xvm: malformed reply from xvmd\n");
        return 1;
    }
    if (vifs_print(&c, d.id) < 0) {
        fprintf(stderr, "xvm: malformed reply from xvmd\n");
        return 1;
    }
    return 0;
}

static int cmd_destroy(char **argv)
{
    return simple(XVMD_CMD_DESTROY, argv[0], "destroyed");
}

static int cmd_start(char **argv)
{
    return simple(XVMD_CMD_START, argv[0], "started");
}

static int cmd_shutdown(char **argv)
{
    return simple(XVMD_CMD_SHUTDOWN, argv[0], "is being shutdown");
}

static int cmd_pause(char **argv)
{
    return simple(XVMD_CMD_PAUSE, argv[0], "suspended");
}

static int cmd_resume(char **argv)
{
    return simple(XVMD_CMD_RESUME, argv[0], "resumed");
}

static int cmd_undefine(char **argv)
{
    return simple(XVMD_CMD_UNDEFINE, argv[0], "has been undefined");
}

/*
 * Enter the domain's sandbox (xvm/sandbox.h) and run the command there:
 * join its cgroup, enter all its namespaces (a pidfd of its init), lock
 * ourselves (the mapped uid before the domain can see us: a process of
 * host uid 0 in its PID namespace would be one that its root could
 * ptrace), and fork, since only children enter the PID namespace.  We
 * wait here, out of the domain's sight, and exit as the command did.
 */
static int cmd_exec(char **argv)
{
    static struct xvmd_call c;
    int fd, st, rc = 0;
    pid_t pid;

    if (dom_request(XVMD_CMD_NETNS, argv[0], &c))
        return 1;
    if (c.nfds < 1 || c.fds[0] < 0) {
        fprintf(stderr, "xvm: xvmd sent no namespaces\n");
        return 1;
    }
    if (c.nfds > 1) {
        fd = openat(c.fds[1], "cgroup.procs", O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, "0", 1) != 1)
            rc = -errno;
        if (fd >= 0)
            close(fd);
    }
    if (rc == 0 && setns(c.fds[0], XVM_SANDBOX_NS) < 0)
        rc = -errno;
    xvmd_call_done(&c);
    if (rc == 0)
        rc = xvm_sandbox_lock();
    if (rc == 0 && chdir("/") < 0)
        rc = -errno;
    if (rc < 0) {
        fprintf(stderr, "xvm: cannot enter domain %s: %s\n", argv[0],
                strerror(-rc));
        return 1;
    }
    pid = fork();
    if (pid < 0) {
        fprintf(stderr, "xvm: fork: %s\n", strerror(errno));
        return 1;
    }
    if (pid == 0) {
        execvp(argv[1], argv + 1);
        fprintf(stderr, "xvm: %s: %s\n", argv[1], strerror(errno));
        _exit(errno == ENOENT ? 127 : 126);
    }
    signal(SIGINT, SIG_IGN); /* the command has them too */
    signal(SIGQUIT, SIG_IGN);
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return 1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The byte that detaches a console from a terminal: Ctrl-] (virsh's). */
#define CONSOLE_ESCAPE 0x1d

/* The terminal as it was, while it is in raw mode (console_raw). */
static struct termios console_saved;
static volatile sig_atomic_t console_raw;

/* SIGTERM, SIGHUP, SIGINT, SIGQUIT: the terminal back as it was, and out
 * (tcsetattr() and _exit() are async-signal-safe). */
static void console_signal(int sig)
{
    if (console_raw)
        tcsetattr(STDIN_FILENO, TCSANOW, &console_saved);
    _exit(128 + sig);
}

/* Write all of @buf to @fd (blocking). */
static int write_all(int fd, const char *buf, size_t len)
{
    ssize_t w;

    while (len) {
        w = write(fd, buf, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        buf += w;
        len -= (size_t)w;
    }
    return 0;
}

/* The console relay (cmd_console()): until the domain's side ends, the
 * escape is typed or stdout goes away. */
static void console_relay(int sock, bool tty)
{
    static char in[4096], buf[16384];
    size_t pend = 0, off = 0;
    bool in_eof = false, shut = false, detach = false;
    ssize_t n;

    while (!detach) {
        /* (a pipe at its end would poll as hung up: left out then) */
        struct pollfd p[2] = {
            {.fd = !in_eof && (tty || !pend) ? STDIN_FILENO : -1,
             .events = POLLIN},
            {.fd = sock, .events = POLLIN | (pend ? POLLOUT : 0)},
        };

        if (in_eof && !pend && !shut) { /* xvmd ends it once output pauses */
            shutdown(sock, SHUT_WR);
            shut = true;
        }
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
            n = read(sock, buf, sizeof(buf));
            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
                break; /* the end: xvmd closed it */
            if (n > 0 && write_all(STDOUT_FILENO, buf, (size_t)n) < 0)
                break;
        }
        if (p[0].revents) {
            n = read(STDIN_FILENO, buf, sizeof(in)); /* fits in @in */
            if (n < 0 && (errno == EAGAIN || errno == EINTR))
                n = -2;
            if (n == 0 || n == -1) {
                in_eof = true;
                detach = tty;
            } else if (n > 0) {
                char *esc = tty ? memchr(buf, CONSOLE_ESCAPE, (size_t)n) : NULL;

                if (esc) {
                    n = esc - buf;
                    detach = true;
                }
                if (!pend) { /* a terminal's keys are dropped while the
                              * domain does not take its input */
                    memcpy(in, buf, (size_t)n);
                    pend = (size_t)n;
                    off = 0;
                }
            }
        }
        if (pend) {
            n = send(sock, in + off, pend, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n < 0 && errno != EAGAIN && errno != EINTR)
                break;
            if (n > 0) {
                off += (size_t)n;
                pend -= (size_t)n;
            }
        }
    }
}

/*
 * Attach to a domain's console (virsh console): xvmd hands over a socket
 * relayed to and from the domain's console.  From a terminal, raw mode
 * until Ctrl-] detaches (the terminal is restored); otherwise standard
 * input is relayed to its end, then the domain's output until xvmd ends
 * the socket, once that output pauses.
 */
static int cmd_console(char **argv)
{
    static struct xvmd_call c;
    struct sigaction sa;
    struct termios raw;
    bool tty = isatty(STDIN_FILENO);
    int sock;

    if (dom_request(XVMD_CMD_CONSOLE, argv[0], &c))
        return 1;
    if (c.nfds < 1 || c.fds[0] < 0) {
        fprintf(stderr, "xvm: xvmd sent no console\n");
        xvmd_call_done(&c);
        return 1;
    }
    sock = c.fds[0];
    c.fds[0] = -1;
    xvmd_call_done(&c);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = console_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGQUIT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (tty && tcgetattr(STDIN_FILENO, &console_saved) < 0)
        tty = false;
    if (tty) { /* before the greeting: what is typed after it is raw */
        raw = console_saved;
        cfmakeraw(&raw);
        console_raw = 1;
        tcsetattr(STDIN_FILENO, TCSADRAIN, &raw);
    }
    fprintf(stderr, "Connected to domain %s%s", argv[0], tty ? "\r\n" : "\n");
    fprintf(stderr, "Escape character is ^]%s", tty ? "\r\n" : "\n");
    console_relay(sock, tty);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSADRAIN, &console_saved);
        console_raw = 0;
        fputc('\n', stderr);
    }
    close(sock);
    return 0;
}

static int cmd_help(char **argv);

static const struct cmd {
    const char *name;
    int min_args, max_args; /* -1: any number */
    int (*fn)(char **argv);
    const char *args, *help;
} cmds[] = {
    {"create", 1, 1, cmd_create, "FILE", "create and start a domain"},
    {"list", 0, 1, cmd_list, "[--all]", "list domains (--all: shut off too)"},
    {"start", 1, 1, cmd_start, "DOM", "start a shut-off domain from its record"},
    {"dominfo", 1, 1, cmd_dominfo, "DOM", "show a domain"},
    {"domiflist", 1, 1, cmd_domiflist, "DOM",
     "list a domain's network interfaces"},
    {"shutdown", 1, 1, cmd_shutdown, "DOM", "ask a domain to shut down"},
    {"destroy", 1, 1, cmd_destroy, "DOM", "stop a domain at once"},
    {"pause", 1, 1, cmd_pause, "DOM", "suspend a domain"},
    {"resume", 1, 1, cmd_resume, "DOM", "resume a paused domain"},
    {"undefine", 1, 1, cmd_undefine, "DOM",
     "forget a shut-off domain and its UUID"},
    {"exec", 2, -1, cmd_exec, "DOM CMD [ARG...]",
     "run a command in a process domain's sandbox"},
    {"console", 1, 1, cmd_console, "DOM",
     "attach to a domain's console (Ctrl-] detaches)"},
    {"help", 0, 0, cmd_help, "", "show this help"},
};

#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

static void usage(FILE *f)
{
    size_t i;

    fprintf(f, "usage: xvm [-s SOCKET] COMMAND [ARGS]\n\n");
    for (i = 0; i < NCMDS; i++)
        fprintf(f, "  %-8s %-17s %s\n", cmds[i].name, cmds[i].args,
                cmds[i].help);
    fprintf(f, "\nDOM is a domain name, id or UUID.  SOCKET defaults to "
               "%s.\n",
            XVMD_DEFAULT_SOCKET);
}

static int cmd_help(char **argv)
{
    (void)argv;
    usage(stdout);
    return 0;
}

int main(int argc, char **argv)
{
    int opt, nargs;
    size_t i;

    if (xvm_version_opt(argc, argv, "xvm"))
        return 0;

    while ((opt = getopt(argc, argv, "+s:h")) != -1) {
        switch (opt) {
        case 's':
            sock_path = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 1;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return 1;
    }
    for (i = 0; i < NCMDS && strcmp(cmds[i].name, argv[optind]) != 0; i++)
        ;
    if (i == NCMDS) {
        fprintf(stderr, "xvm: unknown command '%s' (try 'xvm help')\n",
                argv[optind]);
        return 1;
    }
    nargs = argc - optind - 1;
    if (nargs < cmds[i].min_args ||
        (cmds[i].max_args >= 0 && nargs > cmds[i].max_args)) {
        fprintf(stderr, "xvm: usage: xvm %s %s\n", cmds[i].name,
                cmds[i].args);
        return 1;
    }
    return cmds[i].fn(argv + optind + 1);
}
