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
 *
 * The contract, for every public function that takes `err`:
 *  - it clears *err on entry (code 0, empty message), so a reused
 *    sigmix_error never carries an earlier call's failure;
 *  - it returns 0 or a negative SIGMIX_E* code, and on failure err->code is
 *    that code and err->message the first cause found;
 *  - one cause has one code and one wording whatever the reader: a missing
 *    input is SIGMIX_ENOTFOUND "No such file or directory" for every format;
 *  - NULL where an object or output pointer is required, or an index out of
 *    range, is SIGMIX_EINVAL;
 *  - on failure no output pointer is left pointing at a partial object
 *    (each function says what *out holds).
 * Memory the library allocates for the caller (strings, buffers) is
 * released with sigmix_free; objects with their own *_free/_close use those.
 * Functions on distinct objects may run on distinct threads at once; one
 * object is used by one thread at a time unless its header says otherwise.
 */
typedef struct sigmix_error {
    int  code;
    char message[SIGMIX_ERROR_MSG];
} sigmix_error;

/** Release memory sigmix allocated for the caller (see each function). NULL is fine. */
SIGMIX_API void sigmix_free(void *p);

/** Short static description of a status code. Never NULL. Thread-safe. */
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

/**
 * Nonzero when this build of the library has the optional part `name`:
 * "ffmpeg", "fftw", "onnx" (ONNX runner and OpenBLAS) or "saliency" (needs
 * all three). Without one, the functions that need it fail with
 * SIGMIX_EUNSUPPORTED "built without ... support". Thread-safe.
 */
SIGMIX_API int sigmix_has_feature(const char *name);

#ifdef __cplusplus
}
#endif

#endif /* SIGMIX_COMMON_H */
