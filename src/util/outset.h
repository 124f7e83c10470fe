/* Output sets: declared in the public sigmix/output.h. */
#ifndef SIGMIX_UTIL_OUTSET_H
#define SIGMIX_UTIL_OUTSET_H

#include "sigmix/output.h"

#endif
