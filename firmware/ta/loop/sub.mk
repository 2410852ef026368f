global-incdirs-y += include
srcs-y += loop_ta.c
