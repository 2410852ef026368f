/* enclave_a (ProductID 1) talks to enclave_b (ProductID 2). */
#include "peer.h"

const char peer_self_name[] = "enclave_a";
const uint16_t peer_expected_product = 2;
