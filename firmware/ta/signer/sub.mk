global-incdirs-y += include
srcs-y += signer_ta.c sha256.c
