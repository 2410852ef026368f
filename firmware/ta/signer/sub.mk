global-incdirs-y += include
srcs-y += signer_ta.c
