/* SPDX-License-Identifier: MIT */
/*
 * xvmd/proto.h - the xvmd control protocol, shared by xvmd and xvm.
 *
 * Transport: a Unix SOCK_SEQPACKET socket (by default xvmd.sock in the
 * runtime directory, xvm/rundir.h; mode 0600, root-only).  One request per connection-turn: the client sends
 * one message, xvmd answers with exactly one message, and the client may
 * send another or close.
 *
 * Messages are netlink-format (struct nlmsghdr + attributes, built and
 * parsed with libmnl).  A request has nlmsg_type = XVMD_CMD_*, flags
 * NLM_F_REQUEST and a sequence number the reply echoes.  The reply has the
 * same type, always carries XVMD_A_ERRNO (0 on success, a positive errno
 * otherwise) and, on failure, usually XVMD_A_ERRMSG, a message the CLI
 * prints after "xvm: ".  Any message that is not exactly one well-formed
 * request (short, trailing bytes, unknown type, unknown or ill-typed
 * attribute, missing required attribute) gets EINVAL.
 *
 * Request attributes by command:
 *   CREATE    FILE (string: name for messages), CONFIG (binary: file text),
 *             WAIT (u32, optional)
 *   LIST      ALL (flag: include shut-off domains)
 *   DOMINFO, DESTROY, SHUTDOWN, PAUSE, RESUME, UNDEFINE, NETNS, DOMMEM
 *             DOM (string: name, id or UUID)
 *   START     DOM, WAIT (u32, optional)
 *   DEFINE    FILE, CONFIG, as CREATE; the domain is not started
 *   REBOOT    DOM: shut down (as SHUTDOWN), then started again
 *   AUTOSTART DOM, AUTOSTART (u32: 1 start it when xvmd starts, 0 not)
 * WAIT > 0 makes CREATE and START answer only once every vif of the
 * domain is Connected on both ends (success), or one of them failed, the
 * domain stopped, or WAIT milliseconds (at most XVMD_WAIT_MAX_MS) passed:
 * then the run is undone (a domain CREATE defined is forgotten again, one
 * it redefined gets its old record back) and ERRMSG says, per vif, why.
 * Reply attributes: ERRNO, ERRMSG, and for CREATE, LIST, DOMINFO one
 * nested DOMAIN per domain.  NETNS (`xvm exec`) replies carry with
 * SCM_RIGHTS a pidfd of a process in all the domain's namespaces, then,
 * if the domain has one, the directory fd of the cgroup its processes
 * join.  DOMMEM replies (for the backend serving
 * the domain's vifs) carry its memory memfd, GT_GFN, GT_FRAMES and the
 * domain as a nested DOMAIN.  EVTCHN_BIND (DOM, PORT) binds dom0 to an
 * unbound port the guest allocated toward dom0; the reply carries two fds,
 * dom0's doorbell then the guest's.  CONSOLE (DOM; `xvm console`)
 * replies carry one fd, a SOCK_STREAM socket relayed to and from the
 * running domain's console until either side closes it; after the
 * client shuts down its writing side, xvmd closes the socket once the
 * domain's output has paused.  One client at a time: another gets EBUSY.
 */
#ifndef XVMD_PROTO_H
#define XVMD_PROTO_H

#include "xvm/ctlmsg.h"
#include "xvm/export.h"

#include <linux/netlink.h>
#include <stddef.h>
#include <stdint.h>

#define XVMD_DEFAULT_STATE_DIR "/var/lib/xvnet"

/** Largest message either side sends or accepts. */
#define XVMD_MSG_MAX (128 * 1024)
/** Largest CONFIG attribute: a whole config file (domcfg's
 *  XVM_DOMCFG_TEXT_MAX; xvmd checks that they agree). */
#define XVMD_CONFIG_MAX 65536

/** Longest WAIT a request may ask for. */
#define XVMD_WAIT_MAX_MS 600000u

/** Longest VIFSPEC attribute. */
#define XVMD_VIFSPEC_MAX 2048

/** Commands (nlmsg_type); below NLMSG_MIN_TYPE is netlink's own. */
enum xvmd_cmd {
    XVMD_CMD_CREATE = NLMSG_MIN_TYPE,
    XVMD_CMD_LIST,
    XVMD_CMD_DOMINFO,
    XVMD_CMD_DESTROY,
    XVMD_CMD_SHUTDOWN,
    XVMD_CMD_PAUSE,
    XVMD_CMD_RESUME,
    XVMD_CMD_UNDEFINE,
    XVMD_CMD_NETNS,
    XVMD_CMD_DOMMEM,
    XVMD_CMD_EVTCHN_BIND,
    XVMD_CMD_START,   /* a defined (shut off) domain, from its record */
    XVMD_CMD_VIF_SET, /* change vif XVMD_A_VIF of a domain's record */
    XVMD_CMD_DOMIFLIST, /* a domain's vifs: one XVMD_A_VIFINFO each */
    XVMD_CMD_DEFINE,    /* keep a record from a config, do not start it */
    XVMD_CMD_REBOOT,    /* shut down, then start again from the record */
    XVMD_CMD_AUTOSTART, /* start the domain when xvmd starts (AUTOSTART) */
    XVMD_CMD_CONSOLE,   /* attach to a domain's console (one fd back) */
    XVMD_CMD_MAX_ = XVMD_CMD_CONSOLE,
};

