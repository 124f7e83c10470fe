/*
 * FileMetaData and PageHeader decoding (field ids from parquet.thrift).
 * Fields the reader does not need are skipped, so statistics, indexes,
 * sorting columns and future additions cost nothing. Key/value metadata
 * is kept so a rewrite can carry it (pandas' schema among it).
 */
#include <string.h>

#include "table/parquet/pq_meta.h"
#include "table/parquet/pq_thrift.h"
#include "util/error.h"

typedef pq_thrift T;

/* Read a field as int32, flagging values outside int32 range. */
static int32_t int32_field(T *t, int type)
{
    int64_t v = sigmix_pq_int(t, type);
    if (v < INT32_MIN || v > INT32_MAX)
        t->bad = 1;
    return (int32_t)v;
}

/* Iterate the fields of a struct: `for (FIELDS(t, s, id, ty))`. */
#define STRUCT_LOOP(t, s, id, ty) \
    for (int ok_ = sigmix_pq_struct_begin(t, &s); ok_; ok_ = 0, sigmix_pq_struct_end(t)) \
        while (sigmix_pq_field(t, &s, &id, &ty))

static void time_unit(T *t, int *unit)
{
    pq_tstruct s;
    int id, ty;
    STRUCT_LOOP(t, s, id, ty) {
        if (id >= PQ_UNIT_MILLIS && id <= PQ_UNIT_NANOS && ty == PQ_T_STRUCT)
            *unit = id;
        sigmix_pq_skip(t, ty);
    }
}

/* TimeType / TimestampType: isAdjustedToUTC and unit. */
static void time_type(T *t, pq_schema_el *e)
{
    pq_tstruct s;
    int id, ty;
    STRUCT_LOOP(t, s, id, ty) {
        if (id == 1 && (ty == PQ_T_TRUE || ty == PQ_T_FALSE))
            e->lt_utc = sigmix_pq_bool(t, ty);
        else if (id == 2 && ty == PQ_T_STRUCT)
            time_unit(t, &e->lt_unit);
        else
            sigmix_pq_skip(t, ty);
    }
}

static void logical_type(T *t, pq_schema_el *e)
{
    pq_tstruct s;
    int id, ty;
    STRUCT_LOOP(t, s, id, ty) {
        if (ty != PQ_T_STRUCT) {
            sigmix_pq_skip(t, ty);
            continue;
        }
        /* Unknown members (future types) leave the column unannotated. */
        e->logical = id <= PQ_LT_FLOAT16 ? id : PQ_LT_NONE;
        if (id == PQ_LT_DECIMAL) {
            pq_tstruct d;
            int di, dt;
            STRUCT_LOOP(t, d, di, dt) {
                if (di == 1)
                    e->scale = int32_field(t, dt);
                else if (di == 2)
                    e->precision = int32_field(t, dt);
                else
                    sigmix_pq_skip(t, dt);
            }
        } else if (id == PQ_LT_TIME || id == PQ_LT_TIMESTAMP) {
            time_type(t, e);
        } else if (id == PQ_LT_INTEGER) {
            pq_tstruct d;
            int di, dt;
            STRUCT_LOOP(t, d, di, dt) {
                if (di == 1)
                    e->lt_bits = (int)sigmix_pq_int(t, dt);
                else if (di == 2)
                    e->lt_signed = sigmix_pq_bool(t, dt);
                else
                    sigmix_pq_skip(t, dt);
            }
        } else {
            sigmix_pq_skip(t, ty);
        }
    }
}

static void schema_element(T *t, sigmix_arena *a, pq_schema_el *e)
{
    pq_tstruct s;
    int id, ty;
    memset(e, 0, sizeof *e);
    e->type = -1;
    e->repetition = -1;
    e->converted = -1;
    e->name = "";
    STRUCT_LOOP(t, s, id, ty) {
        switch (id) {
        case 1: e->type = int32_field(t, ty); break;
        case 2: e->type_length = int32_field(t, ty); break;
        case 3: e->repetition = int32_field(t, ty); break;
        case 4: {
            size_t n;
            const uint8_t *p = ty == PQ_T_BINARY ? sigmix_pq_binary(t, &n) : NULL;
            if (!p) {
                t->bad = 1;
                break;
            }
            e->name = sigmix_arena_strndup(a, (const char *)p, n);
            if (!e->name)
                t->bad = 1;
            break;
        }
        case 5: e->num_children = int32_field(t, ty); break;
        case 6: e->converted = int32_field(t, ty); break;
        case 7: e->scale = int32_field(t, ty); break;
        case 8: e->precision = int32_field(t, ty); break;
        case 10:
            if (ty == PQ_T_STRUCT)
                logical_type(t, e);
            else
                t->bad = 1;
            break;
        default: sigmix_pq_skip(t, ty);
        }
    }
    if (e->type < -1 || e->type > PQ_FLBA || e->num_children < 0)
        t->bad = 1;
}

