/* Every report of a run, written together (audit work; HTML by the html work). */
#include <string.h>
#include <sys/stat.h>

#include "audit/audit_internal.h"
#include "util/atomic.h"
#include "util/error.h"

typedef int (*report_fn)(const sigmix_audit *a, FILE *f, const sigmix_audit_outputs *o,
                         sigmix_error *err);

static int put_json(const sigmix_audit *a, FILE *f, const sigmix_audit_outputs *o,
                    sigmix_error *err)
{
    return sigmix_audit_write_json(a, f, o->json, o->md, err);
}

static int put_md(const sigmix_audit *a, FILE *f, const sigmix_audit_outputs *o,
                  sigmix_error *err)
{
    (void)o;
    return sigmix_audit_write_markdown(a, f, err);
}

static int put_html(const sigmix_audit *a, FILE *f, const sigmix_audit_outputs *o,
                    sigmix_error *err)
{
    (void)o;
    return sigmix_audit_write_html(a, f, err);
}

int sigmix_audit_write_outputs(const sigmix_audit *a, const sigmix_audit_outputs *o,
                               const char **failed_path, sigmix_error *err)
{
    const char *path[3] = { o->json, o->md, o->html };
    const report_fn fn[3] = { put_json, put_md, put_html };
    sigmix_atomic out[3];
    const char *at = NULL;
    memset(out, 0, sizeof out);
    if (failed_path)
        *failed_path = NULL;
    const char *all[4] = { o->json, o->md, o->html, o->matrix };
    for (int i = 0; i < 4; i++)
        for (int j = i + 1; j < 4; j++)
            if (all[i] && all[j] && strcmp(all[i], "-") && !strcmp(all[i], all[j])) {
                if (failed_path)
                    *failed_path = all[j];
                return sigmix_error_set(err, SIGMIX_EINVAL, i == 0 && j == 1
                                        ? "the JSON and Markdown reports need different paths"
                                        : "two outputs name the same path");
            }
    /* A folder cannot be replaced by a rename: refuse it before any output
     * is written, so no report is committed ahead of the failure. */
    struct stat st;
    for (int i = 0; i < 4; i++)
        if (all[i] && strcmp(all[i], "-") && !stat(all[i], &st) && S_ISDIR(st.st_mode)) {
            if (failed_path)
                *failed_path = all[i];
            return sigmix_error_set(err, SIGMIX_EIO, "is a folder, not a file");
        }
    int r = 0;
    for (int i = 0; i < 3 && !r; i++)
        if (path[i] && (at = path[i], !(r = sigmix_atomic_open(&out[i], path[i], 1, err))))
            r = fn[i](a, out[i].f, o, err);
    /* The matrix table is written (atomically) before any report is
     * renamed into place, so a failure there leaves no report either. */
    if (!r && o->matrix && (at = o->matrix, 1))
        r = sigmix_audit_write_matrix(a, o->matrix, err);
    for (int i = 0; i < 3 && !r; i++)
        if (path[i] && (at = path[i], 1))
            r = sigmix_atomic_commit(&out[i], err);
    if (r) {
        for (int i = 0; i < 3; i++)
            sigmix_atomic_abort(&out[i]);
        if (failed_path)
            *failed_path = at;
    }
    return r;
}

int sigmix_audit_write_reports(const sigmix_audit *a, const char *json_path,
                               const char *md_path, const char **failed_path,
                               sigmix_error *err)
{
    if (json_path && md_path && strcmp(json_path, "-") && !strcmp(json_path, md_path)) {
        if (failed_path)
            *failed_path = md_path;
        return sigmix_error_set(err, SIGMIX_EINVAL,
                                "the JSON and Markdown reports need different paths");
    }
    sigmix_audit_outputs o = { json_path, md_path, NULL, NULL };
    return sigmix_audit_write_outputs(a, &o, failed_path, err);
}
