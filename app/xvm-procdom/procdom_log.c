/* SPDX-License-Identifier: MIT */
/* xvm-procdom: its messages, on stderr and the domain's console. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "procdom_log.h"

static int console = -1;

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

    vsnprintf(msg + n, sizeof(msg) - (size_t)n - 1, fmt, ap);
    n = (int)strlen(msg);
    msg[n++] = '\n';
    if (write(STDERR_FILENO, msg, (size_t)n) < 0) {
        /* nowhere else to say it */
    }
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