/** Top-level attributes. */
enum xvmd_attr {
    XVMD_A_UNSPEC,
    XVMD_A_ERRNO,  /* u32 */
    XVMD_A_ERRMSG, /* string */
    XVMD_A_DOM,    /* string */
    XVMD_A_FILE,   /* string */
    XVMD_A_CONFIG, /* binary, at most XVMD_CONFIG_MAX bytes */
    XVMD_A_ALL,    /* flag */
    XVMD_A_DOMAIN, /* nested XVMD_D_* */
    XVMD_A_GT_GFN,    /* u64: first grant-table frame (DOMMEM reply) */
    XVMD_A_GT_FRAMES, /* u32: grant-table frames (DOMMEM reply) */
    XVMD_A_PORT,      /* u32: the guest's port (EVTCHN_BIND) */
    XVMD_A_VIF,       /* u32: a vif's index (VIF_SET) */
    XVMD_A_VIFSPEC,   /* string: `key=value,...` as in a vif entry */
    XVMD_A_VIFINFO,   /* nested XVMD_V_*, repeated: one vif (DOMIFLIST) */
    XVMD_A_WAIT,      /* u32: ms CREATE/START wait for the vifs; 0 none */
    XVMD_A_AUTOSTART, /* u32: 1 on, 0 off (AUTOSTART) */
    XVMD_A_MAX_ = XVMD_A_AUTOSTART,
};

/** Attributes nested in XVMD_A_DOMAIN. */
enum xvmd_dom_attr {
    XVMD_D_UNSPEC,
    XVMD_D_ID,     /* u32, XVMD_NO_ID when shut off */
    XVMD_D_NAME,   /* string */
    XVMD_D_UUID,   /* binary, 16 bytes */
    XVMD_D_STATE,  /* u32, enum xvmd_state */
    XVMD_D_OSTYPE, /* string */
    XVMD_D_MEMORY, /* u64, KiB */
    XVMD_D_VCPUS,  /* u32 */
    XVMD_D_PID,    /* u32, 0 when none */
    XVMD_D_AUTOSTART, /* u32: 1 if it starts with xvmd */
    /* Only for a domain that runs on a hypervisor (kvm): */
    XVMD_D_HYPERVISOR, /* string: the host's KVM module, "kvm_pvm", ... */
    XVMD_D_IRQ,        /* u32: 1 if its guests can be given interrupts */
    /* Only for a running domain: */
    XVMD_D_UNLIMITED,  /* u32: XVMD_LIMIT_* bits of what is not enforced */
    XVMD_D_MAX_ = XVMD_D_UNLIMITED,
};

/** Bits of XVMD_D_UNLIMITED: limits of the record the host cannot enforce
 *  (no cgroup v2 controller for them). */
#define XVMD_LIMIT_VCPUS 1u    /* cpu.max */
#define XVMD_LIMIT_MEMORY 2u   /* memory.max */
#define XVMD_LIMIT_NOCGROUP 4u /* with both: the domain has no cgroup at
                                * all (no cgroup v2, or none could be made) */

/** Attributes nested in XVMD_A_VIFINFO: one vif as configured and as its
 *  backend reports it in xenstore. */
enum xvmd_vif_attr {
    XVMD_V_UNSPEC,
    XVMD_V_INDEX,  /* u32: n of device/vif/<n> */
    XVMD_V_LINK,   /* string: the link its VNIC is on ("" for a VNIC
                      the domain borrows, whose link is the VNIC's) */
    XVMD_V_MAC,    /* string: canonical form */
    XVMD_V_VLAN,   /* u32: 0 untagged */
    XVMD_V_MAXBW,  /* u64: bits/s, 0 none */
    XVMD_V_STATE,  /* u32: the backend's XenbusState, 0 when none */
    XVMD_V_ERROR,  /* string, optional: the backend's error node */
    XVMD_V_VNIC,   /* string, optional: the vif's VNIC (vnic=, vifname=
                      or, while running, xvm<domid>_<n>) */
    XVMD_V_QUEUES, /* u32, optional: the netif queues of a connected vif
                      that has more than one (multi-queue-num-queues) */
    XVMD_V_CPUS,   /* string, optional: the record's cpus= ("1 0"), the
                      CPUs of a process domain's pumps */
    XVMD_V_MAX_ = XVMD_V_CPUS,
};

#define XVMD_NO_ID UINT32_MAX

