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
 * Threads: any thread may log; a line is written with one write(2), so
 * lines of two threads do not mix.  xvm_log_open() and
 * xvm_log_set_level() belong to main() before other threads start.
 */
#ifndef XVM_LOG_H
#define XVM_LOG_H

#include "xvm/export.h"

#include <stdarg.h>
#include <stdbool.h>

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

#define xvm_log_err(...) xvm_log(XVM_LOG_ERR, __VA_ARGS__)
#define xvm_log_warn(...) xvm_log(XVM_LOG_WARNING, __VA_ARGS__)
#define xvm_log_info(...) xvm_log(XVM_LOG_INFO, __VA_ARGS__)
#define xvm_log_debug(...) xvm_log(XVM_LOG_DEBUG, __VA_ARGS__)

#ifdef __cplusplus
}
#endif

#endif /* XVM_LOG_H */
