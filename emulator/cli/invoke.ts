export function registerInvokeCommands(_p: unknown): void {}
