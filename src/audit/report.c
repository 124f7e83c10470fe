/* Every output of an audit run, committed together as one output set. */
#include <string.h>

#include "audit/audit_internal.h"
#include "util/error.h"
#include "util/outset.h"

int sigmix_audit_write_outputs(const sigmix_audit *a, const sigmix_audit_outputs *o,
                               const char **failed_path, sigmix_error *err)
{
    sigmix_error_clear(err); /* contract: common.h */
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
    sigmix_outset *set;
    int r = sigmix_outset_new(&set, err);
    if (r)
        return r;
    const char *at = NULL;
    FILE *f[4] = { NULL, NULL, NULL, NULL };
    for (int i = 0; i < 4 && !r; i++) {
        if (!all[i])
            continue;
        at = all[i];
        if ((r = sigmix_outset_add(set, all[i], &f[i], err)))
            break;
        switch (i) {
        case 0: r = sigmix_audit_write_json_for(a, f[i], o, err); break;
        case 1: r = sigmix_audit_write_markdown(a, f[i], err); break;
        case 2: r = sigmix_audit_write_html(a, f[i], err); break;
        default: r = sigmix_audit_write_matrix_stream(a, f[i], all[i], err); break;
        }
    }
    /* Published only once all are complete: a failure leaves none, and the
     * previous outputs stay as they were. */
    if (!r) {
        const char *bad = NULL; /* points into the set: map it to the caller's copy */
        if ((r = sigmix_outset_commit(set, &bad, err)))
            for (int i = 0; i < 4; i++)
                if (bad && all[i] && !strcmp(bad, all[i]))
                    at = all[i];
    }
    sigmix_outset_free(&set);
    if (r && failed_path)
        *failed_path = at;
    return r;
}

int sigmix_audit_write_reports(const sigmix_audit *a, const char *json_path,
                               const char *md_path, const char **failed_path,
                               sigmix_error *err)
{
    sigmix_audit_outputs o = { json_path, md_path, NULL, NULL };
    return sigmix_audit_write_outputs(a, &o, failed_path, err);
}
