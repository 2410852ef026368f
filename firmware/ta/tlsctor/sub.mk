global-incdirs-y += include
srcs-y += tlsctor_ta.c
