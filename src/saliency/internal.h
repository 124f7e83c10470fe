/*
 * Internal pieces of the saliency materializer, split so each can be unit
 * tested: frame sampling, temporal reducers, the model interface, clip
 * decoding, source resolution and the resume journal.
 */
#ifndef SIGMIX_SALIENCY_INTERNAL_H
#define SIGMIX_SALIENCY_INTERNAL_H

#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "sigmix/saliency.h"

/* ---- frame sampling (sample.c) ----------------------------------------- */

/**
 * Sampled frame indices for n decoded frames: none when n <= 0; [0] when
 * frame_samples <= 1 or n == 1; else every max(1, n / frame_samples)-th
 * index from 0, the first frame_samples of them. out needs room for
 * max(1, frame_samples) entries. Returns the count.
 */
int sigmix_sal_sample(int n, int frame_samples, int *out);

/* ---- one 8-bit yuv420p frame ------------------------------------------- */

typedef struct sal_frame {
    const uint8_t *y, *u, *v;
    int ys, us, vs;   /* strides in bytes */
    int w, h;         /* chroma planes are ceil(w/2) x ceil(h/2) */
} sal_frame;

/* ---- temporal reducers (reduce.c) -------------------------------------- */

typedef struct sal_reducer {
    sigmix_saliency_reducer kind;
    float   alpha;
    size_t  npix;
    int     w, h;       /* map size */
    int     lw, lh;     /* luma size (motion weights); may differ from the map's */
    int     count;
    float  *acc;        /* running sum / ema / max / weighted sum */
    float   wsum;       /* motion-weighted: sum of weights */
    uint8_t *prev_y;    /* motion-weighted: previous sampled luma (w*h) */
    float   last_weight;
    uint64_t last_absdiff; /* exact sum |dY| behind last_weight */
} sal_reducer;

int  sigmix_sal_reducer_init(sal_reducer *r, sigmix_saliency_reducer kind, double alpha,
                             int w, int h, int lw, int lh);
void sigmix_sal_reducer_free(sal_reducer *r);
/** Add one map (w*h floats); luma (stride ys) is needed by motion-weighted. */
void sigmix_sal_reducer_add(sal_reducer *r, const float *map, const uint8_t *y, int ys);
/**
 * Final map (clipped to [0,1], written into r->acc) and its mean and
 * population variance, accumulated in double. Needs count >= 1.
 */
void sigmix_sal_reducer_finish(sal_reducer *r, double *mean, double *var);
/** The reduced (not yet clipped) map in r->acc: divides mean/motion-weighted. */
void sigmix_sal_reducer_final(sal_reducer *r);
/** Clip map to [0,1] in place; mean and population variance in double. */
void sigmix_sal_map_stats(float *map, size_t n, double *mean, double *var);

/* ---- models (model.c, model_sr.c, model_onnx.c) ------------------------ */

typedef struct sal_model_class {
    const char *name;
    /** Per-thread working state. */
    int  (*instance_create)(void *shared, void **inst, sigmix_error *err);
    /** Score one frame into map (f->w * f->h floats in [0,1]). */
    int  (*run)(void *inst, const sal_frame *f, float *map, sigmix_error *err);
    void (*instance_free)(void *inst);
    void (*shared_free)(void *shared);
    /*
     * Optional, for models whose full map is the bilinear upsampling of a
     * small one: run_small gives the small map (owned by inst, valid until
     * the next call) and expand upsamples any small map of that size to the
     * frame. Linear reducers then work on small maps and expand once per
     * clip: the same result in exact arithmetic, far less memory traffic.
     */
    int  (*run_small)(void *inst, const sal_frame *f, const float **small, int *sw, int *sh,
                      sigmix_error *err);
    void (*expand)(void *inst, const float *small, float *map);
} sal_model_class;

typedef struct sal_model {
    const sal_model_class *cls;
    void *shared;
    char  id[256];
} sal_model;

extern const sal_model_class sigmix_sal_spectral_residual;
extern const sal_model_class sigmix_sal_onnx_model;

/*
 * sigmix_saliency_run with a given model class instead of the settings'
 * (tests inject failing or cancelling models through this parameter, not
 * through a process-wide variable). model NULL: as sigmix_saliency_run.
 */
