/*
 * Canonical metric names. libvmaf's writer already maps its internal
 * feature names through an alias table (feature/alias.c); logs written by
 * older tools or the Python layer still carry the internal spellings, so
 * we apply that table again, then fold the integer_ implementations onto
 * the names the audit families use (as the lusoris/vmaf fork's
 * _METRIC_ALIASES does), then the Python VMAF_feature_X_score layout.
 */
#include <stdio.h>
#include <string.h>

#include "sigmix/vmaflog.h"

/* libvmaf's alias table: internal feature name -> name in logs. Both
 * spellings occur (with and without the quotes libvmaf adds internally). */
static const struct { const char *from, *to; } libvmaf_alias[] = {
    { "VMAF_feature_adm2_score", "adm2" },
    { "VMAF_integer_feature_adm2_score", "integer_adm2" },
    { "VMAF_feature_adm_scale0_score", "adm_scale0" },
    { "VMAF_feature_adm_scale1_score", "adm_scale1" },
    { "VMAF_feature_adm_scale2_score", "adm_scale2" },
    { "VMAF_feature_adm_scale3_score", "adm_scale3" },
    { "VMAF_feature_motion_score", "motion" },
    { "VMAF_feature_motion2_score", "motion2" },
    { "VMAF_integer_feature_motion_score", "integer_motion" },
    { "VMAF_integer_feature_motion2_score", "integer_motion2" },
    { "VMAF_feature_vif_scale0_score", "vif_scale0" },
    { "VMAF_feature_vif_scale1_score", "vif_scale1" },
    { "VMAF_feature_vif_scale2_score", "vif_scale2" },
    { "VMAF_feature_vif_scale3_score", "vif_scale3" },
    { "VMAF_integer_feature_vif_scale0_score", "integer_vif_scale0" },
    { "VMAF_integer_feature_vif_scale1_score", "integer_vif_scale1" },
    { "VMAF_integer_feature_vif_scale2_score", "integer_vif_scale2" },
    { "VMAF_integer_feature_vif_scale3_score", "integer_vif_scale3" },
};

/* Elementary VMAF features whose integer_ implementation takes the
 * float feature's name. */
static const char *const integer_fold[] = {
    "adm2", "adm_scale0", "adm_scale1", "adm_scale2", "adm_scale3",
    "vif_scale0", "vif_scale1", "vif_scale2", "vif_scale3",
    "motion", "motion2", "motion3",
};

static const char *strip_quotes(const char *name, char *tmp, size_t tmpsize)
{
    size_t n = strlen(name);
    if (n >= 2 && name[0] == '\'' && name[n - 1] == '\'' && n - 1 <= tmpsize) {
        memcpy(tmp, name + 1, n - 2);
        tmp[n - 2] = '\0';
        return tmp;
    }
    return name;
}

const char *sigmix_vmaflog_canonical(const char *name, char *tmp, size_t tmpsize)
{
    const char *n = strip_quotes(name, tmp, tmpsize);
    for (size_t i = 0; i < sizeof libvmaf_alias / sizeof *libvmaf_alias; i++)
        if (!strcmp(n, libvmaf_alias[i].from)) {
            n = libvmaf_alias[i].to;
            break;
        }
    if (n == tmp)
        n = name; /* quotes were not an alias: keep the name as written */
    if (!strcmp(n, "VMAF_score"))
        return "vmaf";
    /* Python layout: VMAF_feature_X_score and VMAF_integer_feature_X_score. */
    static const char *const py[] = { "VMAF_feature_", "VMAF_integer_feature_" };
    for (int k = 0; k < 2; k++) {
        size_t pl = strlen(py[k]), nl = strlen(n);
        if (nl > pl + 6 && !strncmp(n, py[k], pl) && !strcmp(n + nl - 6, "_score")
            && nl - 6 - pl + 9 < tmpsize) {
            int w = snprintf(tmp, tmpsize, "%s%.*s", k ? "integer_" : "",
                             (int)(nl - 6 - pl), n + pl);
            if (w > 0 && (size_t)w < tmpsize)
                n = tmp;
            break;
        }
    }
    if (!strncmp(n, "integer_", 8))
        for (size_t i = 0; i < sizeof integer_fold / sizeof *integer_fold; i++)
            if (!strcmp(n + 8, integer_fold[i]))
                return integer_fold[i];
    return n;
}
