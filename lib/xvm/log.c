/* SPDX-License-Identifier: MIT */
/* The daemons' log sink (xvm/log.h). */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "xvm/log.h"

#define LINE_MAX_BYTES 1024

static const char *log_name = "xvnet";
static bool log_syslog;
static enum xvm_log_level log_level = XVM_LOG_INFO;

static const char *const level_names[] = {
    [XVM_LOG_ERR] = "err",       [XVM_LOG_WARNING] = "warning",
    [XVM_LOG_NOTICE] = "notice", [XVM_LOG_INFO] = "info",
    [XVM_LOG_DEBUG] = "debug",
};

void xvm_log_open(const char *name, bool to_syslog)
{
    const char *dest = getenv("XVNET_LOG"), *lvl = getenv("XVNET_LOG_LEVEL");
    unsigned i;

    log_name = name;
    log_syslog = to_syslog || (dest && strcmp(dest, "syslog") == 0);
    if (log_syslog)
        openlog(name, LOG_PID, LOG_DAEMON);
    for (i = XVM_LOG_ERR; lvl && i <= XVM_LOG_DEBUG; i++)
        if (strcmp(lvl, level_names[i]) == 0)
            log_level = (enum xvm_log_level)i;
}

void xvm_log_set_level(enum xvm_log_level level)
{
    log_level = level;
}

/* "2026-12-04T15:44:43.123Z " into @buf; its length. */
static size_t stamp(char *buf, size_t cap)
{
    struct timespec ts;
    struct tm tm;
    size_t n;

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    n = strftime(buf, cap, "%Y-%m-%dT%H:%M:%S", &tm);
    n += (size_t)snprintf(buf + n, cap - n, ".%03ldZ ", ts.tv_nsec / 1000000);
    return n;
}

void xvm_logv(enum xvm_log_level level, const char *fmt, va_list ap)
{
    char line[LINE_MAX_BYTES];
    size_t n;
    int m;

    if (level > log_level)
        return;
    if (log_syslog) {
        vsyslog((int)level, fmt, ap);
        return;
    }
    n = stamp(line, sizeof(line));
    n += (size_t)snprintf(line + n, sizeof(line) - n, "%s: %s", log_name,
                          level <= XVM_LOG_ERR       ? "error: "
                          : level == XVM_LOG_WARNING ? "warning: "
                                                     : "");
    m = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
    if (m < 0)
        m = 0;
    n = n + (size_t)m < sizeof(line) - 1 ? n + (size_t)m : sizeof(line) - 2;
    line[n++] = '\n';
    /* One write: lines of two threads do not interleave. */
    if (write(STDERR_FILENO, line, n) < 0)
        return;
}

void xvm_log(enum xvm_log_level level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    xvm_logv(level, fmt, ap);
    va_end(ap);
}

/* The limits' one lock: a limited line is rare, and a limit may be met by
 * more than one thread (the kit's own, in xvm_unix_accept()). */
static pthread_mutex_t limit_lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

bool xvm_log_limit_take(struct xvm_log_limit *lim, unsigned *suppressed)
{
    uint64_t now = mono_ns(), due;
    bool go;

    pthread_mutex_lock(&limit_lock);
    if (!lim->at_ns ||
        now - lim->at_ns >= XVM_LOG_LIMIT_BURST * XVM_LOG_LIMIT_GAP_NS) {
        lim->tokens = XVM_LOG_LIMIT_BURST;
        lim->at_ns = now;
    } else if ((due = (now - lim->at_ns) / XVM_LOG_LIMIT_GAP_NS) > 0) {
        lim->tokens = lim->tokens + due > XVM_LOG_LIMIT_BURST
                          ? XVM_LOG_LIMIT_BURST
                          : lim->tokens + (unsigned)due;
        /* the part of a gap not yet over still counts */
        lim->at_ns += due * XVM_LOG_LIMIT_GAP_NS;
    }
    go = lim->tokens > 0;
    if (go) {
        lim->tokens--;
        if (suppressed)
            *suppressed = lim->suppressed;
        lim->suppressed = 0;
    } else if (lim->suppressed < UINT32_MAX) {
        lim->suppressed++;
    }
    pthread_mutex_unlock(&limit_lock);
    return go;
}

void xvm_log_limited(struct xvm_log_limit *lim, enum xvm_log_level level,
                     const char *fmt, ...)
{
    char msg[LINE_MAX_BYTES];
    unsigned held;
    va_list ap;

    if (level > log_level || !xvm_log_limit_take(lim, &held))
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (held)
        xvm_log(level, "%s (%u earlier lines suppressed)", msg, held);
    else
        xvm_log(level, "%s", msg);
}
