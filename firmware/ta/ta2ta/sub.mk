global-incdirs-y += include
srcs-y += ta2ta_ta.c
