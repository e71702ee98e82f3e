/* SPDX-License-Identifier: MIT */
/* Placeholder while this file is written; replaced in the same change. */
typedef int xvnet_placeholder_tx_t;
