/**
 * trustbox test: the project's conformance suite against a running device, with JUnit XML
 * (issue 14 section 2).
 */
import type { Command } from 'commander';

export function registerTestCommand(program: Command): void {
  void program;
}
