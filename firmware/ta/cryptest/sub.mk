global-incdirs-y += include
srcs-y += cryptest_ta.c
