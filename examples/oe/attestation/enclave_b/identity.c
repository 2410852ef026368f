/* enclave_b (ProductID 2) talks to enclave_a (ProductID 1). */
#include "peer.h"

const char peer_self_name[] = "enclave_b";
const uint16_t peer_expected_product = 1;
