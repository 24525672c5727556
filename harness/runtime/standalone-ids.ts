/**
 * Ids on a hop no chain drives (`mailhop compose`): mail sent by hand gets `<hop>-<n>`, and an
 * `X-Mailhop-Id` is believed only where a compose hop can have sent it, with the file's seal
 * (chain/delivery-ids.ts, `sealed`): compose hops cannot ask a chain or each other which connection
 * carries what. The first hop believes no id at all: only people send to it.
 */
import { DeliveryIds } from '../chain/delivery-ids.js';
import type { AssignId } from '../mta/id-claim.js';

/** What `mailhop compose` writes into each hop's plan about ids. */
export interface StandaloneIdsPlan {
  /** `none` on the first hop, `sealed` after it. */
  binding: 'none' | 'sealed';
  /** The seal key shared by the file's hops, base64 (fresh per file written). */
  key: string;
}

/**
 * The `assignId` of a compose hop. Without a plan (a file written before ids were sealed) it believes no id:
 * every hop gives each message an id of its own, as the first hop does.
 */
export function standaloneAssignId(hopId: string, plan: StandaloneIdsPlan | undefined): AssignId {
  const ids = new DeliveryIds({
    binding: [plan?.binding ?? 'none'],
    // No proxy to ask: the seal and the once-per-hop rule are all there is.
    clientOf: (_link, peer) => peer,
    prefix: `${hopId}-`,
    ...(plan ? { sealKey: Buffer.from(plan.key, 'base64') } : {}),
  });
  return ids.assignIdFor(0);
}
