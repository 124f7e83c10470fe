/* Prints the size and field offsets of every public struct the Python
 * package mirrors with ctypes, so test_abi.py catches a header change
 * the package has not followed. */
#include <stddef.h>
#include <stdio.h>

#include "sigmix/audit.h"
#include "sigmix/common.h"
#include "sigmix/saliency.h"
#include "sigmix/table.h"

#define S(T) printf(#T " %zu\n", sizeof(T))
#define F(T, f) printf(#T "." #f " %zu\n", offsetof(T, f))

int main(void)
{
    S(sigmix_error); F(sigmix_error, message);
    S(sigmix_strref); F(sigmix_strref, len);
    S(sigmix_column); F(sigmix_column, kind); F(sigmix_column, flags); F(sigmix_column, f64);
    F(sigmix_column, i64); F(sigmix_column, str); F(sigmix_column, valid);
    S(sigmix_read_options); F(sigmix_read_options, columns); F(sigmix_read_options, ncolumns);
    F(sigmix_read_options, threads); F(sigmix_read_options, warn);
    F(sigmix_read_options, warn_cookie); F(sigmix_read_options, delimiter);
    F(sigmix_read_options, max_input_bytes);
    S(sigmix_write_options); F(sigmix_write_options, compression);
    F(sigmix_write_options, row_group_rows); F(sigmix_write_options, kv_metadata);
    F(sigmix_write_options, threads);
    S(sigmix_audit_settings); F(sigmix_audit_settings, redundancy_threshold);
    F(sigmix_audit_settings, min_target_abs_r); F(sigmix_audit_settings, top_k);
    F(sigmix_audit_settings, families_path); F(sigmix_audit_settings, argc);
    F(sigmix_audit_settings, argv); F(sigmix_audit_settings, warn);
    F(sigmix_audit_settings, warn_cookie); F(sigmix_audit_settings, threads);
    F(sigmix_audit_settings, reserved);
    S(sigmix_saliency_settings); F(sigmix_saliency_settings, root);
    F(sigmix_saliency_settings, allow_outside_root); F(sigmix_saliency_settings, default_width);
    F(sigmix_saliency_settings, raw_pix_fmt); F(sigmix_saliency_settings, max_frames);
    F(sigmix_saliency_settings, reducer); F(sigmix_saliency_settings, ema_alpha);
    F(sigmix_saliency_settings, overwrite); F(sigmix_saliency_settings, mean_column);
    F(sigmix_saliency_settings, status_column); F(sigmix_saliency_settings, jobs);
    F(sigmix_saliency_settings, max_pixels); F(sigmix_saliency_settings, journal_path);
    F(sigmix_saliency_settings, progress); F(sigmix_saliency_settings, cancel);
    F(sigmix_saliency_settings, on_fail); F(sigmix_saliency_settings, on_fail_cookie);
    S(sigmix_saliency_report); F(sigmix_saliency_report, by_status);
    F(sigmix_saliency_report, clips); F(sigmix_saliency_report, frame_samples);
    F(sigmix_saliency_report, model_id); F(sigmix_saliency_report, model_sha256);
    F(sigmix_saliency_report, skipped_other_model); F(sigmix_saliency_report, interrupted);
    F(sigmix_saliency_report, error_path); F(sigmix_saliency_report, clips_journaled);
    F(sigmix_saliency_report, t_decode); F(sigmix_saliency_report, t_wall);
    return 0;
}
