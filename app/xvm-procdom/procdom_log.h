/* SPDX-License-Identifier: MIT */
/*
 * procdom_log.h - what xvm-procdom says about its domain: on its stderr
 * (xvmd's log) and on the domain's console, where the domain's own
 * messages go too.
 */
#ifndef PROCDOM_LOG_H
#define PROCDOM_LOG_H

#include <stdarg.h>

/**
 * Take the console from stdout, if it is a terminal (xvmd gives the
 * console's slave as stdin and stdout), through a description of our own
 * that never blocks: when the console is full, a message is cut or
 * dropped there, never waited for.  Call once, first.
 */
void pd_log_init(void);

/**
 * Name the domain: from then on a message goes to stderr as a line of
 * the daemon kit's log (xvm/log.h: the time, "xvm-procdom[<name>]: "),
 * so xvmd's log says which domain spoke.
 */
void pd_log_name(const char *name);
/** "xvm-procdom: <message>\n" on the console, and on stderr as
 *  pd_log_name() says (before it: as on the console).  Any thread. */
void pd_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pd_vlog(const char *fmt, va_list ap)
    __attribute__((format(printf, 1, 0)));

#endif /* PROCDOM_LOG_H */
