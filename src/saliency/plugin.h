/*
 * The saliency layer as a plugin (docs/library.md, "Layout"). Saliency
 * decodes clips with FFmpeg and runs FFTW, which together map about 130
 * shared objects; libsigmix.so holds only forwarding functions for the
 * public saliency API and loads sigmix-video.so, built from src/saliency,
 * on the first call. The static archive (tests, fuzzers) links the real
 * functions directly.
 *
 * One X-macro row per public function: return type, name, parameters,
 * arguments, and what the forwarder does when the plugin cannot be loaded
 * (FAIL: return the error; or a value for functions without err).
 * A new public saliency function needs a row here, or libsigmix.so lacks it.
 */
#ifndef SIGMIX_SALIENCY_PLUGIN_H
#define SIGMIX_SALIENCY_PLUGIN_H

#include <stdio.h>

#include "sigmix/saliency.h"

#define SIGMIX_VIDEO_FUNCS(X)                                                              \
    X(int, sigmix_saliency_shard_of, (const char *source, int width, int height, int n),   \
      (source, width, height, n), NOERR, -1)                                               \
    X(void, sigmix_saliency_default_settings, (sigmix_saliency_settings *s), (s), VOID,     \
      memset(s, 0, sizeof *s))                                                             \
    X(const char *, sigmix_saliency_status_name, (int status), (status), NOERR, "unknown") \
    X(const char *, sigmix_saliency_reducer_name, (sigmix_saliency_reducer r), (r), NOERR,  \
      "unknown")                                                                           \
    X(int, sigmix_saliency_reducer_parse, (const char *name, sigmix_saliency_reducer *out), \
      (name, out), NOERR, SIGMIX_EUNSUPPORTED)                                             \
    X(int, sigmix_saliency_check_settings,                                                 \
      (const sigmix_saliency_settings *s, sigmix_error *err), (s, err), ERR, 0)            \
    X(int, sigmix_saliency_run,                                                            \
      (sigmix_table *t, const sigmix_saliency_settings *s, sigmix_saliency_report *rep,    \
       sigmix_error *err), (t, s, rep, err), ERR, 0)                                       \
    X(int, sigmix_saliency_hash_input,                                                     \
      (const char *path, char hex[65], uint64_t *size, int *fd, sigmix_error *err),       \
      (path, hex, size, fd, err), ERR, 0)                                                  \
    X(int, sigmix_saliency_write_report,                                                   \
      (FILE *f, const sigmix_saliency_settings *s, const sigmix_saliency_report *rep,      \
       const sigmix_saliency_run_info *info, sigmix_error *err), (f, s, rep, info, err),   \
      ERR, 0)

/* The plugin's one export: a table of the real functions. `version` and
 * `size` must match the library's, or the plugin is from another build. */
#define SIGMIX_VIDEO_ENTRY "sigmix_video_plugin_v1"

typedef struct sigmix_video_vtbl {
    const char *version;
    size_t      size;
#define SIGMIX_VIDEO_SLOT(ret, name, params, args, kind, fallback) ret (*name) params;
    SIGMIX_VIDEO_FUNCS(SIGMIX_VIDEO_SLOT)
#undef SIGMIX_VIDEO_SLOT
} sigmix_video_vtbl;

#endif
