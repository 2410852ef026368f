global-incdirs-y += include
srcs-y += storetest_ta.c
