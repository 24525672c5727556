/**
 * What the hostile server (hostile-server.ts) says: an honest dialogue with one step replaced by
 * something adversarial (the named cases of the client-side fuzz), and random dialogues from a seed
 * (mulberry32, fuzz-streams.ts) where any step may get random replies, garbage, a close or a reset.
 */
import { prng } from '../support/fuzz-streams.js';
import type { HostilePeer, HostileScript } from './hostile-server.js';

/** A step of the dialogue, as the server sees it. */
export type Step = 'greeting' | 'EHLO' | 'STARTTLS' | 'MAIL' | 'RCPT' | 'DATA' | 'content' | 'QUIT';

/** What a step did: the dialogue goes on, or the script ends (the server then closes). */
type Act = (peer: HostilePeer) => Promise<'go on' | 'stop'>;

const HOST = 'hostile.mailhop.test';
const say = (...lines: string[]) => lines.map((l) => `${l}\r\n`).join('');
const go = async (sent: Promise<boolean>) => ((await sent) ? 'go on' : 'stop') as 'go on' | 'stop';

/** What an honest server does at each step. */
const HONEST: Record<Step, Act> = {
  greeting: (p) => go(p.send(say(`220 ${HOST} ESMTP`))),
  EHLO: (p) => go(p.send(p.record.tls ? say(`250-${HOST}`, '250 PIPELINING') : say(`250-${HOST}`, '250-PIPELINING', '250 STARTTLS'))),
  STARTTLS: async (p) => ((await p.send(say('220 2.0.0 Ready to start TLS'))) && (await p.startTls()) ? 'go on' : 'stop'),
  MAIL: (p) => go(p.send(say('250 2.1.0 Ok'))),
  RCPT: (p) => go(p.send(say('250 2.1.5 Ok'))),
  DATA: (p) => go(p.send(say('354 End data with <CR><LF>.<CR><LF>'))),
  content: (p) => go(p.send(say('250 2.0.0 Ok: queued'))),
  QUIT: async (p) => {
    await p.send(say('221 2.0.0 Bye'));
    return 'stop';
  },
};

function stepOf(line: string): Step | null {
  const verb = line.split(' ')[0].toUpperCase();
  if (verb === 'EHLO' || verb === 'HELO') return 'EHLO';
  return verb === 'STARTTLS' || verb === 'MAIL' || verb === 'RCPT' || verb === 'DATA' || verb === 'QUIT' ? verb : null;
}

/** Runs a dialogue: the greeting, then a reply to each command; `acts` replaces the honest step. */
export async function converse(peer: HostilePeer, acts: Partial<Record<Step, Act>>): Promise<void> {
  const run = (step: Step) => (acts[step] ?? HONEST[step])(peer);
  if ((await run('greeting')) === 'stop') return;
  for (;;) {
    const line = await peer.line();
    if (line === null) return;
    const step = stepOf(line);
    if (step === null) {
      if (!(await peer.send(say('502 5.5.2 Error: command not recognized')))) return;
      continue;
    }
    if ((await run(step)) === 'stop') return;
    // Content follows a 354, whoever sent it.
    if (step === 'DATA' && peer.lastSent.startsWith('354')) {
      if (!(await peer.content())) return;
      if ((await run('content')) === 'stop') return;
    }
  }
}

/** `line` forever, as fast as the client takes it (backpressure), until it hangs up. */
async function forever(peer: HostilePeer, line: string): Promise<'stop'> {
  const batch = line.repeat(256);
  while (await peer.send(batch));
  return 'stop';
}

/** A TLS record header (handshake, TLS 1.2) announcing `length` bytes, then random-looking bytes. */
function tlsLookingGarbage(length: number): Buffer {
  const body = Buffer.from(Array.from({ length }, (_, i) => (i * 167 + 13) % 256));
  return Buffer.concat([Buffer.from([0x16, 0x03, 0x03, length >> 8, length & 0xff, 0x02]), body]);
}

const ready = (p: HostilePeer) => p.send(say('220 2.0.0 Ready to start TLS'));

