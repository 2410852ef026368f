/* Turning host-bridge requests into TEE calls (and the few local diagnostics). */
#ifndef NORMAL_REQUESTS_H
#define NORMAL_REQUESTS_H

#include <stdint.h>

#include "hostbridge.h"

/* tee_ok: the boot probe found OP-TEE; without it TEE requests fail with COMMUNICATION. */
void requests_init(int tee_ok);

/* Serve the request in slot (index slot_index) and write its results back into the slot.
 * Does not signal completion; the service loop does. */
void request_serve(volatile struct hb_request *slot, uint32_t slot_index);

/* After a fault in the middle of request_serve: mark the slot failed, release our pool
 * buffer for it. */
void request_abort(volatile struct hb_request *slot);

#endif
