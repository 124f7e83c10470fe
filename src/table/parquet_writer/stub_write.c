/* Placeholder until the Parquet writer lands (owned by the parquet-writer work). */
#include "table/format.h"
#include "util/error.h"

int sigmix_parquet_write(const sigmix_table *t, FILE *f,
                         const sigmix_write_options *o, sigmix_error *err)
{
    (void)t; (void)f; (void)o;
    return sigmix_error_set(err, SIGMIX_EUNSUPPORTED, "Parquet not implemented yet");
}
