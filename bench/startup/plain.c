/*
 * The start-up peer (bench/startup.sh): a program linked with libc only that
 * prints one line, as `sigmix --version` does. The bench compiles it with the
 * compiler that built sigmix, in the same run, so both pay the same kernel
 * and loader costs and the difference is sigmix's own start-up.
 */
#include <stdio.h>

int main(void)
{
    puts("plain 1.0");
    return 0;
}
