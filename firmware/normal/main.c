/*
 * Boot sequence of the REE firmware: banner, PSCI and TEE discovery, host bridge, then
 * the request service loop (which never returns).
 */
#include <stddef.h>
#include <stdint.h>

#include "hb_service.h"
#include "power.h"
#include "print.h"
#include "tee_probe.h"

#define FIRMWARE_VERSION "0.1"

void main(uint64_t board_id) __attribute__((noreturn));

static const char *board_name(uint64_t board_id)
{
	static const char *const names[] = { "trustbox-edge", "trustbox-edgexl" };

	return board_id < sizeof(names) / sizeof(names[0]) ? names[board_id] : "unknown board";
}

void main(uint64_t board_id)
{
	kprintf("TrustBox REE firmware " FIRMWARE_VERSION " (normal world, NS-EL1) on %s\n",
		board_name(board_id));
	psci_report_version();

	const char *why = tee_probe(1, NULL);

	if (why)
		kprintf("tee: no OP-TEE found (%s)\n", why);
	hostbridge_init(why == NULL);
	service_loop();
}
