global-incdirs-y += ../sims/include
srcs-y += ../sims/sims_ta.c
