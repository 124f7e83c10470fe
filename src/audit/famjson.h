/* Bounded JSON parser for families files (audit work). */
#ifndef SIGMIX_AUDIT_FAMJSON_H
#define SIGMIX_AUDIT_FAMJSON_H

#include <stddef.h>

#include "sigmix/common.h"
#include "util/arena.h"

typedef enum famjson_type {
    FAMJSON_NULL, FAMJSON_BOOL, FAMJSON_NUMBER, FAMJSON_STRING, FAMJSON_ARRAY, FAMJSON_OBJECT,
} famjson_type;

typedef struct famjson famjson;
struct famjson {
    famjson_type type;
    char        *key;    /* member name inside an object, else NULL */
    char        *str;    /* STRING: decoded UTF-8, NUL-terminated (no NUL inside) */
    size_t       len;
    famjson     *child;  /* ARRAY/OBJECT: first item */
    famjson     *next;
    size_t       count;  /* ARRAY/OBJECT: number of items */
};

/* Parse buf[0..len) into arena-allocated nodes. Errors say where (line, byte). */
int sigmix_famjson_parse(const char *buf, size_t len, sigmix_arena *arena, famjson **out,
                         sigmix_error *err);
/* First member named key of an object, or NULL. */
const famjson *sigmix_famjson_get(const famjson *obj, const char *key);

#endif
