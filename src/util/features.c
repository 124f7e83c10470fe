/* Which optional parts this build of the library has (meson_options.txt). */
#include <string.h>

#include "sigmix/common.h"
#include "sigmix_config.h"

int sigmix_has_feature(const char *name)
{
    if (!name)
        return 0;
    if (!strcmp(name, "ffmpeg"))
        return SIGMIX_HAVE_FFMPEG;
    if (!strcmp(name, "fftw"))
        return SIGMIX_HAVE_FFTW;
    if (!strcmp(name, "onnx"))
        return SIGMIX_HAVE_ONNX;
    if (!strcmp(name, "saliency"))
        return SIGMIX_HAVE_VIDEO;
    return 0;
}
