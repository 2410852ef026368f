global-incdirs-y += include
srcs-y += wildptr_ta.c