static void column_meta(T *t, pq_chunk_meta *c)
{
    pq_tstruct s;
    int id, ty;
    c->has_meta = 1;
    STRUCT_LOOP(t, s, id, ty) {
        switch (id) {
        case 1: c->type = int32_field(t, ty); break;
        case 4: c->codec = int32_field(t, ty); break;
        case 5: c->num_values = sigmix_pq_int(t, ty); break;
        case 6: c->total_uncompressed = sigmix_pq_int(t, ty); break;
        case 7: c->total_compressed = sigmix_pq_int(t, ty); break;
        case 9: c->data_page_offset = sigmix_pq_int(t, ty); break;
        case 11: c->dict_page_offset = sigmix_pq_int(t, ty); break;
        default: sigmix_pq_skip(t, ty);
        }
    }
}

static void column_chunk(T *t, pq_chunk_meta *c)
{
    pq_tstruct s;
    int id, ty;
    memset(c, 0, sizeof *c);
    c->dict_page_offset = -1;
    STRUCT_LOOP(t, s, id, ty) {
        if (id == 1)
            c->external = 1, sigmix_pq_skip(t, ty);
        else if (id == 3 && ty == PQ_T_STRUCT)
            column_meta(t, c);
        else if (id == 8 || id == 9)
            c->encrypted = 1, sigmix_pq_skip(t, ty);
        else
            sigmix_pq_skip(t, ty);
    }
}

/* list<struct> field header: room for its elements, which the caller parses. */
static void *struct_list(T *t, sigmix_arena *a, size_t elem, size_t *count)
{
    int et;
    size_t n = sigmix_pq_list(t, &et);
    *count = 0;
    if (t->bad || (n && et != PQ_T_STRUCT)) {
        t->bad = 1;
        return NULL;
    }
    void *p = sigmix_arena_alloc(a, (n ? n : 1) * elem);
    if (!p)
        t->bad = 1;
    else
        *count = n;
    return p;
}

/* A string field as a NUL-terminated arena copy (NULL and bad on error). */
static const char *string_field(T *t, sigmix_arena *a, int ty)
{
    size_t n;
    const uint8_t *p = ty == PQ_T_BINARY ? sigmix_pq_binary(t, &n) : NULL;
    const char *s = p ? sigmix_arena_strndup(a, (const char *)p, n) : NULL;
    if (!s)
        t->bad = 1;
    return s;
}

static void key_value(T *t, sigmix_arena *a, pq_kv *kv)
{
    pq_tstruct s;
    int id, ty;
    kv->key = kv->value = NULL;
    STRUCT_LOOP(t, s, id, ty) {
        if (id == 1)
            kv->key = string_field(t, a, ty);
        else if (id == 2)
            kv->value = string_field(t, a, ty);
        else
            sigmix_pq_skip(t, ty);
    }
    /* A pair without its (required) key is dropped, not the whole file. */
}

static void row_group(T *t, sigmix_arena *a, pq_row_group *g)
{
    pq_tstruct s;
    int id, ty;
    memset(g, 0, sizeof *g);
    STRUCT_LOOP(t, s, id, ty) {
        if (id == 1 && ty == PQ_T_LIST && !g->cols) {
            g->cols = struct_list(t, a, sizeof *g->cols, &g->ncols);
            for (size_t i = 0; i < g->ncols && !t->bad; i++)
                column_chunk(t, &g->cols[i]);
        } else if (id == 3) {
            g->num_rows = sigmix_pq_int(t, ty);
        } else {
            sigmix_pq_skip(t, ty);
        }
    }
}