/*
 * The guest channel: a SOCK_SEQPACKET pair between xvmd and a process
 * domain's xvm-procdom (fd 3 there).  At start xvmd sends "mem" with two
 * fds: the domain's memory memfd and its xenstore connection (bound to its
 * domain id).  The guest answers "ok" (or "err <errno> <text>") when ready,
 * then may send requests of struct xvmd_guest_req, each answered by one
 * struct xvmd_guest_rep.
 */
#define XVMD_GUEST_EVTCHN_ALLOC 1u /**< alloc_unbound toward req.remote */
/** The guest program's last word before it exits: how its run ended,
 *  req.remote an XVMD_GUEST_END_*.  No reply.  xvmd reads it for a guest
 *  it adopted, whose exit status is not its to read. */
#define XVMD_GUEST_EXIT 2u
/** EVTCHNOP_close of port req.remote: xvmd closes its doorbells of it and
 *  the port goes back to the domain's budget.  The reply's rc is 0, or
 *  -EINVAL for a port the guest does not hold (nothing is given back). */
#define XVMD_GUEST_EVTCHN_CLOSE 3u
#define XVMD_GUEST_END_POWEROFF 0u
#define XVMD_GUEST_END_REBOOT 1u
#define XVMD_GUEST_END_CRASH 2u

struct xvmd_guest_req {
    uint32_t op;     /**< XVMD_GUEST_* */
    uint32_t remote; /**< EVTCHN_ALLOC: the domain that may bind;
                          EVTCHN_CLOSE: the port;
                          EXIT: an XVMD_GUEST_END_* */
};

/** Reply; EVTCHN_ALLOC success carries 2 fds: own doorbell, peer's. */
struct xvmd_guest_rep {
    int32_t rc;    /**< 0 or -errno */
    uint32_t port; /**< EVTCHN_ALLOC: the port in the guest's space */
};

/** Domain states, as virsh names them (xvmd_state_str()). */
enum xvmd_state {
    XVMD_STATE_SHUTOFF,
    XVMD_STATE_RUNNING,
    XVMD_STATE_BLOCKED,
    XVMD_STATE_PAUSED,
    XVMD_STATE_SHUTDOWN, /* "in shutdown": asked to stop, not gone yet */
    XVMD_STATE_CRASHED,
    XVMD_STATE_MAX_ = XVMD_STATE_CRASHED,
};

/** "running", "shut off", ...; "unknown" for a bad value. */
static inline const char *xvmd_state_str(uint32_t s)
{
    static const char *const names[] = {
        [XVMD_STATE_SHUTOFF] = "shut off", [XVMD_STATE_RUNNING] = "running",
        [XVMD_STATE_BLOCKED] = "blocked",  [XVMD_STATE_PAUSED] = "paused",
        [XVMD_STATE_SHUTDOWN] = "in shutdown",
        [XVMD_STATE_CRASHED] = "crashed",
    };

    return s <= XVMD_STATE_MAX_ ? names[s] : "unknown";
}

/** A XenbusState (XVMD_V_STATE) as `xvm domiflist` and xvmd's messages
 *  name it: "connected", "closed", ...; "unknown" for a bad value. */
static inline const char *xvmd_vif_state_str(uint32_t s)
{
    static const char *const names[] = {
        "none",    "initialising", "init-wait",     "initialised", "connected",
        "closing", "closed",       "reconfiguring", "reconfigured"};

    return s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown";
}

/**
 * Validate @len bytes at @buf as exactly one message, at most
 * XVMD_MSG_MAX long, and index its attributes into @tb (@max + 1
 * entries): xvm_msg_parse() (xvm/ctlmsg.h), the rule both control
 * protocols share.  @return the header, or NULL (invalid).
 */
XVN_EXPORT
const struct nlmsghdr *xvmd_msg_parse(const void *buf, size_t len,
                                      const struct nlattr **tb,
                                      unsigned max,
                                      const struct xvm_attr_policy *pol);

/** xvm_nest_parse(): the attributes nested in @nest. */
XVN_EXPORT
int xvmd_nest_parse(const struct nlattr *nest, const struct nlattr **tb,
                    unsigned max, const struct xvm_attr_policy *pol);

/** Policy of requests, as xvmd checks them (xvmd_msg_parse()). */
extern const struct xvm_attr_policy xvmd_req_policy[XVMD_A_MAX_ + 1];
/** Policy of replies, as xvmd_call_run() checks them. */
extern const struct xvm_attr_policy xvmd_reply_policy[XVMD_A_MAX_ + 1];
/** Policy of XVMD_V_*. */
extern const struct xvm_attr_policy xvmd_vif_policy[XVMD_V_MAX_ + 1];
/** Policy of XVMD_D_* (both sides read or write them). */
extern const struct xvm_attr_policy xvmd_dom_policy[XVMD_D_MAX_ + 1];

#endif /* XVMD_PROTO_H */
