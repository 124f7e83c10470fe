/* A library with a codec's soname and none of its symbols, put first on
 * LD_LIBRARY_PATH by codecs_missing.sh: sigmix must say which library and
 * which symbol it could not load, and exit 2. */
int sigmix_fake_codec(void);
int sigmix_fake_codec(void)
{
    return 0;
}
