/*
 * Loading optional parts on first use (docs/library.md, "Layout").
 * libsigmix.so links only what the table, audit and join code needs; the
 * video layer (FFmpeg, FFTW) is a plugin and OpenBLAS is opened by the
 * first GEMM large enough to want it, so a program that never decodes a
 * clip never maps them.
 */
#ifndef SIGMIX_UTIL_DYNLOAD_H
#define SIGMIX_UTIL_DYNLOAD_H

#include <stddef.h>

#include "sigmix/common.h"

/*
 * Open the plugin NAME ("sigmix-video.so") that belongs to the library
 * holding `anchor` (any function of it): DIR/sigmix/NAME when the library
 * is installed in DIR, else DIR/NAME (the build tree keeps both side by
 * side). RTLD_LOCAL: the plugin's own dependencies stay out of the global
 * namespace. Returns the handle or NULL with err filled (path and dlerror).
 */
void *sigmix_dl_plugin(const void *anchor, const char *name, sigmix_error *err);

#endif
