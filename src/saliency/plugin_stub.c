/*
 * libsigmix.so's saliency functions: forwarders to sigmix-video.so
 * (plugin.h), loaded on the first call and kept for the process. A program
 * that never calls them never maps FFmpeg or FFTW.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

#include "saliency/plugin.h"
#include "sigmix_config.h"
#include "util/dynload.h"
#include "util/error.h"

static pthread_once_t video_once = PTHREAD_ONCE_INIT;
static const sigmix_video_vtbl *video_vt;
static sigmix_error video_err; /* why loading failed; written once */

static void video_load(void)
{
#if SIGMIX_HAVE_VIDEO
    void *h = sigmix_dl_plugin(&video_err, "sigmix-video.so", &video_err);
    if (!h)
        return;
    const sigmix_video_vtbl *(*entry)(void);
    *(void **)&entry = dlsym(h, SIGMIX_VIDEO_ENTRY);
    const sigmix_video_vtbl *v = entry ? entry() : NULL;
    if (!v || v->size != sizeof *v || strcmp(v->version, SIGMIX_VERSION_STRING)) {
        /* A plugin of another build would call these with other structs. */
        sigmix_error_set(&video_err, SIGMIX_EUNSUPPORTED,
                         "sigmix-video.so does not match libsigmix %s", SIGMIX_VERSION_STRING);
        dlclose(h);
        return;
    }
    video_vt = v;
#else
    sigmix_error_set(&video_err, SIGMIX_EUNSUPPORTED, "built without %s support",
                     SIGMIX_VIDEO_MISSING);
#endif
}

static const sigmix_video_vtbl *video(sigmix_error *err)
{
    pthread_once(&video_once, video_load);
    if (!video_vt && err)
        *err = video_err;
    return video_vt;
}

#define FWD_ERR(ret, name, params, args, fallback)                                          \
    ret name params                                                                         \
    {                                                                                       \
        const sigmix_video_vtbl *v = video(err);                                            \
        return v ? v->name args : video_err.code;                                           \
    }
#define FWD_NOERR(ret, name, params, args, fallback)                                        \
    ret name params                                                                         \
    {                                                                                       \
        const sigmix_video_vtbl *v = video(NULL);                                           \
        return v ? v->name args : fallback;                                                 \
    }
#define FWD_VOID(ret, name, params, args, fallback)                                         \
    ret name params                                                                         \
    {                                                                                       \
        const sigmix_video_vtbl *v = video(NULL);                                           \
        if (v)                                                                              \
            v->name args;                                                                   \
        else                                                                                \
            fallback;                                                                       \
    }
#define FWD(ret, name, params, args, kind, fallback) FWD_##kind(ret, name, params, args, fallback)
SIGMIX_VIDEO_FUNCS(FWD)
