global-incdirs-y += include
srcs-y += marker_ta.c
