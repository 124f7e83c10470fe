/*
 * sigmix — feature tables for video-quality models.
 * Umbrella header: include this to get the whole public API.
 */
#ifndef SIGMIX_SIGMIX_H
#define SIGMIX_SIGMIX_H

#include "sigmix/common.h"
#include "sigmix/table.h"
#include "sigmix/audit.h"
#include "sigmix/onnx.h"
#include "sigmix/saliency.h"
#include "sigmix/join.h"
#include "sigmix/vmaflog.h"

#endif /* SIGMIX_SIGMIX_H */
