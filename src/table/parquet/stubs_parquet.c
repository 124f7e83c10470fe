/* Placeholder until the Parquet reader/writer land (owned by the parquet work). */
#include "table/format.h"
#include "util/error.h"

int sigmix_parquet_read(const char *path, const sigmix_read_options *o,
                        sigmix_table **out, sigmix_error *err)
{
    (void)path; (void)o;
    *out = NULL;
    return sigmix_error_set(err, SIGMIX_EUNSUPPORTED, "Parquet not implemented yet");
}

int sigmix_parquet_write(const sigmix_table *t, FILE *f,
                         const sigmix_write_options *o, sigmix_error *err)
{
    (void)t; (void)f; (void)o;
    return sigmix_error_set(err, SIGMIX_EUNSUPPORTED, "Parquet not implemented yet");
}
