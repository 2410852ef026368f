/**
 * trustbox attest and trustbox attest verify (issue 13 section 3)
 */
import type { Command } from 'commander';

export function registerAttestCommands(program: Command): void {
  void program;
}
