/* Parquet datasets: file lists and partition columns (see pq_dir.h). */
#include <errno.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "table/parquet/pq_dir.h"
#include "util/error.h"

enum { MAX_DIR_DEPTH = 32 }; /* = size of pq_dfile.pkey */

/* A folder met while walking, by identity (symlinks resolve to the same). */
typedef struct seen_dir {
    dev_t dev;
    ino_t ino;
    int   open;     /* on the current path: meeting it again is a loop */
} seen_dir;

/* Partition path state while walking. */
typedef struct walk {
    seen_dir   *seen;
    size_t      nseen, seencap;
    pq_dataset *ds;
    size_t      cap;
    size_t      depth;
    size_t      kidx[MAX_DIR_DEPTH];
    char       *kval[MAX_DIR_DEPTH];
    sigmix_error *err;
} walk;

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

static char *join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s%s%s", a, *a ? "/" : "", b);
    return p;
}

static int hexval(int c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
           c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Hive escapes special characters in partition values as %XX. */
static char *unescape(const char *s)
{
    if (!strcmp(s, "__HIVE_DEFAULT_PARTITION__"))
        return NULL;
    char *o = malloc(strlen(s) + 1), *p = o;
    if (!o)
        return NULL;
    for (; *s; s++) {
        int h, l;
        if (*s == '%' && (h = hexval(s[1])) >= 0 && (l = hexval(s[2])) >= 0) {
            *p++ = (char)(h * 16 + l);
            s += 2;
        } else {
            *p++ = *s;
        }
    }
    *p = 0;
    return o;
}

static int key_index(pq_dataset *ds, const char *key, size_t len, size_t *idx)
{
    for (size_t i = 0; i < ds->nkeys; i++)
        if (strlen(ds->keys[i]) == len && !memcmp(ds->keys[i], key, len)) {
            *idx = i;
            return 0;
        }
    char **k = realloc(ds->keys, (ds->nkeys + 1) * sizeof *k);
    if (!k)
        return -1;
    ds->keys = k;
    if (!(k[ds->nkeys] = malloc(len + 1)))
        return -1;
    memcpy(k[ds->nkeys], key, len);
    k[ds->nkeys][len] = 0;
    *idx = ds->nkeys++;
    return 0;
}

static int add_file(walk *w, const char *path, const char *rel)
{
    pq_dataset *ds = w->ds;
    if (ds->nfiles == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 16;
        pq_dfile *f = realloc(ds->files, cap * sizeof *f);
        if (!f)
            return -1;
        ds->files = f;
        w->cap = cap;
    }
    pq_dfile *f = &ds->files[ds->nfiles];
    memset(f, 0, sizeof *f);
    f->path = dup_str(path);
    f->rel = dup_str(rel);
    ds->nfiles++;
    if (!f->path || !f->rel)
        return -1;
    for (size_t i = 0; i < w->depth; i++) {
        f->pkey[i] = w->kidx[i];
        f->pval[i] = w->kval[i] ? dup_str(w->kval[i]) : NULL;
        f->npairs = i + 1;
        if (w->kval[i] && !f->pval[i])
            return -1;
    }
    return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

/*
 * Enter folder st (reached as rel): each folder is read once, so a
 * symlink back to a folder on the current path (a loop) or to one already
 * read (its rows twice) is refused. Returns 0 with *idx, or SIGMIX_E*.
 */
static int enter_dir(walk *w, const struct stat *st, const char *rel, size_t *idx)
{
    for (size_t i = 0; i < w->nseen; i++)
        if (w->seen[i].dev == st->st_dev && w->seen[i].ino == st->st_ino) {
            if (w->seen[i].open)
                return sigmix_error_set(w->err, SIGMIX_EFORMAT, "symlink loop at %s",
                                        *rel ? rel : ".");
            return sigmix_error_set(w->err, SIGMIX_EFORMAT,
                                    "folder reached twice through a symlink at %s", rel);
        }
    if (w->nseen == w->seencap) {
        size_t cap = w->seencap ? w->seencap * 2 : 16;
        seen_dir *n = realloc(w->seen, cap * sizeof *n);
        if (!n)
            return sigmix_error_set(w->err, SIGMIX_ENOMEM, "out of memory");
        w->seen = n;
        w->seencap = cap;
    }
    w->seen[w->nseen] = (seen_dir){ st->st_dev, st->st_ino, 1 };
    *idx = w->nseen++;
    return 0;
}

static int walk_dir(walk *w, const char *dir, const char *rel)
{
    struct dirent **ents;
    struct stat dst;
    if (stat(dir, &dst))
        return sigmix_error_set(w->err, SIGMIX_EIO, "cannot list folder %s", *rel ? rel : ".");
    size_t me = 0;
    int r = enter_dir(w, &dst, rel, &me);
    if (r)
        return r;
    int n = scandir(dir, &ents, NULL, by_name);
    if (n < 0) {
        w->seen[me].open = 0;
        return sigmix_error_set(w->err, SIGMIX_EIO, "cannot list folder %s", *rel ? rel : ".");
    }
    for (int i = 0; i < n; i++) {
        const char *name = ents[i]->d_name;
        char *p = NULL, *q = NULL;
        struct stat st;
        /* Hidden and bookkeeping files (_SUCCESS, _metadata, .crc) are not data. */
        if (r || name[0] == '.' || name[0] == '_')
            goto next;
        p = join(dir, name);
        q = join(rel, name);
        if (!p || !q) {
            r = sigmix_error_set(w->err, SIGMIX_ENOMEM, "out of memory");
            goto next;
        }
        if (stat(p, &st))
            goto next;
        if (S_ISDIR(st.st_mode)) {
            const char *eq = strchr(name, '=');
            if (w->depth == MAX_DIR_DEPTH) {
                r = sigmix_error_set(w->err, SIGMIX_EUNSUPPORTED, "folders nested too deeply");
                goto next;
            }
            w->kval[w->depth] = NULL;
            if (eq && eq != name) {
                if (key_index(w->ds, name, (size_t)(eq - name), &w->kidx[w->depth])) {
                    r = sigmix_error_set(w->err, SIGMIX_ENOMEM, "out of memory");
                    goto next;
                }
                w->kval[w->depth] = unescape(eq + 1);
                w->depth++;
                r = walk_dir(w, p, q);
                w->depth--;
                free(w->kval[w->depth]);
            } else {
                r = walk_dir(w, p, q);
            }
        } else if (S_ISREG(st.st_mode)) {
            size_t len = strlen(name);
            if ((len > 8 && !strcasecmp(name + len - 8, ".parquet")) ||
                (len > 5 && !strcasecmp(name + len - 5, ".parq")) ||
                (len > 3 && !strcasecmp(name + len - 3, ".pq")))
                if (add_file(w, p, q))
                    r = sigmix_error_set(w->err, SIGMIX_ENOMEM, "out of memory");
        }
    next:
        free(p);
        free(q);
        free(ents[i]);
    }
    free(ents);
    w->seen[me].open = 0;
    return r;
}

/* Turn each file's (key, value) pairs into a value per dataset key. */
static int finish_keys(pq_dataset *ds)
{
    for (size_t i = 0; i < ds->nfiles; i++) {
        pq_dfile *f = &ds->files[i];
        char **vals = calloc(ds->nkeys + 1, sizeof *vals);
        if (!vals)
            return -1;
        for (size_t k = 0; k < f->npairs; k++) {
            free(vals[f->pkey[k]]);
            vals[f->pkey[k]] = f->pval[k];
            f->pval[k] = NULL;
        }
        f->npairs = 0;
        f->vals = vals;
    }
    return 0;
}

int sigmix_pq_dataset_open(const char *path, pq_dataset *ds, sigmix_error *err)
{
    struct stat st;
    walk w;
    memset(ds, 0, sizeof *ds);
    memset(&w, 0, sizeof w);
    w.ds = ds;
    w.err = err;
    if (stat(path, &st))
        return sigmix_error_open(err, errno);
    if (!S_ISDIR(st.st_mode)) {
        if (!add_file(&w, path, path) && !finish_keys(ds))
            return 0;
        sigmix_pq_dataset_free(ds);   /* what add_file got before failing */
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    }
    ds->is_dir = 1;
    int r = walk_dir(&w, path, "");
    free(w.seen);
    if (!r && finish_keys(ds))
        r = sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    if (!r && ds->nfiles == 0)
        r = sigmix_error_set(err, SIGMIX_ENOTFOUND, "folder holds no .parquet files");
    if (r)
        sigmix_pq_dataset_free(ds);
    return r;
}

int sigmix_pq_dataset_add_keys(pq_dataset *ds, sigmix_table *t, const sigmix_read_options *o,
                               sigmix_error *err)
{
    ds->key_col = malloc((ds->nkeys + 1) * sizeof *ds->key_col);
    if (!ds->key_col)
        return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
    for (size_t k = 0; k < ds->nkeys; k++) {
        int want = !o->columns;
        for (size_t i = 0; !want && i < o->ncolumns; i++)
            want = o->columns[i] && !strcmp(o->columns[i], ds->keys[k]);
        ds->key_col[k] = -1;
        if (!want)
            continue;
        size_t idx;
        if (sigmix_table_find(t, ds->keys[k]) >= 0)
            return sigmix_error_set(err, SIGMIX_EFORMAT,
                                    "partition key '%s' is also a column of the files", ds->keys[k]);
        if (sigmix_table_add_column(t, ds->keys[k], SIGMIX_KIND_STRING, &idx))
            return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
        ds->key_col[k] = (long)idx;
    }
    return 0;
}

int sigmix_pq_dataset_fill_keys(const pq_dataset *ds, size_t i, sigmix_table *t, sigmix_error *err)
{
    const pq_dfile *f = &ds->files[i];
    for (size_t k = 0; k < ds->nkeys; k++) {
        const char *v = f->vals[k];
        if (ds->key_col[k] < 0 || !v)
            continue;
        const char *s = sigmix_table_intern(t, v, strlen(v));
        if (!s)
            return sigmix_error_set(err, SIGMIX_ENOMEM, "out of memory");
        sigmix_column *c = sigmix_table_col_mut(t, (size_t)ds->key_col[k]);
        for (size_t r = f->row0; r < f->row0 + f->nrows; r++) {
            c->valid[r] = 1;
            c->str[r] = (sigmix_strref){ s, strlen(s) };
        }
    }
    return 0;
}

void sigmix_pq_dataset_free(pq_dataset *ds)
{
    for (size_t i = 0; i < ds->nfiles; i++) {
        free(ds->files[i].path);
        free(ds->files[i].rel);
        if (ds->files[i].vals)
            for (size_t k = 0; k < ds->nkeys; k++)
                free(ds->files[i].vals[k]);
        free(ds->files[i].vals);
        for (size_t k = 0; k < ds->files[i].npairs; k++)
            free(ds->files[i].pval[k]);
    }
    free(ds->files);
    for (size_t k = 0; k < ds->nkeys; k++)
        free(ds->keys[k]);
    free(ds->keys);
    free(ds->key_col);
    memset(ds, 0, sizeof *ds);
}
