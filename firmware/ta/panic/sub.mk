global-incdirs-y += include
srcs-y += panic_ta.c
