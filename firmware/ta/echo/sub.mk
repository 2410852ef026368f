global-incdirs-y += include
srcs-y += echo_ta.c
