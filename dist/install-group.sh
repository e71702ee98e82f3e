#!/bin/sh
# SPDX-License-Identifier: MIT
# Run by `meson install` (make install): create the system group xvnet
# (sysusers.d/xvnet.conf) when it does not exist yet.  Not into a DESTDIR
# or in a dry run: a package's own install creates it from the sysusers.d
# file (systemd-sysusers).  Not as another user than root: said, and left.
if [ -n "${DESTDIR:-}" ] || [ -n "${MESON_INSTALL_DRY_RUN:-}" ]; then
    exit 0
fi
getent group xvnet >/dev/null && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "note: group xvnet not created (not root): vswitchd's socket stays root-only"
    exit 0
fi
if command -v systemd-sysusers >/dev/null &&
        [ -f "$MESON_INSTALL_DESTDIR_PREFIX/lib/sysusers.d/xvnet.conf" ]; then
    systemd-sysusers "$MESON_INSTALL_DESTDIR_PREFIX/lib/sysusers.d/xvnet.conf" &&
        getent group xvnet >/dev/null && exit 0
fi
groupadd --system xvnet && echo "created the system group xvnet"
