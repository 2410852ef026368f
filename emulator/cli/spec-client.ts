/**
 * A synchronous client of a device in this process that speaks parameter specs (params.ts):
 * what `trustbox invoke` uses without a running device, and what tests and benchmarks write
 * their calls in. Each call turns its specs into the normal world's one form and its result
 * back; the device's TeeClient sees only that form.
 */
import type { TeeClient } from '../ree/tee-client.js';
import { resultFromCall, specsToMsg, type ParamSpec, type SpecResult } from './params.js';

/** Whatever holds the device's TeeClient (a Device: its `client` exists once it has booted). */
export interface HasTeeClient {
  readonly client: TeeClient;
}

/** Calls on a device in this process, in parameter specs (see the file header). */
export class SpecClient {
  constructor(private readonly device: HasTeeClient) {}

  openSession(uuid: string, specs: ParamSpec[] = []): SpecResult {
    const call = specsToMsg(specs);
    return resultFromCall(specs, this.device.client.openSession(uuid, call.params, call.data ? { data: call.data } : {}));
  }

  invoke(session: number, cmd: number, specs: ParamSpec[] = [], cancelId = 0): SpecResult {
    const call = specsToMsg(specs);
    return resultFromCall(specs, this.device.client.invoke(session, cmd, call.params, call.data, cancelId));
  }

  closeSession(session: number): SpecResult {
    return resultFromCall([], this.device.client.closeSession(session));
  }
}
