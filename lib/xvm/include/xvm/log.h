/* SPDX-License-Identifier: MIT */
/*
 * xvm/log.h - the daemons' log: one sink for xvmd, xenstored, vswitchd
 * and the libraries they run.
 *
 * A line on stderr reads
 *
 *   2026-12-04T15:44:43.123Z vswitchd: warning: the message
 *
 * (UTC, milliseconds; "error: " and "warning: " mark those levels, the
 * other levels carry no word).  With syslog the line goes to syslog(3)
 * instead, facility LOG_DAEMON, tagged with the program name and pid;
 * syslog adds its own time.
 *
 * The environment chooses, read by xvm_log_open():
 *   XVNET_LOG=syslog            syslog instead of stderr (for a daemon
 *                               started without a terminal or journal);
 *   XVNET_LOG_LEVEL=err|warning|notice|info|debug
 *                               the least important level written
 *                               (default info).
 *
 * Lines a guest can cause (a domain is hostile: it writes its xenstore
 * keys, rings and event channels as it likes) go through a limit of
 * their source, xvm_log_limited(): XVM_LOG_LIMIT_BURST lines, then one
 * a second, and the first line let through after some were held back
 * ends with "(N earlier lines suppressed)", as Linux's net_ratelimit()
 * does.  Lines only an operator or a one-off event causes are not
 * limited.
 *
 * Threads: any thread may log; a line is written with one write(2), so
 * lines of two threads do not mix.  xvm_log_open() and
 * xvm_log_set_level() belong to main() before other threads start.
 */
#ifndef XVM_LOG_H
#define XVM_LOG_H

#include "xvm/export.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Levels, in syslog(3)'s numbering: lower is more important. */
enum xvm_log_level {
    XVM_LOG_ERR = 3,
    XVM_LOG_WARNING = 4,
    XVM_LOG_NOTICE = 5,
    XVM_LOG_INFO = 6,
    XVM_LOG_DEBUG = 7,
};

/**
 * Name the program for every line (@name is kept, not copied) and read
 * XVNET_LOG and XVNET_LOG_LEVEL.  @to_syslog forces syslog whatever the
 * environment says (a daemon that detached from its terminal).  Before
 * any call, lines go to stderr under the name "xvnet".
 */
XVN_EXPORT
void xvm_log_open(const char *name, bool to_syslog);

/** Write lines of @level and more important ones only. */
XVN_EXPORT
void xvm_log_set_level(enum xvm_log_level level);

/** One line from a printf format; the newline is added. */
XVN_EXPORT
void xvm_log(enum xvm_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/** xvm_log() with a va_list. */
XVN_EXPORT
void xvm_logv(enum xvm_log_level level, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/** Lines a source may write at once, and then one every this long. */
#define XVM_LOG_LIMIT_BURST 10u
#define XVM_LOG_LIMIT_GAP_NS 1000000000ull

/**
 * The limit of one source of lines a guest can cause: one per domain,
 * per connection or per device, living as long as it does.  All zeros
 * (calloc, a static) is a full one.  The fields are the log's.
 */
struct xvm_log_limit {
    uint64_t at_ns;      /**< CLOCK_MONOTONIC when last refilled; 0: never */
    unsigned tokens;     /**< lines that may go now */
    unsigned suppressed; /**< lines held back since the last that went */
};

/**
 * May a line of @lim's source be written now?  Each XVM_LOG_LIMIT_GAP_NS
 * gives one line back, up to XVM_LOG_LIMIT_BURST.
 * @return true: write it; *@suppressed (if not NULL) is how many lines
 *         were held back before it (the count starts again); false: it
 *         is held back, and counted.
 * For a sink other than xvm_log() (a library's logging callback);
 * xvm_log_limited() is this and xvm_log() in one.  Any thread may call
 * it; the limits share one lock.
 */
XVN_EXPORT
bool xvm_log_limit_take(struct xvm_log_limit *lim, unsigned *suppressed);

/**
 * xvm_log() of a line a guest can cause, if @lim lets it through
 * (xvm_log_limit_take()); one that follows held-back lines ends with
 * " (N earlier lines suppressed)".  A line below the log level takes
 * nothing from @lim.
 */
XVN_EXPORT
void xvm_log_limited(struct xvm_log_limit *lim, enum xvm_log_level level,
                     const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define xvm_log_err(...) xvm_log(XVM_LOG_ERR, __VA_ARGS__)
#define xvm_log_warn(...) xvm_log(XVM_LOG_WARNING, __VA_ARGS__)
#define xvm_log_info(...) xvm_log(XVM_LOG_INFO, __VA_ARGS__)
#define xvm_log_debug(...) xvm_log(XVM_LOG_DEBUG, __VA_ARGS__)

#ifdef __cplusplus
}
#endif

#endif /* XVM_LOG_H */
