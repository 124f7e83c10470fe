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
      ERR, 0)                                                                              \
    X(int, sigmix_saliency_write_table,                                                    \
      (FILE *f, const char *path, const sigmix_table *t, const sigmix_saliency_settings *s, \
       const sigmix_saliency_report *rep, const char *input_sha256, sigmix_error *err),     \
      (f, path, t, s, rep, input_sha256, err), ERR, 0)                                     \
    X(int, sigmix_saliency_hash_file,                                                      \
      (const char *path, char hex[65], uint64_t *size, sigmix_error *err),                 \
      (path, hex, size, err), ERR, 0)                                                      \
    X(int, sigmix_saliency_parse_shard, (const char *text, int *k, int *n), (text, k, n),   \
      NOERR, SIGMIX_EUNSUPPORTED)                                                          \
    X(char *, sigmix_saliency_shard_path, (const char *out, int k, int n, int partial),     \
      (out, k, n, partial), NOERR, NULL)                                                   \
    X(void, sigmix_saliency_config_sha256, (const sigmix_saliency_settings *s, char hex[65]), \
      (s, hex), VOID, hex[0] = 0)                                                          \
    X(int, sigmix_saliency_shard_writer_new,                                               \
      (sigmix_saliency_shard_writer **w, sigmix_error *err), (w, err), ERR, 0)             \
    X(void, sigmix_saliency_shard_writer_on_clip,                                          \
      (void *cookie, const sigmix_saliency_clip *clip), (cookie, clip), VOID, (void)0)     \
    X(void, sigmix_saliency_shard_writer_counts,                                           \
      (const sigmix_saliency_shard_writer *w, size_t *clips, size_t *ok, size_t *failed),  \
      (w, clips, ok, failed), VOID, (void)0)                                               \
    X(int, sigmix_saliency_shard_writer_commit,                                            \
      (sigmix_saliency_shard_writer *w, const char *path,                                  \
       const sigmix_saliency_shard_header *h, const char *model_id, sigmix_error *err),    \
      (w, path, h, model_id, err), ERR, 0)                                                 \
    X(void, sigmix_saliency_shard_writer_free, (sigmix_saliency_shard_writer **w), (w),     \
      VOID, (void)0)                                                                       \
    X(int, sigmix_saliency_shard_set_new, (sigmix_saliency_shard_set **set,                 \
      sigmix_error *err), (set, err), ERR, 0)                                              \
    X(void, sigmix_saliency_shard_set_free, (sigmix_saliency_shard_set **set), (set), VOID, \
      (void)0)                                                                             \
    X(size_t, sigmix_saliency_shard_set_size, (const sigmix_saliency_shard_set *set),       \
      (set), NOERR, 0)                                                                     \
    X(int, sigmix_saliency_shard_set_has, (const sigmix_saliency_shard_set *set, int k),    \
      (set, k), NOERR, 0)                                                                  \
    X(int, sigmix_saliency_shard_load_all,                                                 \
      (const char *out, int shards, const sigmix_saliency_shard_header *want,              \
       sigmix_saliency_shard_set *set, int *found, int *n, sigmix_error *err),             \
      (out, shards, want, set, found, n, err), ERR, 0)                                     \
    X(size_t, sigmix_saliency_shard_load_own,                                              \
      (const char *path, const sigmix_saliency_shard_header *want,                         \
       sigmix_saliency_shard_set *set), (path, want, set), NOERR, 0)                       \
    X(int, sigmix_saliency_materialize,                                                    \
      (const char *input, const char *output, const char *audit_json,                      \
       const sigmix_saliency_settings *s, const sigmix_saliency_run_info *base,            \
       sigmix_saliency_report *rep, sigmix_error *err),                                    \
      (input, output, audit_json, s, base, rep, err), ERR, 0)                              \
    X(void, sigmix_saliency_quiet_decoder_logs, (void), (), VOID, (void)0)

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
