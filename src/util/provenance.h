/* Time stamps for run provenance (util/runprov) and logs. */
#ifndef SIGMIX_UTIL_PROVENANCE_H
#define SIGMIX_UTIL_PROVENANCE_H

#include <time.h>

/** t as ISO 8601 UTC ("2026-11-23T14:12:41Z") in buf. */
void sigmix_utc_iso(time_t t, char buf[32]);

#endif