int sigmix_sal_run_with_model(sigmix_table *t, const sigmix_saliency_settings *s,
                              const sal_model_class *model, sigmix_saliency_report *rep,
                              sigmix_error *err);

/** Built-in spectral residual (shared = NULL). */
int  sigmix_sal_model_builtin(sal_model *m);
/** ONNX model from path (default id: the file stem). */
int  sigmix_sal_model_onnx(sal_model *m, const char *path, sigmix_error *err);
void sigmix_sal_model_free(sal_model *m);

/** Spectral residual on a w x h luma plane, into map (w*h). Exposed for tests. */
typedef struct sal_sr sal_sr;
int  sigmix_sal_sr_create(sal_sr **out);
void sigmix_sal_sr_free(sal_sr *s);
int  sigmix_sal_sr_run(sal_sr *s, const uint8_t *y, int ys, int w, int h, float *map);

/**
 * ONNX input tensor [1,3,h,w] from a yuv420p frame: BT.709 limited range to
 * RGB, clipped, ImageNet-normalised (float32 arithmetic, see docs).
 */
void sigmix_sal_yuv_to_tensor(const sal_frame *f, float *out);

/* ---- decoding (decode.c) ----------------------------------------------- */

typedef struct sal_clip {
    int        w, h;
    int        n;        /* decoded frames */
    sal_frame *frames;   /* n yuv420p views of w x h */
    void     **refs;     /* the AVFrame behind each view (decoder buffers are
                            kept by reference, not copied) */
    double     t_decode, t_convert;
} sal_clip;

typedef struct sal_decode_opts {
    int row_w, row_h;     /* 0: not given */
    int def_w, def_h;     /* 0: not given */
    int raw_pix_fmt;      /* AVPixelFormat of .yuv files */
    int max_frames;
    long long max_pixels; /* frame size limit (0: the hard limit only) */
    volatile sig_atomic_t *cancel; /* stop between frames when set; may be NULL */
} sal_decode_opts;

/** The hard frame-size limit, whatever --max-pixels says: 2^28 pixels. */
#define SAL_HARD_MAX_PIXELS SIGMIX_SALIENCY_MAX_PIXELS_LIMIT
/** Default --max-pixels: 8K UHD. */
#define SAL_DEFAULT_MAX_PIXELS (7680LL * 4320)

/**
 * Whether a w x h frame exceeds max_pixels (0 or over the hard limit: the
 * hard limit); msg gets "frame too large (WxH > N pixels)". 0 when w or h
 * is not given.
 */
int  sigmix_sal_too_large(int w, int h, long long max_pixels, char *msg, size_t n);

/**
 * Decode the first max_frames frames of path into out as yuv420p.
 * Returns SIGMIX_SAL_OK, SIGMIX_SAL_MISSING_GEOMETRY or
 * SIGMIX_SAL_DECODE_FAILED (msg says why).
 */
int  sigmix_sal_decode(const char *path, const sal_decode_opts *o, sal_clip *out,
                       char *msg, size_t msglen);
/**
 * The same from an open regular file (read from its current offset through
 * a custom AVIOContext; fd stays open and owned by the caller). path only
 * names the clip in messages and picks raw .yuv by extension. A frame over
 * o->max_pixels gives SIGMIX_SAL_MODEL_FAILED before frames are decoded.
 */
int  sigmix_sal_decode_fd(int fd, const char *path, const sal_decode_opts *o, sal_clip *out,
                          char *msg, size_t msglen);
void sigmix_sal_clip_free(sal_clip *c);
/** Whether path names a raw .yuv file (by extension). */
int  sigmix_sal_is_raw(const char *path);

/* ---- source resolution (source.c) -------------------------------------- */

/**
 * Resolve a row's path: relative paths under root_real (or the cwd when
 * root_real is NULL), then realpath. With root_real and !allow_outside the
 * result must lie inside it. Returns a malloc'd path or NULL (missing-source).
 */
char *sigmix_sal_resolve(const char *path, size_t len, const char *root_real,
                         int allow_outside);

