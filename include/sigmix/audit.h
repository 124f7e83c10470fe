/* sigmix audit API — defined by the audit work. */
#ifndef SIGMIX_AUDIT_H
#define SIGMIX_AUDIT_H
#include "sigmix/table.h"
#endif
