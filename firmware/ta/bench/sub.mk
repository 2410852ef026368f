global-incdirs-y += include
srcs-y += bench_ta.c sha256.c
