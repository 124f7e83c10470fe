/*
 * Internal to src/vmaflog: the builder every format reader fills, frame
 * by frame, and the per-format entry points. C linkage so json.cpp can
 * call it.
 */
#ifndef SIGMIX_VMAFLOG_INTERNAL_H
#define SIGMIX_VMAFLOG_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "sigmix/vmaflog.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vl_builder {
    sigmix_vmaflog *log;
    size_t cap_frames;     /* rows allocated in every metric array */
    size_t cap_metrics;
    size_t hint;           /* metric expected next (logs repeat the order) */
    size_t max_cells;      /* nmetrics * cap_frames bound, from the input size */
    int    in_frame;
    char   why[160];       /* reason of the last failure, no position */
} vl_builder;

int  vl_init(vl_builder *b, size_t input_len);
void vl_discard(vl_builder *b);
/** Start a new frame entry. */
int  vl_frame(vl_builder *b, int64_t frame_num);
/** Set the current entry's frameNum (readers that see it after values). */
void vl_frame_num(vl_builder *b, int64_t frame_num);
/** Value of metric name[0..len) in the current frame entry. */
int  vl_value(vl_builder *b, const char *name, size_t len, double v);
/** Name of the metric the builder expects next (logs repeat their order),
 * or NULL; vl_value_next stores a value for it without a lookup. */
const char *vl_next_name(const vl_builder *b);
int  vl_value_next(vl_builder *b, double v);
int  vl_version(vl_builder *b, const char *s, size_t len);
/** Parse name[0..len) as a log value: a number, nan, -nan, inf, -inf. */
int  vl_number(const char *s, size_t len, double *v);
/** Parse a non-negative frame number. */
int  vl_int(const char *s, size_t len, int64_t *v);
/** 1-based line of byte offset off. */
size_t vl_line_of(const char *buf, size_t len, size_t off);

/* Readers: fill b; on failure set err with the position. */
typedef struct vl_json vl_json;   /* simdjson parser state */
vl_json *vl_json_new(void);
void     vl_json_free(vl_json *j);
/* buf has len + SIGMIX_VMAFLOG_PADDING readable bytes. */
int vl_read_json(vl_json *j, const char *buf, size_t len, vl_builder *b, sigmix_error *err);
int vl_read_xml(const char *buf, size_t len, vl_builder *b, sigmix_error *err);
int vl_read_csv(const char *buf, size_t len, vl_builder *b, sigmix_error *err);
int vl_read_sub(const char *buf, size_t len, vl_builder *b, sigmix_error *err);

#ifdef __cplusplus
}
#endif

#endif
