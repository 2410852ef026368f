/* The benchmark enclave (scripts/bench/oe.ts): no work of its own, so the figures are the ECALL
 * and OCALL paths alone. */
#include <openenclave/enclave.h>
#include "bench_t.h"

void bench_empty(void) {}

int bench_ocalls(int n)
{
    for (int i = 0; i < n; i++)
        if (bench_host_empty() != OE_OK)
            return -1;
    return n;
}
