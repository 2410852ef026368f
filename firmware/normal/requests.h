/* Turning host-bridge requests into TEE calls (and the few local diagnostics). */
#ifndef NORMAL_REQUESTS_H
#define NORMAL_REQUESTS_H

#include <stdint.h>

#include "hostbridge.h"

/* tee_ok: the boot probe found OP-TEE; without it TEE requests fail with COMMUNICATION. */
void requests_init(int tee_ok);

/* Whether an entry is free for one more request in progress. */
int requests_can_begin(void);

/* Begin serving the request in slot (index slot_index): 1 when it is finished (results in the
 * slot), 0 when its TEE call is in progress (requests_resume goes on with it). Does not signal
 * completion; the service loop does. */
int request_begin(volatile struct hb_request *slot, uint32_t slot_index);

/* Give the next request in progress (round the table) one more turn; `finished` is called with
 * its slot index if it ends. Returns how many are still in progress and runnable (calls
 * waiting for the host's answer to an RPC are skipped until it comes, and not counted). */
unsigned requests_resume(void (*finished)(uint32_t slot_index));

/* Requests whose TEE calls are in progress (parked, or waiting for a secure thread), not
 * counting those waiting for the host's answer to an RPC. */
unsigned requests_in_progress(void);

/* From the fault handler: fail the request being worked on, if any, and free its entry;
 * its slot index in *slot_index. Returns 0 when none was. */
int request_abort_current(uint32_t *slot_index);

/* Mark a slot failed (COMMUNICATION, origin COMMS). */
void request_abort(volatile struct hb_request *slot);

#endif
