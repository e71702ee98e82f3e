/* SPDX-License-Identifier: MIT */
/*
 * procdom_guest.h - the domain's own processes: the sandbox (xvm/sandbox.h)
 * and its init, started by xvm-procdom and kept out of its reach.
 */
#ifndef PROCDOM_GUEST_H
#define PROCDOM_GUEST_H

#include <stdint.h>
#include <sys/types.h>

/**
 * Start the sandbox of domain @id named @name: a child in new namespaces
 * (XVM_SANDBOX_NS), ids mapped, moved into the cgroup whose directory is
 * @cgfd (unless -1) before it makes its cgroup namespace, locked, then
 * the domain's init, which reaps orphans and exits when *@link closes.
 * Our stdin, if it is a terminal, is the domain's console: the init keeps
 * it.  @init (NULL: none) is the domain's init command, an absolute path
 * and its arguments: the init runs it, once, when "r" arrives on *@link,
 * in a session of its own with the console as its controlling terminal
 * and stdio, with a clean environment (PATH, HOME, TERM), and reaps it;
 * the domain runs on when it ends.
 * Call before the domain's memory is mapped: the child is a copy of us.
 * @return the child's pid (*@link set) or -errno (nothing left running).
 */
pid_t pd_guest_start(const char *name, uint32_t id, int cgfd,
                     char *const *init, int *link);

#endif /* PROCDOM_GUEST_H */
