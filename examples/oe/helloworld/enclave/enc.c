/*
 * The helloworld enclave. It runs as a trusted application in the secure world of the
 * TrustBox: printf goes out to the host's stdout, host_answer is an ocall into the host.
 */
#include <openenclave/enclave.h>
#include <stdio.h>

#include "helloworld_t.h"

int enclave_greet(const char *visitor)
{
	int answer = -1;
	oe_result_t result;

	printf("enclave: hello %s, this is the enclave speaking\n", visitor);

	/* host_answer's generated proxy returns the transport result and writes the host's
	 * return value through its first argument. */
	result = host_answer(&answer, "the enclave says thank you");
	if (result != OE_OK) {
		printf("enclave: host_answer failed: %s\n", oe_result_str(result));
		return -1;
	}
	printf("enclave: the host answered %d\n", answer);
	return answer;
}
