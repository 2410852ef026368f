/* PSCI services: version report and system power state. */
#ifndef NORMAL_POWER_H
#define NORMAL_POWER_H

void psci_report_version(void);
void psci_system_off(void) __attribute__((noreturn));
void psci_system_reset(void) __attribute__((noreturn));

#endif
