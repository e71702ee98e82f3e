/* SPDX-License-Identifier: MIT */
/*
 * snoop: capture frames on a link, VNIC or etherstub of vswitchd.
 *
 *   snoop -d link [-o file|-] [-c count] [-s snaplen] [-D in|out|both]
 *         [-q] [-B KiB] [-S socket] [filter expression]
 *
 * vswitchd filters and copies frames into a ring shared with us
 * (vsw/capture.h); we write them as pcap with libpcap's writer (nanosecond
 * timestamps) or print one line per frame.  On exit (count reached,
 * SIGINT, SIGTERM, the capture ended) the summary goes to stderr.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "xvm/rundir.h"
#include "snoop.h"
#include "vswctl/capture.h"
#include "xvm/version.h"

/* After a batch, let frames gather this long before looking again:
 * fewer wake-ups for vswitchd to send, at most this much added delay. */
#define BATCH_US 1000

struct opts {
    const char *dev, *out, *sock;
    unsigned long count;
    uint32_t snaplen, ring_kib, dir;
    bool quiet;
    char filter[VSW_CAP_FILTER_MAX];
};

struct sink {
    pcap_t *dead;
    pcap_dumper_t *dump;
    bool quiet;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: snoop -d link [-o file|-] [-c count] [-s snaplen]\n"
            "             [-D in|out|both] [-q] [-B KiB] [-S socket]\n"
            "             [filter expression]\n");
}

static int num(const char *s, unsigned long min, unsigned long max,
               unsigned long *v, char opt)
{
    char *end;

    errno = 0;
    *v = strtoul(s, &end, 10);
    if (errno || end == s || *end || *s == '-' || *v < min || *v > max) {
        fprintf(stderr, "snoop: -%c: '%s' is not a number in %lu..%lu\n",
                opt, s, min, max);
        return -1;
    }
    return 0;
}

static int filter_join(struct opts *o, int argc, char **argv)
{
    size_t off = 0;
    int i;

    for (i = 0; i < argc; i++) {
        int n = snprintf(o->filter + off, sizeof(o->filter) - off, "%s%s",
                         i ? " " : "", argv[i]);

        if (n < 0 || (size_t)n >= sizeof(o->filter) - off) {
            fprintf(stderr, "snoop: the filter expression is too long\n");
            return -1;
        }
        off += (size_t)n;
    }
    return 0;
}

static int opts_parse(int argc, char **argv, struct opts *o)
{
    static const char optstr[] = "+d:o:c:s:D:qB:S:h";
    bool seen[128] = {false};
    unsigned long v;
    int c;

    *o = (struct opts){.dir = VSW_CAP_BOTH};
    while ((c = getopt(argc, argv, optstr)) != -1) {
        /* An option given twice is a mistake, not a later wish. */
        if (c > 0 && c < 128 && c != '?' && c != 'h') {
            if (seen[c]) {
                fprintf(stderr, "snoop: -%c given twice\n", c);
                return -1;
            }
            seen[c] = true;
        }
        switch (c) {
        case 'h': usage(stdout); exit(0);
        case 'd': o->dev = optarg; break;
        case 'o': o->out = optarg; break;
        case 'S': o->sock = optarg; break;
        case 'q': o->quiet = true; break;
        case 'c':
            if (num(optarg, 1, ULONG_MAX, &o->count, 'c') < 0)
                return -1;
            break;
        case 's':
            if (num(optarg, 1, VSW_CAP_SNAPLEN_MAX, &v, 's') < 0)
                return -1;
            o->snaplen = (uint32_t)v;
            break;
        case 'B':
            if (num(optarg, VSW_CAP_RING_MIN >> 10, VSW_CAP_RING_MAX >> 10,
                    &v, 'B') < 0)
                return -1;
            o->ring_kib = (uint32_t)v;
            break;
        case 'D':
            if (strcmp(optarg, "in") == 0) {
                o->dir = VSW_CAP_IN;
            } else if (strcmp(optarg, "out") == 0) {
                o->dir = VSW_CAP_OUT;
            } else if (strcmp(optarg, "both") == 0) {
                o->dir = VSW_CAP_BOTH;
            } else {
                fprintf(stderr, "snoop: -D: '%s' is not in, out or both\n",
                        optarg);
                return -1;
            }
            break;
        default:
            usage(stderr);
            return -1;
        }
    }
    if (!o->dev) {
        fprintf(stderr, "snoop: -d link is required\n");
        usage(stderr);
        return -1;
    }
    if (strlen(o->dev) >= LP_NAMSIZ) {
        fprintf(stderr, "snoop: '%s': name too long\n", o->dev);
        return -1;
    }
    return filter_join(o, argc - optind, argv + optind);
}

