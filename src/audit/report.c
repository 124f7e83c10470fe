/* Both reports, written atomically and only together (audit work). */
#include <string.h>

#include "audit/audit_internal.h"
#include "util/atomic.h"
#include "util/error.h"

int sigmix_audit_write_reports(const sigmix_audit *a, const char *json_path,
                               const char *md_path, const char **failed_path,
                               sigmix_error *err)
{
    sigmix_atomic j, m;
    const char *at = NULL;
    memset(&j, 0, sizeof j);
    memset(&m, 0, sizeof m);
    if (failed_path)
        *failed_path = NULL;
    if (json_path && md_path && strcmp(json_path, "-") && !strcmp(json_path, md_path)) {
        if (failed_path)
            *failed_path = md_path;
        return sigmix_error_set(err, SIGMIX_EINVAL,
                                "the JSON and Markdown reports need different paths");
    }
    int r = 0;
    if (json_path && (at = json_path, !(r = sigmix_atomic_open(&j, json_path, 1, err))))
        r = sigmix_audit_write_json(a, j.f, json_path, md_path, err);
    if (!r && md_path && (at = md_path, !(r = sigmix_atomic_open(&m, md_path, 1, err))))
        r = sigmix_audit_write_markdown(a, m.f, err);
    /* Rename only once both are complete, so a failure leaves neither. */
    if (!r && json_path && (at = json_path, 1))
        r = sigmix_atomic_commit(&j, err);
    if (!r && md_path && (at = md_path, 1))
        r = sigmix_atomic_commit(&m, err);
    if (r) {
        sigmix_atomic_abort(&j);
        sigmix_atomic_abort(&m);
        if (failed_path)
            *failed_path = at;
    }
    return r;
}