int sigmix_pq_meta_parse(const uint8_t *buf, size_t n, pq_file_meta *m, sigmix_error *err)
{
    T t;
    pq_tstruct s;
    int id, ty, have_schema = 0;
    memset(m, 0, sizeof *m);
    sigmix_arena_init(&m->arena);
    sigmix_pq_thrift_init(&t, buf, n);
    STRUCT_LOOP(&t, s, id, ty) {
        if (id == 2 && ty == PQ_T_LIST && !have_schema) {
            have_schema = 1;
            m->schema = struct_list(&t, &m->arena, sizeof *m->schema, &m->nschema);
            for (size_t i = 0; i < m->nschema && !t.bad; i++)
                schema_element(&t, &m->arena, &m->schema[i]);
        } else if (id == 3) {
            m->num_rows = sigmix_pq_int(&t, ty);
        } else if (id == 4 && ty == PQ_T_LIST && !m->rgs) {
            m->rgs = struct_list(&t, &m->arena, sizeof *m->rgs, &m->nrg);
            for (size_t i = 0; i < m->nrg && !t.bad; i++)
                row_group(&t, &m->arena, &m->rgs[i]);
        } else if (id == 5 && ty == PQ_T_LIST && !m->kv) {
            m->kv = struct_list(&t, &m->arena, sizeof *m->kv, &m->nkv);
            for (size_t i = 0; i < m->nkv && !t.bad; i++)
                key_value(&t, &m->arena, &m->kv[i]);
        } else if (id == 8) {
            m->encrypted = 1;
            sigmix_pq_skip(&t, ty);
        } else {
            sigmix_pq_skip(&t, ty);
        }
    }
    if (t.bad || !have_schema || m->nschema == 0) {
        int oom = m->arena.failed; /* not the file's fault */
        sigmix_pq_meta_free(m);
        if (oom)
            return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory (footer)");
        return sigmix_error_set(err, SIGMIX_EFORMAT, "malformed file metadata (footer)");
    }
    return 0;
}

void sigmix_pq_meta_free(pq_file_meta *m)
{
    sigmix_arena_free(&m->arena);
    memset(m, 0, sizeof *m);
}

static void data_page_v1(T *t, pq_page_header *h)
{
    pq_tstruct s;
    int id, ty;
    h->has_sub = 1;
    STRUCT_LOOP(t, s, id, ty) {
        switch (id) {
        case 1: h->num_values = int32_field(t, ty); break;
        case 2: h->encoding = int32_field(t, ty); break;
        case 3: h->def_encoding = int32_field(t, ty); break;
        case 4: h->rep_encoding = int32_field(t, ty); break;
        default: sigmix_pq_skip(t, ty);
        }
    }
}

static void dict_page(T *t, pq_page_header *h)
{
    pq_tstruct s;
    int id, ty;
    h->has_sub = 1;
    STRUCT_LOOP(t, s, id, ty) {
        if (id == 1)
            h->num_values = int32_field(t, ty);
        else if (id == 2)
            h->encoding = int32_field(t, ty);
        else
            sigmix_pq_skip(t, ty);
    }
}

static void data_page_v2(T *t, pq_page_header *h)
{
    pq_tstruct s;
    int id, ty;
    h->has_sub = 1;
    STRUCT_LOOP(t, s, id, ty) {
        switch (id) {
        case 1: h->num_values = int32_field(t, ty); break;
        case 2: h->num_nulls = int32_field(t, ty); break;
        case 3: h->num_rows = int32_field(t, ty); break;
        case 4: h->encoding = int32_field(t, ty); break;
        case 5: h->def_len = int32_field(t, ty); break;
        case 6: h->rep_len = int32_field(t, ty); break;
        case 7: h->is_compressed = sigmix_pq_bool(t, ty); break;
        default: sigmix_pq_skip(t, ty);
        }
    }
}

int sigmix_pq_page_header(const uint8_t *buf, size_t n, pq_page_header *h, size_t *used)
{
    T t;
    pq_tstruct s;
    int id, ty;
    memset(h, 0, sizeof *h);
    h->type = -1;
    h->is_compressed = 1;
    sigmix_pq_thrift_init(&t, buf, n);
    STRUCT_LOOP(&t, s, id, ty) {
        switch (id) {
        case 1: h->type = int32_field(&t, ty); break;
        case 2: h->uncompressed = int32_field(&t, ty); break;
        case 3: h->compressed = int32_field(&t, ty); break;
        case 4:
            h->has_crc = 1;
            h->crc = (uint32_t)int32_field(&t, ty);
            break;
        case 5:
            if (ty == PQ_T_STRUCT && h->type == PQ_DATA_PAGE)
                data_page_v1(&t, h);
            else
                sigmix_pq_skip(&t, ty);
            break;
        case 7:
            if (ty == PQ_T_STRUCT && h->type == PQ_DICT_PAGE)
                dict_page(&t, h);
            else
                sigmix_pq_skip(&t, ty);
            break;
        case 8:
            if (ty == PQ_T_STRUCT && h->type == PQ_DATA_PAGE_V2)
                data_page_v2(&t, h);
            else
                sigmix_pq_skip(&t, ty);
            break;
        default: sigmix_pq_skip(&t, ty);
        }
    }
    *used = (size_t)(t.p - buf);
    if (t.bad || h->uncompressed < 0 || h->compressed < 0 || h->num_values < 0 ||
        h->def_len < 0 || h->rep_len < 0 || h->num_nulls < 0)
        return SIGMIX_EFORMAT;
    return 0;
}
