/* sigmix saliency API — defined by the saliency work. */
#ifndef SIGMIX_SALIENCY_H
#define SIGMIX_SALIENCY_H
#include "sigmix/table.h"
#endif
