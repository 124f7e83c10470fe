/*
 * sigmix — common definitions shared by every public header:
 * export macro, error codes and the error-detail struct.
 */
#ifndef SIGMIX_COMMON_H
#define SIGMIX_COMMON_H

#include <stddef.h>

#include "sigmix/version.h"

#if defined(SIGMIX_BUILDING) && defined(__GNUC__)
#define SIGMIX_API __attribute__((visibility("default")))
#else
#define SIGMIX_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Every fallible sigmix function returns 0 on success or one of these
 * negative codes. Values are stable.
 */
enum sigmix_status {
    SIGMIX_OK           = 0,
    SIGMIX_EINVAL       = -1,  /**< bad argument or usage */
    SIGMIX_ENOMEM       = -2,  /**< allocation failed or size bound exceeded */
    SIGMIX_EIO          = -3,  /**< file cannot be opened, read or written */
    SIGMIX_EFORMAT      = -4,  /**< input bytes are malformed */
    SIGMIX_EUNSUPPORTED = -5,  /**< valid input using a feature sigmix lacks */
    SIGMIX_ENOTFOUND    = -6,  /**< named column, file or item does not exist */
    SIGMIX_EDECODE      = -7,  /**< media decoding failed */
    SIGMIX_EMODEL       = -8,  /**< model load or inference failed */
};

/** Size of the message buffer in sigmix_error. */
#define SIGMIX_ERROR_MSG 512

/**
 * Error detail filled by functions that take a `sigmix_error *err`.
 * `message` says what is wrong and where ("unterminated string (line 3)"),
 * without the path: the caller prefixes it. Passing NULL is allowed.
 */
typedef struct sigmix_error {
    int  code;
    char message[SIGMIX_ERROR_MSG];
} sigmix_error;

/** Short static description of a status code. Never NULL. */
SIGMIX_API const char *sigmix_strerror(int code);

/** Library version string, e.g. "0.1.0". Static storage; never NULL. */
SIGMIX_API const char *sigmix_version(void);

/**
 * API version of the running library as (major << 16) | (minor << 8) | patch,
 * the same layout as SIGMIX_API_VERSION in sigmix/version.h. A program checks
 * `sigmix_version_api() >> 16 == SIGMIX_API_VERSION_MAJOR` at start: a
 * different major means the headers it was built with do not describe the
 * library it runs with. Thread-safe.
 */
SIGMIX_API unsigned sigmix_version_api(void);

#ifdef __cplusplus
}
#endif

#endif /* SIGMIX_COMMON_H */
