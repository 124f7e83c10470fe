# Deterministic benchmark data for the joins: a feature table of N rows
# (JSONL) and one score file per competitor with every key once, in a
# scrambled order. Usage: awk -v n=150000 -v dir=D -f gen.awk
BEGIN {
    srand(7)
    f = dir "/features.jsonl"
    for (i = 0; i < n; i++) {
        line = sprintf("{\"clip_id\":\"clip_%06d\",\"src_path\":\"/corpus/src/clip_%06d.mp4\",\"split\":\"%s\"", \
                       i, i, (i % 10 < 8) ? "train" : "test")
        for (k = 0; k < 24; k++)
            line = line sprintf(",\"feat_%02d\":%.17g", k, rand() * 100)
        line = line sprintf(",\"vmaf\":%.17g,\"frames\":%d}", rand() * 100, 100 + i % 200)
        print line > f
    }
    close(f)
    split("dover qalign fastvqa", comp, " ")
    for (c = 1; c <= 3; c++) {
        f = dir "/" comp[c] ".jsonl"
        # i -> (i * 7919 + c) mod n is a permutation when gcd(7919, n) = 1
        for (j = 0; j < n; j++) {
            i = (j * 7919 + c) % n
            printf("{\"clip_id\":\"clip_%06d\",\"competitor\":\"%s\",\"score\":%.17g,\"runtime_ms\":%.17g,\"status\":\"%s\"}\n", \
                   i, comp[c], rand() * 5, 5 + rand() * 20, (j % 97 == 0) ? "error" : "ok") > f
        }
        close(f)
    }
}