/** The adversarial servers the issue names, each with the client's reply timeout in ms. */
export function adversarialScripts(timeoutMs: number): Array<{ name: string; script: HostileScript }> {
  const cases: Array<[string, Partial<Record<Step, Act>>]> = [
    ['multiline greeting that never ends', { greeting: (p) => forever(p, '220-still greeting\r\n') }],
    ['EHLO reply that never ends', { EHLO: (p) => forever(p, '250-PIPELINING\r\n') }],
    ['EHLO reply that never ends, one line at a time within the timeout', {
      EHLO: async (p) => {
        while (await p.send('250-SLOW\r\n')) await p.pause(timeoutMs / 8);
        return 'stop';
      },
    }],
    ['1 MB greeting line', { greeting: (p) => go(p.send(`220 ${'x'.repeat(1024 * 1024)}\r\n`)) }],
    ['1 MB EHLO line without an end', { EHLO: async (p) => ((await p.send(`250-${'y'.repeat(1024 * 1024)}`)) ? (await p.untilClosed(), 'stop') : 'stop') }],
    ['replies before the greeting', { greeting: (p) => go(p.send(say('250 2.0.0 Ok', '354 go ahead', `220 ${HOST} ESMTP`))) }],
    ['a flood of replies nobody asked for', { EHLO: async (p) => ((await HONEST.EHLO(p)) === 'stop' ? 'stop' : forever(p, '250 2.0.0 Ok\r\n')) }],
    ['garbage after 220 to STARTTLS', { STARTTLS: async (p) => ((await ready(p)) && (await p.send(Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 73) % 256)))), 'stop') }],
    ['TLS-looking garbage after 220 to STARTTLS', { STARTTLS: async (p) => ((await ready(p)) && (await p.send(tlsLookingGarbage(300))), await p.untilClosed(), 'stop') }],
    ['220 to STARTTLS, then plaintext', {
      STARTTLS: async (p) => {
        await ready(p);
        // Whatever comes (the ClientHello), the answer is plaintext; then more plaintext as if TLS were up.
        while ((await p.line()) !== null) if (!(await p.send(say(`250-${HOST}`, '250 PIPELINING')))) break;
        return 'stop';
      },
    }],
    ['220 to STARTTLS with a reply pipelined after it, then real TLS', {
      STARTTLS: async (p) => ((await p.send(say('220 2.0.0 Ready to start TLS', '250 injected before the handshake'))) && (await p.startTls()) ? 'go on' : 'stop'),
    }],
    ['220 to STARTTLS, then silence', { STARTTLS: async (p) => (await ready(p), await p.untilClosed(), 'stop') }],
    ['real TLS, then an EHLO reply that never ends', { EHLO: (p) => (p.record.tls ? forever(p, '250-INSIDE\r\n') : HONEST.EHLO(p)) }],
    ['real TLS, then a close before the EHLO reply', { EHLO: (p) => (p.record.tls ? Promise.resolve('stop' as const) : HONEST.EHLO(p)) }],
    ['closes in the middle of a reply line', { EHLO: async (p) => (await p.send(`250-${HOST}\r\n250-PIPEL`), 'stop') }],
    ['resets in the middle of a reply line', {
      EHLO: async (p) => {
        await p.send(`250-${HOST}\r\n250-PIPEL`);
        p.reset();
        return 'stop';
      },
    }],
    ['greeting one byte at a time, slower than the timeout', { greeting: (p) => go(p.dribble(say(`220 ${HOST} ESMTP slowly`), timeoutMs / 6)) }],
    ['every reply one byte at a time, each within the timeout', Object.fromEntries(
      (Object.keys(HONEST) as Step[]).filter((s) => s !== 'STARTTLS').map((s) => [s, (p: HostilePeer) => dribbled(p, s, timeoutMs)]),
    )],
    ['silence after the connection', { greeting: async (p) => (await p.untilClosed(), 'stop') }],
    ['NUL, bare LF and invalid UTF-8 in replies', {
      greeting: (p) => go(p.send(Buffer.from(`220 ${HOST} \0\xff\xfe hi\n`, 'latin1'))),
      EHLO: (p) => go(p.send(Buffer.from('250-a\0b\n250-\xc3\x28\r\n250 STARTTLS\n', 'latin1'))),
    }],
    ['a multiline reply whose code changes', { EHLO: (p) => go(p.send(say('250-first', '550-second', '220 third'))) }],
    ['354 to DATA, then a reply that never ends after the dot', { content: (p) => forever(p, '250-still queuing\r\n') }],
  ];
  return cases.map(([name, acts]) => ({ name, script: (peer) => converse(peer, acts) }));
}

