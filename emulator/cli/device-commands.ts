/**
 * trustbox device id|enroll and trustbox ca init: the device identity and its certificate (helper: issue 13 section 2)
 */
import type { Command } from 'commander';

export function registerDeviceCommands(program: Command): void {
  void program;
}
