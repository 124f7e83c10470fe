/* The export of sigmix-video.so: the real saliency functions (plugin.h). */
#include <string.h>

#include "saliency/plugin.h"
#include "sigmix_config.h"

/* Exported by the plugin's version script (plugin.map), nothing else is. */
__attribute__((visibility("default"))) const sigmix_video_vtbl *sigmix_video_plugin_v1(void);

const sigmix_video_vtbl *sigmix_video_plugin_v1(void)
{
    static const sigmix_video_vtbl v = {
        .version = SIGMIX_VERSION_STRING,
        .size = sizeof(sigmix_video_vtbl),
#define SIGMIX_VIDEO_FILL(ret, name, params, args, kind, fallback) .name = name,
        SIGMIX_VIDEO_FUNCS(SIGMIX_VIDEO_FILL)
#undef SIGMIX_VIDEO_FILL
    };
    return &v;
}
