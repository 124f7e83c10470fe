/* Test helper: gen_clip OUT W H FRAMES BG FG X0 Y0 SIZE DX DY [y4m] (see gen.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"

int main(int argc, char **argv)
{
    if (argc < 12) {
        fprintf(stderr, "usage: gen_clip OUT W H FRAMES BG FG X0 Y0 SIZE DX DY [y4m]\n");
        return 2;
    }
    gen_spec g = { atoi(argv[2]), atoi(argv[3]), atoi(argv[4]), atoi(argv[5]), atoi(argv[6]),
                   atoi(argv[7]), atoi(argv[8]), atoi(argv[9]), atoi(argv[10]), atoi(argv[11]) };
    int y4m = argc > 12 && !strcmp(argv[12], "y4m");
    if (gen_write(argv[1], &g, y4m)) {
        fprintf(stderr, "gen_clip: cannot write %s\n", argv[1]);
        return 1;
    }
    return 0;
}
