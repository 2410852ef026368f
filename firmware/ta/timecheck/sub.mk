global-incdirs-y += include
srcs-y += timecheck_ta.c