static int sink_open(struct sink *s, const struct opts *o, uint32_t snaplen)
{
    s->quiet = o->quiet;
    if (!o->out)
        return 0;
    s->dead = pcap_open_dead_with_tstamp_precision(
        DLT_EN10MB, (int)snaplen, PCAP_TSTAMP_PRECISION_NANO);
    if (!s->dead) {
        fprintf(stderr, "snoop: libpcap: out of memory\n");
        return -1;
    }
    /* libpcap's writer takes "-" for stdout. */
    s->dump = pcap_dump_open(s->dead, o->out);
    if (!s->dump) {
        /* libpcap's message names the file already. */
        fprintf(stderr, "snoop: %s\n", pcap_geterr(s->dead));
        pcap_close(s->dead);
        s->dead = NULL;
        return -1;
    }
    return 0;
}

static void sink_close(struct sink *s)
{
    if (s->dump)
        pcap_dump_close(s->dump);
    if (s->dead)
        pcap_close(s->dead);
}

static void print_line(const struct vsw_cap_rec *r)
{
    char sum[512], tbuf[32];
    time_t sec = (time_t)(r->ts_ns / 1000000000u);
    struct tm tm;

    localtime_r(&sec, &tm);
    strftime(tbuf, sizeof(tbuf), "%H:%M:%S", &tm);
    snoop_summary(r->data, r->caplen, sum, sizeof(sum));
    printf("%s.%09llu %-3s %s len %u\n", tbuf,
           (unsigned long long)(r->ts_ns % 1000000000u),
           r->dir == VSW_CAP_IN ? "in" : "out", sum, r->origlen);
}

static void sink_put(struct sink *s, const struct vsw_cap_rec *r)
{
    struct pcap_pkthdr h;

    if (s->dump) {
        h.ts.tv_sec = (time_t)(r->ts_ns / 1000000000u);
        /* Nanoseconds: the dumper was opened with nanosecond precision. */
        h.ts.tv_usec = (suseconds_t)(r->ts_ns % 1000000000u);
        h.caplen = r->caplen;
        h.len = r->origlen;
        pcap_dump((u_char *)s->dump, &h, r->data);
    } else if (!s->quiet) {
        print_line(r);
    }
}

/* @return 0, or -1 when the output cannot be written. */
static int sink_flush(struct sink *s)
{
    if (s->dump)
        return pcap_dump_flush(s->dump);
    return fflush(stdout) == 0 ? 0 : -1;
}

/* Why the capture ended under us: a datalink that went, or vswitchd.
 * Each is a failure for a script waiting on snoop (exit 1). */
static void end_note(const struct vsw_cap_reader *r, const char *dev)
{
    switch (vsw_cap_reader_end(r)) {
    case VSW_CAP_END_GONE:
        fprintf(stderr, "snoop: %s went away (deleted, or the last VNIC "
                "over a NIC's link went with the NIC's port): the capture "
                "ended\n", dev);
        break;
    case VSW_CAP_END_STOP:
        fprintf(stderr, "snoop: vswitchd stopped: the capture ended\n");
        break;
    default:
        fprintf(stderr, "snoop: vswitchd closed the capture's connection "
                "(did it die?): the capture ended\n");
        break;
    }
}

/* Read until done; @return the exit status. */
static int capture_loop(struct vsw_cap_reader *r, struct sink *s,
                        const struct opts *o, unsigned long *got)
{
    struct timespec batch = {0, BATCH_US * 1000};
    const struct vsw_cap_rec *rec;
    int rc, err = 0;

    while (!stop) {
        unsigned long before = *got;

        rc = vsw_cap_reader_wait(r, 500);
        if (rc == -EINTR || rc == 0)
            continue;
        while ((!o->count || *got < o->count) &&
               (rec = vsw_cap_reader_next(r, &err)) != NULL) {
            sink_put(s, rec);
            (*got)++;
        }
        vsw_cap_reader_done(r);
        if (sink_flush(s) < 0) {
            fprintf(stderr, "snoop: cannot write the output\n");
            return 1;
        }
        if (err) {
            fprintf(stderr, "snoop: the capture ring is corrupt\n");
            return 1;
        }
        if (o->count && *got >= o->count)
            return 0;
        if (rc == -EPIPE) {
            end_note(r, o->dev);
            return 1;
        }
        if (rc < 0) {
            fprintf(stderr, "snoop: waiting for frames: %s\n",
                    strerror(-rc));
            return 1;
        }
        if (*got != before)
            nanosleep(&batch, NULL);
    }
    return 0;
}

