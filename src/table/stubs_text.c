/* Placeholder until the text readers/writers land (owned by the table-io work). */
#include "table/format.h"
#include "util/error.h"

#define NOT_YET(fn, ...) int fn(__VA_ARGS__) { (void)o; *out = NULL; (void)path; \
    return sigmix_error_set(err, SIGMIX_EUNSUPPORTED, "format not implemented yet"); }
NOT_YET(sigmix_jsonl_read, const char *path, const sigmix_read_options *o, sigmix_table **out, sigmix_error *err)
NOT_YET(sigmix_json_read, const char *path, const sigmix_read_options *o, sigmix_table **out, sigmix_error *err)
NOT_YET(sigmix_csv_read, const char *path, const sigmix_read_options *o, sigmix_table **out, sigmix_error *err)
#define NOT_YET_W(fn) int fn(const sigmix_table *t, FILE *f, const sigmix_write_options *o, sigmix_error *err) \
    { (void)t; (void)f; (void)o; return sigmix_error_set(err, SIGMIX_EUNSUPPORTED, "format not implemented yet"); }
NOT_YET_W(sigmix_jsonl_write)
NOT_YET_W(sigmix_json_write)
NOT_YET_W(sigmix_csv_write)