/** The last folder resolved, for sigmix_sal_resolve_cached. Zero it first. */
/* Folders as written -> their realpath (NULL: none), every folder a run
 * meets: tables interleave folders, so one entry is not enough. Open
 * addressing on a power-of-two table; zero-initialised is empty. */
typedef struct sal_dir_ent {
    char  *dir, *real;
    size_t dlen;
    uint64_t hash;
    int    fd;       /* O_PATH descriptor of real, so a clip's lstat walks one
                        name instead of the whole path; -1: none (limit) */
} sal_dir_ent;
typedef struct sal_dir_cache {
    sal_dir_ent *e;
    size_t cap, n, nfd;
} sal_dir_cache;

struct stat;
/** sigmix_sal_resolve, the same result, resolving each folder once (c: the
 *  caller's cache, freed with sigmix_sal_dir_cache_free); st gets the
 *  resolved file's stat when a path is returned (the key needs it). */
char *sigmix_sal_resolve_cached(const char *path, size_t len, const char *root_real,
                                int allow_outside, sal_dir_cache *c, struct stat *st);
void  sigmix_sal_dir_cache_free(sal_dir_cache *c);

/**
 * Open a resolved source for decoding: with root_real (and !allow_outside)
 * relative to the root with openat2(RESOLVE_BENEATH), or a component-wise
 * O_NOFOLLOW walk where the kernel lacks it; otherwise O_NOFOLLOW on the
 * last component. Opened O_NONBLOCK (a FIFO swapped in cannot block), then
 * fstat: only a regular file is kept, with O_NONBLOCK cleared. Returns the
 * descriptor, or -1 with msg saying why.
 */
int  sigmix_sal_open_source(const char *real, const char *root_real, int allow_outside,
                            char *msg, size_t n);
/** The confined open itself (rel: relative to root_real); try_openat2 = 0
 *  forces the component-wise walk (tests). -1 with errno on failure. */
int  sigmix_sal_open_beneath(const char *root_real, const char *rel, int try_openat2);

/**
 * SHA-256 (hex) and byte size of a table input, checked before any read:
 * a regular file is hashed over exactly its size; a folder gets the hash of
 * its manifest (one "SHA256  relative/path" line per Parquet file, in the
 * order the folder reader takes them, a folder that contains itself refused) and the sum of
 * the sizes. Anything else (a device, FIFO, socket) is refused, since it
 * could not be read again to parse it. With fd non-NULL, a regular file's
 * descriptor is kept open there (offset 0; -1 for a folder), so the caller
 * can parse the very file it hashed, not whatever the path names later.
 */
int  sigmix_sal_hash_input(const char *path, char hex[65], uint64_t *size, int *fd,
                           sigmix_error *err);
/** The same for one regular file only (the model). */
int  sigmix_sal_hash_file(const char *path, char hex[65], uint64_t *size, sigmix_error *err);

/* ---- journal (journal.c) ----------------------------------------------- */

typedef struct sal_journal_entry {
    char   key[65];
    double mean, var;
} sal_journal_entry;

typedef struct sal_journal {
    sal_journal_entry *e;
    size_t n, cap;
} sal_journal;

/**
 * Load the valid complete lines of a journal (missing file: empty) and cut
 * off a truncated last line so appends start on a fresh line.
 */
int  sigmix_sal_journal_load(const char *path, sal_journal *j, sigmix_error *err);
void sigmix_sal_journal_free(sal_journal *j);
/**
 * Open the journal for appending, creating it (mode 0666 & ~umask). The
 * journal belongs to sigmix: a symlink or a non-regular file is refused
 * (O_NOFOLLOW), never followed. NULL with err filled on failure.
 */
FILE *sigmix_sal_journal_append(const char *path, sigmix_error *err);
/** Look a key up (entries are sorted by key after loading). */
const sal_journal_entry *sigmix_sal_journal_find(const sal_journal *j, const char *key);
/** One journal line for an ok result (NUL-terminated, '\n' included). */
int  sigmix_sal_journal_line(char *buf, size_t n, const char *key, double mean,
                             double var, const char *source, int w, int h);
/** Hex SHA-256 of the parts joined with NUL separators. */
void sigmix_sal_key(char hex[65], const char *const *parts, size_t nparts);


#endif
