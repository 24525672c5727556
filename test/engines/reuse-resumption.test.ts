/**
 * Connection reuse and TLS session resumption, measured (docs/behaviour.md#B-reuse, #B-resumption): three messages
 * through a real engine (or the preset that copies it) to one next hop that offers STARTTLS and issues TLS 1.3
 * tickets. What crossed on relay->mx says, per connection, whether its ClientHello offered a session, whether the
 * ServerHello resumed one, and which messages the receiver accepted on it.
 * - Sent one after another (`burst`), each engine delivers at once: Postfix 3.7, Exim 4.96 and Sendmail 8.17 open a
 *   connection per message; OpenSMTPD 6.8 carries all three on one.
 * - Sent each once the connection before it has closed (`spaced`), no engine offers the session it was issued on the
 *   next connection, with the configuration mailhop writes.
 */
import { describe, expect, it } from 'vitest';
import { startChain } from '../../harness/chain/chain.js';
import { Scenario } from '../../harness/scenario/schema.js';
import type { RealEngineName } from '../../harness/scenario/hop-kind.js';
import type { AcceptedEvent, TraceEvent } from '../../harness/trace/events.js';
import type { WireRecord } from '../../harness/link/wire-record.js';
import { availability, titled } from '../support/engine.js';

const message = (i: number) => ({ from: 'alice@org.test', to: ['bob@partner.test'], subject: `message ${i}` });
const THREE = [1, 2, 3].map(message);

/** Per connection on relay->mx: its handshake, whether a session was offered and resumed, the messages accepted on it. */
interface Crossed {
  handshake: WireRecord['handshake'];
  offered: boolean;
  resumed: boolean;
  messages: string[];
}

function crossedOn(events: readonly TraceEvent[]): Crossed[] {
  const accepted = events.filter((e): e is AcceptedEvent => e.kind === 'accepted' && e.link === 'relay->mx');
  const wire = events.flatMap((e) => (e.kind === 'wire' && e.link === 'relay->mx' ? [e.record] : [])).sort((a, b) => a.seq - b.seq);
  return wire.map((w) => ({
    handshake: w.handshake,
    offered: w.resumptionOffered ?? false,
    resumed: w.resumed ?? false,
    messages: accepted.filter((a) => a.remotePort === w.upstreamPort).map((a) => a.messageId).sort(),
  }));
}

/**
 * Three messages through `relay`. `spaced`: each sent once the relay's connection before it has closed (an engine
 * may keep one open: OpenSMTPD, about 10 s), so every message needs a connection of its own.
 */
async function threeMessages(relay: { engine: RealEngineName } | { preset: string }, spaced = false): Promise<Crossed[]> {
  // OpenSMTPD 6.8.0p2 cannot take STARTTLS inbound here (docs/engines.md): submit in plaintext to every target alike.
  const scenario = Scenario.parse({ name: 'reuse-resumption', submit: { tls: 'none' }, hops: [{ id: 'relay', inbound: { starttls: 'none' }, ...relay }, { id: 'mx' }], messages: THREE });
  const chain = await startChain(scenario);
  try {
    if (!spaced) await chain.run();
    else {
      let closed = 0;
      let onClose: (() => void) | undefined;
      const unsubscribe = chain.subscribe((e) => {
        if (e.kind === 'wire' && e.link === 'relay->mx' && e.record.closedAt !== undefined) (closed++, onClose?.());
      });
      for (const [i, m] of THREE.entries()) {
        await chain.send(m);
        await chain.settle();
        await new Promise<void>((resolve) => (closed > i ? resolve() : (onClose = () => closed > i && resolve())));
      }
      unsubscribe();
      await chain.judge();
    }
  } finally {
    await chain.stop();
  }
  // Read after the stop: a connection an engine still held open (Sendmail caches one, OpenSMTPD keeps one idle) is recorded as the chain stops.
  return crossedOn(chain.events());
}

