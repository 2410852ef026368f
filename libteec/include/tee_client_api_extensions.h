/* optee_client's extension of the Client API that client programs call. */
#ifndef TEE_CLIENT_API_EXTENSIONS_H
#define TEE_CLIENT_API_EXTENSIONS_H

#include <tee_client_api.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Registers a block of memory shared through a file descriptor (dma-buf on Linux). The virtual
 * device cannot map a host descriptor: this answers TEEC_ERROR_NOT_SUPPORTED.
 */
TEEC_Result TEEC_RegisterSharedMemoryFileDescriptor(TEEC_Context *context, TEEC_SharedMemory *sharedMem, int fd);

#ifdef __cplusplus
}
#endif

#endif
