global-incdirs-y += include
srcs-y += libtls_ta.c
