/**
 * trustbox module pack, trustbox edge deploy|list (issue 13 section 4)
 */
import type { Command } from 'commander';

export function registerEdgeCommands(program: Command): void {
  void program;
}
