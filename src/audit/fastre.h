/*
 * Regex-free matching for the family patterns that need no more than
 * literals, '^', '$', groups, '|', '?', '*', '+' and simple brackets
 * ("psnr", "_cb$", "^adm2(_(mean|p10|p90|std))?$", "q[_-]?align"):
 * what glibc's regexec would answer for a case-insensitive POSIX ERE
 * search of an ASCII name in a locale with ASCII case rules, without its
 * DFA construction (which cost more than the whole 10-row audit). Other
 * patterns, and non-ASCII names, stay with regexec (famset.c decides).
 */
#ifndef SIGMIX_AUDIT_FASTRE_H
#define SIGMIX_AUDIT_FASTRE_H

#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"

enum { SIGMIX_FASTRE_MAX_STATES = 64 };

typedef struct sigmix_fastre {
    int         literal;     /* 1: lit[0..nlit) with optional anchors; 0: automaton */
    int         bol, eol;    /* literal form: anchored at start / end */
    const char *lit;         /* lower case */
    size_t      nlit;
    int         n;           /* automaton: states */
    uint64_t    chars;       /* states that consume a byte */
    uint64_t    match;       /* the accepting state */
    uint64_t   *cls;         /* [n][2]: bytes 0-127 each state accepts (lower case) */
    uint64_t   *close;       /* [4][n]: states reached from s without input; index
                              * bit 0: at the start of the name, bit 1: at its end */
} sigmix_fastre;

/* Compile pattern into re (memory from arena). 0 when the pattern is
 * outside the supported form (the caller keeps regexec), 1 when compiled,
 * negative on OOM. */
int sigmix_fastre_compile(sigmix_fastre *re, const char *pattern, sigmix_arena *arena);

/* POSIX search of s[0..n) (ASCII, no NUL) as REG_ICASE regexec would. */
int sigmix_fastre_search(const sigmix_fastre *re, const char *s, size_t n);

#endif
