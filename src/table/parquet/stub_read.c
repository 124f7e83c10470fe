/* Placeholder until the Parquet reader lands (owned by the parquet-reader work). */
#include "table/format.h"
#include "util/error.h"

int sigmix_parquet_read(const char *path, const sigmix_read_options *o,
                        sigmix_table **out, sigmix_error *err)
{
    (void)path; (void)o;
    *out = NULL;
    return sigmix_error_set(err, SIGMIX_EUNSUPPORTED, "Parquet not implemented yet");
}
