/*
 * The helloworld host: creates the enclave from the path it is given (the signed .ta, or the
 * enclave's UUID once installed), makes one ecall and serves the enclave's ocall.
 *
 *   TRUSTBOX_STATE=DIR host ENCLAVE.ta [VISITOR]
 */
#include <openenclave/host.h>
#include <stdio.h>
#include <string.h>

#include "helloworld_u.h"

/* The ocall: runs in this process while the enclave waits for its answer. */
int host_answer(const char *note)
{
	printf("host: the enclave called back: \"%s\"\n", note);
	fflush(stdout);
	return (int)strlen(note);
}

int main(int argc, char **argv)
{
	oe_enclave_t *enclave = NULL;
	oe_result_t result;
	int answer = 0;
	int status = 1;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s ENCLAVE.ta [VISITOR]\n", argv[0]);
		return 2;
	}
	result = oe_create_helloworld_enclave(argv[1], OE_ENCLAVE_TYPE_AUTO, OE_ENCLAVE_FLAG_DEBUG, NULL, 0, &enclave);
	if (result != OE_OK) {
		fprintf(stderr, "host: creating the enclave from %s failed: %s\n", argv[1], oe_result_str(result));
		return 1;
	}
	printf("host: enclave created\n");
	fflush(stdout);

	result = enclave_greet(enclave, &answer, argc == 3 ? argv[2] : "world");
	if (result != OE_OK)
		fprintf(stderr, "host: enclave_greet failed: %s\n", oe_result_str(result));
	else if (answer < 0)
		fprintf(stderr, "host: the enclave could not call back\n");
	else {
		printf("host: enclave_greet returned %d\n", answer);
		status = 0;
	}

	result = oe_terminate_enclave(enclave);
	if (result != OE_OK) {
		fprintf(stderr, "host: terminating the enclave failed: %s\n", oe_result_str(result));
		status = 1;
	}
	printf(status == 0 ? "host: done\n" : "host: failed\n");
	return status;
}
