global-incdirs-y += include
srcs-y += sims_ta.c
