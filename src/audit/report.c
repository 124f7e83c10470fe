/* Both reports, committed together as one output set (audit work). */
#include <string.h>

#include "audit/audit_internal.h"
#include "util/error.h"
#include "util/outset.h"

int sigmix_audit_write_reports(const sigmix_audit *a, const char *json_path,
                               const char *md_path, const char **failed_path,
                               sigmix_error *err)
{
    sigmix_error_clear(err); /* contract: common.h */
    if (failed_path)
        *failed_path = NULL;
    if (json_path && md_path && strcmp(json_path, "-") && !strcmp(json_path, md_path)) {
        if (failed_path)
            *failed_path = md_path;
        return sigmix_error_set(err, SIGMIX_EINVAL,
                                "the JSON and Markdown reports need different paths");
    }
    sigmix_outset *set;
    int r = sigmix_outset_new(&set, err);
    if (r)
        return r;
    const char *at = NULL;
    FILE *jf = NULL, *mf = NULL;
    if (json_path && (at = json_path, !(r = sigmix_outset_add(set, json_path, &jf, err))))
        r = sigmix_audit_write_json(a, jf, json_path, md_path, err);
    if (!r && md_path && (at = md_path, !(r = sigmix_outset_add(set, md_path, &mf, err))))
        r = sigmix_audit_write_markdown(a, mf, err);
    /* Published only once both are complete: a failure leaves neither,
     * and the previous reports stay as they were. */
    if (!r) {
        const char *f = NULL; /* points into the set: map it to our own copy */
        if ((r = sigmix_outset_commit(set, &f, err)))
            at = f && md_path && !strcmp(f, md_path) ? md_path : json_path;
    }
    sigmix_outset_free(&set);
    if (r && failed_path)
        *failed_path = at;
    return r;
}
