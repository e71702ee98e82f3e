/* SPDX-License-Identifier: MIT */
/*
 * VSW_CMD_CAPTURE on vswitchd's control thread (vsw/capture.h): each
 * capture belongs to the connection that asked for it and is released
 * when that connection closes.  Control thread only.
 */
#ifndef VSWITCHD_CAPTURE_CTL_H
#define VSWITCHD_CAPTURE_CTL_H

#include <stddef.h>

#include "vsw/switch.h"

/** Serve one capture request @req (@len bytes) that arrived on @sock. */
void capture_ctl_serve(struct vsw_switch *sw, int sock, const void *req,
                       size_t len);

/** @sock is closing: release the captures it holds. */
void capture_ctl_gone(int sock);

/** vswitchd is stopping: end and release every capture. */
void capture_ctl_stop(void);

#endif
