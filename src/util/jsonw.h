/*
 * Small streaming JSON writer: escapes strings, writes non-finite numbers
 * as null (strict JSON) and doubles in shortest round-trip form.
 * Used by the reports, the JSONL/JSON table writers and the journals.
 */
#ifndef SIGMIX_UTIL_JSONW_H
#define SIGMIX_UTIL_JSONW_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum { SIGMIX_JSONW_MAX_DEPTH = 64 };

typedef struct sigmix_jsonw {
    FILE         *f;
    int           indent;  /* spaces per level; 0 = compact, one line */
    int           depth;
    unsigned char count[SIGMIX_JSONW_MAX_DEPTH]; /* items so far, saturating */
    int           after_key;
    int           bad_utf8; /* a key or string was not UTF-8 (written as "") */
    size_t        len;      /* bytes in buf not yet handed to f */
    char          buf[4096];
} sigmix_jsonw;

/*
 * Output is buffered in the writer and handed to f in blocks and whenever a
 * top-level value is complete, so a caller may write to f between values.
 * Inside a value, call sigmix_jw_flush before writing to f directly.
 */
void sigmix_jw_init(sigmix_jsonw *w, FILE *f, int indent);
void sigmix_jw_flush(sigmix_jsonw *w);
/**
 * 1 when a key or string handed to the writer was not valid UTF-8. sigmix
 * never writes such bytes: the string is written as "" so the text stays
 * JSON, and the caller must refuse the output.
 */
int  sigmix_jw_bad_utf8(const sigmix_jsonw *w);
void sigmix_jw_obj_begin(sigmix_jsonw *w);
void sigmix_jw_obj_end(sigmix_jsonw *w);
void sigmix_jw_arr_begin(sigmix_jsonw *w);
void sigmix_jw_arr_end(sigmix_jsonw *w);
void sigmix_jw_key(sigmix_jsonw *w, const char *key);
void sigmix_jw_str(sigmix_jsonw *w, const char *s);           /* NULL -> null */
void sigmix_jw_strn(sigmix_jsonw *w, const char *s, size_t n);
void sigmix_jw_double(sigmix_jsonw *w, double v);             /* non-finite -> null */
void sigmix_jw_int(sigmix_jsonw *w, int64_t v);
void sigmix_jw_bool(sigmix_jsonw *w, int v);
void sigmix_jw_null(sigmix_jsonw *w);
/** Write pre-rendered JSON text as one value (caller guarantees validity). */
void sigmix_jw_raw(sigmix_jsonw *w, const char *s, size_t n);

/**
 * Shortest text that strtod reads back as exactly v (finite v), with ".0"
 * appended to integral values so they stay floats ("5.0", as Python does).
 * Returns the length written (buf NUL-terminated); n >= 32 suffices.
 */
size_t sigmix_format_double(double v, char *buf, size_t n);

/**
 * JSON-quote s[0..len) (with the surrounding quotes) into out, which needs
 * the returned length plus 1 bytes; out NULL only measures. Bytes >= 0x80
 * are copied as is (the caller checks UTF-8: sigmix_utf8_valid); controls
 * are escaped.
 */
size_t sigmix_json_quote(const char *s, size_t len, char *out);

#endif
