/*
 * Column builder shared by the text readers (JSON Lines, JSON, CSV), so
 * column typing is identical whatever the format.
 *
 * A reader fills a *segment* (a batch of rows parsed by one thread): its
 * own columns in first-seen order with a tag and an 8-byte slot per row.
 * sigmix_cb_merge() appends a segment's rows to the table being built and
 * empties the segment for reuse, so memory stays near the table itself
 * plus one batch. Each column's kind follows every value seen so far:
 *   only ints -> INT64; any fractional/exponent/non-finite number, or
 *   numbers mixed with booleans -> DOUBLE; only booleans -> BOOL;
 *   nothing but nulls -> DOUBLE (no valid value); only strings -> STRING;
 *   any object or array, or strings mixed with other values -> JSON (each
 *   value as JSON text; non-finite numbers as NaN/Infinity tokens).
 * CSV mode differs for text: numbers mixed with text -> STRING holding each
 * field's own text; NA markers are null among numbers and text otherwise.
 */
#ifndef SIGMIX_TABLE_COLBUILD_H
#define SIGMIX_TABLE_COLBUILD_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sigmix/table.h"
#include "util/arena.h"

/* Per-row tag; 0 means null. */
enum {
    SIGMIX_CB_NULL = 0,
    SIGMIX_CB_DOUBLE,
    SIGMIX_CB_INT,
    SIGMIX_CB_BOOL,
    SIGMIX_CB_STRING,
    SIGMIX_CB_NESTED,
    SIGMIX_CB_NA,      /* CSV missing-value marker (NA, N/A, null, ...): null in a
                        * numeric column, its own text in a text column */
    SIGMIX_CB_NTAGS
};

typedef struct sigmix_cb_col {
    const char    *name;     /* in the segment arena, NUL-terminated */
    size_t         namelen;
    int            skip;     /* not requested: values are not stored */
    int            backslash; /* name holds a '\\' (never matched raw) */
    uint8_t       *tag;      /* rows entries (cap allocated) */
    uint64_t      *slot;     /* double bits or int64 */
    sigmix_strref *str;      /* STRING/NESTED bytes (segment arena); lazy */
    size_t         count[SIGMIX_CB_NTAGS];
} sigmix_cb_col;

typedef struct sigmix_cb_seg {
    size_t          rows, cap;
    sigmix_cb_col  *cols;
    size_t          ncols, colcap;
    long           *hash;    /* open addressing into cols; -1 empty */
    size_t          hashcap;
    sigmix_arena    arena;   /* column names */
    sigmix_arena    strings; /* this batch's string values */
    long           *map;     /* table column of each local column; -1 skipped */
    size_t          nmap, mapcap;
    /* projection: NULL = keep every column */
    const char *const *want;
    size_t          nwant;
} sigmix_cb_seg;

void sigmix_cb_seg_init(sigmix_cb_seg *s, const char *const *want, size_t nwant);
void sigmix_cb_seg_free(sigmix_cb_seg *s);

/** Start a new row (all null). Returns 0 or SIGMIX_ENOMEM. */
int  sigmix_cb_begin_row(sigmix_cb_seg *s);

/** Column index for a name (added on first sight), or a negative error. */
long sigmix_cb_column(sigmix_cb_seg *s, const char *name, size_t len);

/* Set the value of column c in the current (last) row; a repeated key
 * replaces the earlier value. Return 0 or SIGMIX_ENOMEM. */
/* Inline: called once per field of every row. */
static inline void sigmix_cb_set_num(sigmix_cb_seg *s, size_t c, int tag, uint64_t bits)
{
    sigmix_cb_col *col = &s->cols[c];
    size_t r = s->rows - 1;
    col->count[col->tag[r]]--;
    col->count[tag]++;
    col->tag[r] = (uint8_t)tag;
    col->slot[r] = bits;
}

static inline void sigmix_cb_set_double(sigmix_cb_seg *s, size_t c, double v)
{
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    sigmix_cb_set_num(s, c, SIGMIX_CB_DOUBLE, b);
}

static inline void sigmix_cb_set_int(sigmix_cb_seg *s, size_t c, int64_t v)
{
    sigmix_cb_set_num(s, c, SIGMIX_CB_INT, (uint64_t)v);
}

static inline void sigmix_cb_set_bool(sigmix_cb_seg *s, size_t c, int v)
{
    sigmix_cb_set_num(s, c, SIGMIX_CB_BOOL, v ? 1u : 0u);
}

static inline void sigmix_cb_set_null(sigmix_cb_seg *s, size_t c)
{
    sigmix_cb_set_num(s, c, SIGMIX_CB_NULL, 0);
}
int  sigmix_cb_set_text(sigmix_cb_seg *s, size_t c, int tag, const char *p, size_t len);
/* CSV: a typed value (tag, bits as sigmix_cb_set_num) that also keeps the
 * field's text, so a column that turns out to be text keeps it exactly. */
int  sigmix_cb_set_num_raw(sigmix_cb_seg *s, size_t c, int tag, uint64_t bits,
                           const char *p, size_t len);

/** The table being built, with the value counts behind each column's kind. */
typedef struct sigmix_cb_na {
    size_t        col, row;
    sigmix_strref text;
} sigmix_cb_na;

/* An integer merged into a DOUBLE column that its double does not hold
 * exactly (beyond 2^53): kept in case the column later turns JSON. */
typedef struct sigmix_cb_exact {
    size_t  col, row;
    int64_t v;
} sigmix_cb_exact;

typedef struct sigmix_cb_table {
    sigmix_table *t;
    size_t      (*count)[SIGMIX_CB_NTAGS];
    size_t        cap;
    /* CSV mode: every cell came with its text (sigmix_cb_set_num_raw);
     * numbers mixed with text make a STRING column of those texts. */
    int           csv;
    sigmix_cb_na *na;       /* NA markers stored as null in numeric columns */
    size_t        nna, nacap;
    sigmix_arena  na_text;
    size_t        lost;     /* CSV cells re-printed because their column
                             * turned to text after they were merged */
    unsigned char *lostcol; /* per column: some of its cells were (cap entries) */
    /* JSON mode, per column (cap entries): for a DOUBLE column that took
     * integers or booleans, each row's tag (rows x 1 byte, NULL until
     * needed), so that turning JSON later prints 1 and true as a single
     * segment would, not 1.0 and 1.0. */
    uint8_t     **xtag;
    size_t       *xcap;
    sigmix_cb_exact *exact;
    size_t        nexact, exactcap;
    /* Rows to reserve when the first rows are merged (0: none). The table
     * then has its columns but no rows, so the numeric columns can come
     * from one huge-page slab, reserved uninitialised
     * (sigmix_table_reserve_uninit) and initialised at once on `threads`
     * threads: first touching ~150 MB of columns is page clearing that a
     * virtual machine makes slow (0.3-0.5 s when the host has reclaimed
     * the memory), and the columns' arrays split across cores. */
    size_t        reserve_rows;
    size_t        threads;   /* for that initialisation; 0 or 1: the caller */
} sigmix_cb_table;

int  sigmix_cb_table_init(sigmix_cb_table *b);
void sigmix_cb_table_free(sigmix_cb_table *b);
/** Append s's rows (in order) to the table; s is emptied for reuse. */
int  sigmix_cb_merge(sigmix_cb_table *b, sigmix_cb_seg *s, sigmix_error *err);
/** Final kinds; *out receives the table (b no longer owns it). */
int  sigmix_cb_table_finish(sigmix_cb_table *b, sigmix_table **out, sigmix_error *err);

#endif