/** The plaintext commands of each connection on relay->mx, three messages sent one after another, no TLS anywhere. */
async function plaintextVerbs(relay: { engine: RealEngineName } | { preset: string }): Promise<string[][]> {
  const scenario = Scenario.parse({ name: 'reuse-plaintext', submit: { tls: 'none' }, hops: [{ id: 'relay', inbound: { starttls: 'none' }, ...relay }, { id: 'mx', inbound: { starttls: 'none' } }], messages: THREE });
  const chain = await startChain(scenario);
  try {
    await chain.run();
  } finally {
    await chain.stop();
  }
  return chain.events().flatMap((e) => (e.kind === 'wire' && e.link === 'relay->mx' ? [e.record] : [])).sort((a, b) => a.seq - b.seq).map((w) => w.commands.map((c) => c.verb));
}

const tls = (messages: string[]): Crossed => ({ handshake: 'established', offered: false, resumed: false, messages });
const ONE_EACH = [tls(['m1']), tls(['m2']), tls(['m3'])];

for (const engine of ['postfix', 'exim', 'sendmail'] as const) {
  describe.skipIf(!availability(engine).usable)(titled(`reuse and resumption of a real ${engine}`, engine), () => {
    it('three messages sent one after another: a connection each, a full handshake each, no session offered', async () => {
      const crossed = await threeMessages({ engine });
      expect(crossed.map((c) => ({ ...c, messages: c.messages.length }))).toEqual(ONE_EACH.map((c) => ({ ...c, messages: 1 })));
      expect(crossed.flatMap((c) => c.messages).sort()).toEqual(['m1', 'm2', 'm3']);
    }, 180_000);

    it(`the ${engine} preset does the same`, async () => {
      const crossed = await threeMessages({ preset: engine });
      expect(crossed.map((c) => ({ ...c, messages: c.messages.length }))).toEqual(ONE_EACH.map((c) => ({ ...c, messages: 1 })));
    });
  });
}

describe.skipIf(!availability('postfix').usable)(titled('resumption of a real Postfix, spaced', 'postfix'), () => {
  it('with smtp_tls_session_cache_database empty (the default), the next connection offers no session', async () => {
    expect(await threeMessages({ engine: 'postfix' }, true)).toEqual(ONE_EACH);
  }, 180_000);
});

describe.skipIf(!availability('opensmtpd').usable)(titled('reuse and resumption of a real OpenSMTPD', 'opensmtpd'), () => {
  it('three messages sent one after another ride one TLS connection', async () => {
    expect(await threeMessages({ engine: 'opensmtpd' })).toEqual([tls(['m1', 'm2', 'm3'])]);
  }, 180_000);

  it('the opensmtpd preset does the same (reuse: all, one session at a time)', async () => {
    expect(await threeMessages({ preset: 'opensmtpd' })).toEqual([tls(['m1', 'm2', 'm3'])]);
  });

  it('in plaintext, each next MAIL follows the last transaction at once: no RSET between (reuseProbe: none)', async () => {
    expect(await plaintextVerbs({ engine: 'opensmtpd' })).toEqual([['EHLO', 'MAIL', 'RCPT', 'DATA', 'MAIL', 'RCPT', 'DATA', 'MAIL', 'RCPT', 'DATA']]);
  }, 180_000);

  it('the opensmtpd preset does the same (QUIT at the end, where the engine keeps its connection idle)', async () => {
    expect(await plaintextVerbs({ preset: 'opensmtpd' })).toEqual([['EHLO', 'MAIL', 'RCPT', 'DATA', 'MAIL', 'RCPT', 'DATA', 'MAIL', 'RCPT', 'DATA', 'QUIT']]);
  });

  it('each message after the connection before it closed: a full handshake each, no session offered', async () => {
    expect(await threeMessages({ engine: 'opensmtpd' }, true)).toEqual(ONE_EACH);
  }, 180_000);
});
