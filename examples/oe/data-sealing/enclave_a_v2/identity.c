/* enclave_a_v2: the name it prints. What it may unseal comes from its .conf and its signing key. */
#include "vault_identity.h"

const char vault_enclave_name[] = "enclave_a_v2";
