global-incdirs-y += include
srcs-y += sysprobe_ta.c