/* Compile @filter here first, so a bad one is told in libpcap's words
 * (vswitchd compiles it again, for the switch). */
static int filter_check(const char *filter)
{
    struct bpf_program prog;
    pcap_t *p;
    int rc;

    if (!filter[0])
        return 0;
    p = pcap_open_dead(DLT_EN10MB, VSW_CAP_SNAPLEN_MAX);
    if (!p) {
        fprintf(stderr, "snoop: libpcap: out of memory\n");
        return -1;
    }
    rc = pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN);
    if (rc < 0)
        fprintf(stderr, "snoop: bad filter: %s\n", pcap_geterr(p));
    else
        pcap_freecode(&prog);
    pcap_close(p);
    return rc < 0 ? -1 : 0;
}

/* Why vswitchd refused the capture, in snoop's words. */
static void refused(const struct opts *o, const struct vsw_cap_rep *rep)
{
    int e = -rep->status;

    if (rep->code == VSW_ST_NOTFOUND || e == ENODEV)
        fprintf(stderr, "snoop: no link, VNIC or etherstub named %s\n",
                o->dev);
    else if (e == ENOENT || e == ECONNREFUSED)
        fprintf(stderr, "snoop: cannot reach vswitchd at %s: "
                        "vswitchd is not running\n",
                o->sock ? o->sock : xvm_run_path(XVM_SOCK_VSWITCHD));
    else if (e == EACCES || e == EPERM)
        fprintf(stderr, "snoop: %s (only root can capture)\n", strerror(e));
    else if (rep->code == VSW_ST_TOOMANY || e == ENOSPC)
        fprintf(stderr, "snoop: too many captures running (%d)\n",
                VSW_CAP_MAX);
    else if (rep->code == VSW_ST_BADVAL || e == EINVAL)
        fprintf(stderr, "snoop: vswitchd cannot run this capture: %s\n",
                rep->err[0] ? rep->err : strerror(e));
    else
        fprintf(stderr, "snoop: capture refused: %s\n", strerror(e));
}

static int start(const struct opts *o, struct vsw_cap_reader *r)
{
    struct vsw_cap_req req = {.name = o->dev, .dir = o->dir,
                              .snaplen = o->snaplen,
                              .ring_bytes = o->ring_kib << 10,
                              .filter = o->filter};
    struct vsw_cap_rep rep;
    int conn, memfd, evfd, rc;

    if (filter_check(o->filter) < 0)
        return -1;
    rc = vsw_cap_request(o->sock, &req, &rep, &conn, &memfd, &evfd);
    if (rc < 0) {
        refused(o, &rep);
        return -1;
    }
    rc = vsw_cap_reader_init(r, conn, memfd, evfd);
    if (rc < 0) {
        fprintf(stderr, "snoop: cannot map the capture ring: %s\n",
                strerror(-rc));
        vsw_cap_reader_fini(r);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct sigaction sa = {.sa_handler = on_signal};
    struct vsw_cap_reader r;
    struct sink s = {0};
    unsigned long got = 0;
    struct opts o;
    int status;

    if (xvm_version_opt(argc, argv, "snoop"))
        return 0;

    if (opts_parse(argc, argv, &o) < 0)
        return 1;
    /* No SA_RESTART: a signal must end the wait at once. */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (start(&o, &r) < 0)
        return 1;
    if (sink_open(&s, &o, r.shm->snaplen) < 0) {
        vsw_cap_reader_fini(&r);
        return 1;
    }
    /* As tcpdump's "listening on": from here every frame is captured
     * (vswitchd answers once the fast path has the capture). */
    fprintf(stderr, "snoop: capturing on %s\n", o.dev);
    if (!o.out && !o.quiet)
        setvbuf(stdout, NULL, _IOFBF, 1 << 16);
    status = capture_loop(&r, &s, &o, &got);
    fprintf(stderr, "%lu packets captured, %llu dropped\n", got,
            (unsigned long long)vsw_cap_reader_drops(&r));
    vsw_cap_reader_fini(&r);
    sink_close(&s);
    return status;
}
