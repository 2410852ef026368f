/* The host-bridge device as the firmware drives it: setup and the request service loop. */
#ifndef NORMAL_HB_SERVICE_H
#define NORMAL_HB_SERVICE_H

/* Check the device is there and sane, report the probe result, set up the SHM pool.
 * Powers off if the bridge is missing: without it the firmware has nothing to do. */
void hostbridge_init(int tee_ok);

/* Announce readiness and serve requests forever. Also the target of fault_recover, so it
 * must not rely on anything left on the stack. */
void service_loop(void) __attribute__((noreturn));

/* From the fault handler: complete the request being served (if any) as failed.
 * Returns non-zero when the service loop was running and can be resumed. */
int service_abort_current(void);

#endif
