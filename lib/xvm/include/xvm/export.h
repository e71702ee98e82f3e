/* SPDX-License-Identifier: MIT */
/*
 * xvm/export.h - the one export macro of every xvnet library.
 *
 * Every library builds with hidden symbol visibility (gnu_symbol_visibility
 * 'hidden' in its meson.build), so only the functions its public headers
 * declare with XVN_EXPORT are part of its ABI; everything else stays
 * inside it.  scripts/check-exports.py checks both halves on the built
 * archives (the test "exports").  Usable freestanding (libxnf's core).
 */
#ifndef XVM_EXPORT_H
#define XVM_EXPORT_H

#define XVN_EXPORT __attribute__((visibility("default")))

#endif /* XVM_EXPORT_H */
