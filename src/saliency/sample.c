/* Frame sampling: which decoded frames the model scores. */
#include "saliency/internal.h"

int sigmix_sal_sample(int n, int frame_samples, int *out)
{
    if (n <= 0)
        return 0;
    if (frame_samples <= 1 || n == 1) {
        out[0] = 0;
        return 1;
    }
    int step = n / frame_samples;
    if (step < 1)
        step = 1;
    int k = 0;
    for (int i = 0; i < n && k < frame_samples; i += step)
        out[k++] = i;
    return k;
}