/** An honest reply dribbled one byte at a time, the whole reply within a fifth of the timeout (on an idle machine). */
async function dribbled(p: HostilePeer, step: Step, timeoutMs: number): Promise<'go on' | 'stop'> {
  const texts: Partial<Record<Step, string>> = {
    greeting: say(`220 ${HOST}`), EHLO: say(`250-${HOST}`, '250 STARTTLS'), MAIL: say('250 Ok'), RCPT: say('250 Ok'),
    DATA: say('354 go'), content: say('250 Ok'), QUIT: say('221 Bye'),
  };
  const text = texts[step]!;
  return (await p.dribble(text, timeoutMs / 5 / text.length)) && step !== 'QUIT' ? 'go on' : 'stop';
}

const CODES = ['220', '221', '250', '251', '354', '421', '450', '451', '454', '500', '502', '530', '550', '554', '999', '2x0', '25', ''];
const SEPARATORS = [' ', ' ', '-', '', 'x', '\t'];
const ENDINGS = ['\r\n', '\r\n', '\r\n', '\n', '\r', '', '\r\r\n'];

/**
 * A random dialogue for connection `index` of case `seed`: each step is honest or, with probability
 * 0.35, one of: random reply lines (any code, separator, ending, length up to 20 kB, sometimes 150 lines),
 * binary or TLS-looking garbage, a close, a reset, a pause up to 1.5 timeouts, or a reply one byte at a time.
 */
export function randomScript(seed: number, timeoutMs: number): HostileScript {
  return (peer, index) => {
    const rand = prng(seed * 7919 + index);
    const int = (n: number) => Math.floor(rand() * n);
    const pick = <T>(xs: readonly T[]) => xs[int(xs.length)];
    const text = () => {
      const r = rand();
      if (r < 0.6) return `random ${int(1e6)}`;
      if (r < 0.8) return Buffer.from(Array.from({ length: int(200) }, () => 32 + int(224))).toString('latin1');
      return 'z'.repeat(4000 + int(16_000));
    };
    const replyLines = () => {
      const n = rand() < 0.08 ? 150 : 1 + int(4);
      return Array.from({ length: n }, (_, i) => `${pick(CODES)}${i < n - 1 ? pick(SEPARATORS) : pick([' ', ' ', '', '-'])}${text()}${pick(ENDINGS)}`).join('');
    };
    const hostile: Act = async (p) => {
      const r = rand();
      if (r < 0.45) return go(p.send(Buffer.from(replyLines(), 'latin1')));
      if (r < 0.55) return go(p.send(Buffer.from(Array.from({ length: 1 + int(3000) }, () => int(256)))));
      if (r < 0.6) return go(p.send(tlsLookingGarbage(1 + int(500))));
      if (r < 0.7) return 'stop';
      if (r < 0.78) {
        p.reset();
        return 'stop';
      }
      if (r < 0.9) {
        await p.pause(int(timeoutMs * 1.5));
        return go(p.send(say(`250 late ${int(100)}`)));
      }
      return go(p.dribble(say(`${pick(CODES)} dribbled`), 1 + int(20)));
    };
    const acts: Partial<Record<Step, Act>> = {};
    for (const step of Object.keys(HONEST) as Step[]) {
      if (rand() >= 0.35) continue;
      acts[step] =
        step === 'STARTTLS' && rand() < 0.5
          ? async (p) => {
              // 220, then something other than a clean handshake (or a clean one, then hostility inside TLS).
              await ready(p);
              const r = rand();
              if (r < 0.4) return (await p.startTls()) ? hostile(p) : 'stop';
              if (r < 0.7) return go(p.send(Buffer.from(replyLines(), 'latin1')));
              return hostile(p);
            }
          : hostile;
    }
    return converse(peer, acts);
  };
}
