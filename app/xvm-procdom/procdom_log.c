/* SPDX-License-Identifier: MIT */
/* xvm-procdom: its messages, on stderr and the domain's console. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "procdom_log.h"
#include "xvm/log.h"

static int console = -1;
static char ident[96]; /* "xvm-procdom[<domain>]" once named */

void pd_log_name(const char *name)
{
    snprintf(ident, sizeof(ident), "xvm-procdom[%s]", name);
    xvm_log_open(ident, false);
}

void pd_log_init(void)
{
    /* Our own open file description: O_NONBLOCK on it is not the
     * domain's, which shares the one we were given. */
    if (isatty(STDOUT_FILENO))
        console = open("/proc/self/fd/1",
                       O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
}

void pd_vlog(const char *fmt, va_list ap)
{
    char msg[1024];
    int n = snprintf(msg, sizeof(msg), "xvm-procdom: ");
    va_list ap2;

    va_copy(ap2, ap);
    vsnprintf(msg + n, sizeof(msg) - (size_t)n - 1, fmt, ap);
    n = (int)strlen(msg);
    msg[n++] = '\n';
    if (ident[0]) {
        /* xvmd's log: the daemon kit's line, with the time and domain */
        xvm_logv(XVM_LOG_INFO, fmt, ap2);
    } else if (write(STDERR_FILENO, msg, (size_t)n) < 0) {
        /* nowhere else to say it */
    }
    va_end(ap2);
    if (console >= 0 && write(console, msg, (size_t)n) < 0) {
        /* a full console drops it */
    }
}

void pd_log(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    pd_vlog(fmt, ap);
    va_end(ap);
}
