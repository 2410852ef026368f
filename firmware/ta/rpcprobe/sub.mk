global-incdirs-y += include
srcs-y += rpcprobe_ta.c
