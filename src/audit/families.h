/*
 * Signal-family sets: the built-in table (families.c) or one loaded from a
 * JSON families file (famfile.c), with every pattern compiled once.
 * Owned by the audit work.
 */
#ifndef SIGMIX_AUDIT_FAMILIES_H
#define SIGMIX_AUDIT_FAMILIES_H

#include <pthread.h>
#include <regex.h>
#include <stdatomic.h>
#include <stddef.h>

#include "audit/fastre.h"
#include "sigmix/audit.h"
#include "util/arena.h"

/* Bounds for families files (a file is rejected beyond them). */
enum {
    SIGMIX_FAMFILE_MAX_BYTES    = 1 << 20,
    SIGMIX_FAMFILE_MAX_FAMILIES = 256,
    SIGMIX_FAMFILE_MAX_LIST     = 256,  /* patterns or metrics per family */
    SIGMIX_FAMFILE_MAX_STRING   = 4096,
    SIGMIX_FAMFILE_MAX_PATTERN  = 256,
};

typedef struct sigmix_family_set {
    size_t               n;
    sigmix_audit_family *fam;    /* n entries; strings static or in arena */
    regex_t            **re;     /* re[f]: compiled patterns of family f */
    size_t              *nre;
    sigmix_fastre      **fast;   /* fast[f][k]: the same without regexec, when it can */
    /* lazy[f][k]: re[f][k] not compiled yet (the fast matcher covers the
     * pattern; regexec is needed only for non-ASCII names or other locales,
     * and then every such pattern is compiled once, under lock) */
    unsigned char      **lazy;
    atomic_int           lazy_state; /* 0 pending, 1 compiled, -1 failed (OOM) */
    int                  lock_ok;
    pthread_mutex_t      lock;
    sigmix_arena         arena;
} sigmix_family_set;

/* Compile n families (the structs are copied; their strings must outlive s). */
int  sigmix_family_set_from(sigmix_family_set *s, const sigmix_audit_family *fam, size_t n,
                            sigmix_error *err);
/* Compile the built-ins. */
int  sigmix_family_set_builtin(sigmix_family_set *s, sigmix_error *err);
/* Load a families file (replace or extend the built-ins, see audit.h). */
int  sigmix_family_set_load(sigmix_family_set *s, const char *path, sigmix_error *err);
/* The same from bytes in memory (used by the loader and the fuzzer). */
int  sigmix_family_set_parse(sigmix_family_set *s, const char *buf, size_t len,
                             sigmix_error *err);
void sigmix_family_set_free(sigmix_family_set *s);

/* Whether re matches name as Python's re.search would ('$' also before a final '\n'). */
int  sigmix_regex_search(const regex_t *re, const char *name);

/* Whether column name matches any pattern of family f (thread-safe). */
int  sigmix_family_matches(const sigmix_family_set *s, size_t f, const char *name);
/* The same for every family at once: out[f] = 0 or 1, s->n entries. */
void sigmix_family_match_all(const sigmix_family_set *s, const char *name, unsigned char *out);

/* Pattern k of family f compiled for regexec (compiled now if it was left
 * to the fast matcher), or NULL on OOM. */
const regex_t *sigmix_family_regex(const sigmix_family_set *s, size_t f, size_t k);

/*
 * Compile one pattern (POSIX ERE, case-insensitive, search). Rejects
 * patterns longer than SIGMIX_FAMFILE_MAX_PATTERN and repetition bounds
 * that would make the compiled automaton explode.
 */
int  sigmix_family_compile(regex_t *re, const char *pattern, sigmix_error *err);

#endif
