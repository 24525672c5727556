import { describe, expect, it } from 'vitest';
import { SmtpDialogue, type ClientStep, type ServerStep, type SmtpDialogueOptions } from '../../harness/link/smtp-dialogue.js';
import { chunks } from '../support/link.js';

type Wire = readonly ['C' | 'S', string | Buffer];

/** One step as a transcript line: what the dialogue made of the bytes. */
function show(dir: 'C' | 'S', step: ClientStep | ServerStep): string | undefined {
  switch (step.kind) {
    case 'command':
      return `C command ${step.verb} | ${step.text}`;
    case 'sasl':
      return `C sasl ${step.text}`;
    case 'long':
      return step.end ? `${dir} long ${step.text?.slice(0, 12)}${'sasl' in step && step.sasl ? ' (sasl)' : ''}` : undefined;
    case 'content':
      return `C content ${step.transfer}${step.last ? '' : ' (more chunks)'} ${JSON.stringify(step.bytes.toString('latin1'))}${step.end ? ' end' : ''}`;
    case 'tls-start':
      return `${dir} tls-start ${step.how}`;
    case 'tls':
      return `${dir} tls ${step.bytes.length} bytes`;
    case 'line':
      return step.reply ? undefined : `S not a reply: ${JSON.stringify(step.text)}`;
    case 'greeting':
      return `S greeting ${step.reply.code} | ${step.reply.lines.join(' / ')}`;
    case 'reply':
      return `S reply ${step.reply.code}${step.reply.enhanced ? ` ${step.reply.enhanced}` : ''} to ${step.answering ?? '(nothing)'} | ${step.reply.lines.join(' / ')}`;
  }
}

/** Feeds a dialogue in wire order, each part whole or in `size`-byte chunks, taking every step at once. */
function play(wire: readonly Wire[], size = Infinity, options: SmtpDialogueOptions = {}): string[] {
  const dialogue = new SmtpDialogue(options);
  const seen: string[] = [];
  const note = (dir: 'C' | 'S', step: ClientStep | ServerStep) => {
    const line = show(dir, step);
    if (line) seen.push(line);
  };
  for (const [dir, data] of wire) {
    for (const chunk of chunks(Buffer.isBuffer(data) ? data : Buffer.from(data, 'latin1'), size)) {
      if (dir === 'C') dialogue.pushClient(chunk);
      else dialogue.pushServer(chunk);
      const next = () => (dir === 'C' ? dialogue.nextClient() : dialogue.nextServer());
      for (let step = next(); step; step = next()) note(dir, step);
    }
  }
  return seen;
}

const CLIENT_HELLO = Buffer.from([22, 3, 1, 0, 8, 1, 0, 0, 4, 3, 3, 0, 0]);

describe('SmtpDialogue: pairing', () => {
  const pipelined: Wire[] = [
    ['S', '220 mx.test ESMTP\r\n'],
    ['C', 'EHLO client.test\r\n'],
    ['S', '250-mx.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n'],
    // RFC 2920: MAIL, RCPT and DATA in one go, answered in one go.
    ['C', 'MAIL FROM:<a@client.test>\r\nRCPT TO:<b@mx.test>\r\nDATA\r\n'],
    ['S', '250 2.1.0 Ok\r\n550 5.1.1 no such user\r\n554 5.5.1 no valid recipients\r\n'],
    ['C', 'QUIT\r\n'],
    ['S', '221 2.0.0 Bye\r\n'],
  ];

  it('pairs pipelined commands with their replies in order (RFC 2920)', () => {
    expect(play(pipelined)).toEqual([
      'S greeting 220 | 220 mx.test ESMTP',
      'C command EHLO | EHLO client.test',
      'S reply 250 to EHLO client.test | 250-mx.test / 250-PIPELINING / 250 8BITMIME',
      'C command MAIL | MAIL FROM:<a@client.test>',
      'C command RCPT | RCPT TO:<b@mx.test>',
      'C command DATA | DATA',
      'S reply 250 2.1.0 to MAIL FROM:<a@client.test> | 250 2.1.0 Ok',
      'S reply 550 5.1.1 to RCPT TO:<b@mx.test> | 550 5.1.1 no such user',
      // DATA refused: what follows is commands again, never content.
      'S reply 554 5.5.1 to DATA | 554 5.5.1 no valid recipients',
      'C command QUIT | QUIT',
      'S reply 221 2.0.0 to QUIT | 221 2.0.0 Bye',
    ]);
  });

  it('reads the same steps from 1-byte chunks: multiline replies split anywhere', () => {
    expect(play(pipelined, 1)).toEqual(play(pipelined));
  });

  it('counts the replies still owed, the greeting first', () => {
    const dialogue = new SmtpDialogue();
    dialogue.pushClient(Buffer.from('EHLO early.test\r\nNOOP\r\n'));
    while (dialogue.nextClient());
    expect(dialogue.awaiting).toBe(3);
    dialogue.pushServer(Buffer.from('220 mx.test\r\n250 mx.test\r\n'));
    const steps: string[] = [];
    for (let step = dialogue.nextServer(); step; step = dialogue.nextServer()) steps.push(show('S', step) ?? '');
    // The first reply is the greeting, even after a client that spoke too early (RFC 5321 §4.3.1).
    expect(steps.filter(Boolean)).toEqual(['S greeting 220 | 220 mx.test', 'S reply 250 to EHLO early.test | 250 mx.test']);
    expect(dialogue.awaiting).toBe(1);
  });

  it('lets a 334 carry the AUTH exchange on: the lines after it are SASL responses (RFC 4954 §4)', () => {
    expect(
      play([
        ['S', '220 mx.test\r\n'],
        ['C', 'AUTH LOGIN\r\n'],
        ['S', '334 VXNlcm5hbWU6\r\n'],
        ['C', 'dXNlcg==\r\n'],
        ['S', '334 UGFzc3dvcmQ6\r\n'],
        ['C', 'cGFzcw==\r\n'],
        ['S', '235 2.7.0 Authentication successful\r\n'],
        ['C', 'NOOP\r\n'],
        ['S', '250 2.0.0 Ok\r\n'],
      ]),
    ).toEqual([
      'S greeting 220 | 220 mx.test',
      'C command AUTH | AUTH LOGIN',
      'S reply 334 to AUTH LOGIN | 334 VXNlcm5hbWU6',
      'C sasl dXNlcg==',
      'S reply 334 to AUTH LOGIN | 334 UGFzc3dvcmQ6',
      'C sasl cGFzcw==',
      'S reply 235 2.7.0 to AUTH LOGIN | 235 2.7.0 Authentication successful',
      'C command NOOP | NOOP',
      'S reply 250 2.0.0 to NOOP | 250 2.0.0 Ok',
    ]);
  });

  it('takes the responses a client sent before the server asked (pipelined past AUTH) for SASL, and a line no 334 asked for for a command', () => {
    expect(
      play([
        ['S', '220 mx.test\r\n'],
        ['C', 'AUTH LOGIN\r\ndXNlcg==\r\ncGFzcw==\r\nNOOP\r\n'],
        ['S', '334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n235 2.7.0 Authentication successful\r\n250 2.0.0 Ok\r\n'],
        ['C', 'QUIT\r\n'],
        ['S', '221 2.0.0 Bye\r\n'],
      ]),
    ).toEqual([
      'S greeting 220 | 220 mx.test',
      'C command AUTH | AUTH LOGIN',
      'C sasl dXNlcg==',
      'C sasl cGFzcw==',
      // Sent ahead too, so taken for a response until the exchange ended with no 334 left for it.
      'C sasl NOOP',
      'S reply 334 to AUTH LOGIN | 334 VXNlcm5hbWU6',
      'S reply 334 to AUTH LOGIN | 334 UGFzc3dvcmQ6',
      'S reply 235 2.7.0 to AUTH LOGIN | 235 2.7.0 Authentication successful',
      'S reply 250 2.0.0 to NOOP | 250 2.0.0 Ok',
      'C command QUIT | QUIT',
      'S reply 221 2.0.0 to QUIT | 221 2.0.0 Bye',
    ]);
  });

  it('gives lines sent after an AUTH the server refused back to the commands they were', () => {
    expect(
      play([
        ['S', '220 mx.test\r\n'],
        ['C', 'AUTH CRAM-MD5\r\nMAIL FROM:<a@b.test>\r\n'],
        ['S', '504 5.5.4 Unrecognized authentication type\r\n250 2.1.0 Ok\r\n'],
      ]),
    ).toEqual([
      'S greeting 220 | 220 mx.test',
      'C command AUTH | AUTH CRAM-MD5',
      'C sasl MAIL FROM:<a@b.test>',
      'S reply 504 5.5.4 to AUTH CRAM-MD5 | 504 5.5.4 Unrecognized authentication type',
      'S reply 250 2.1.0 to MAIL FROM:<a@b.test> | 250 2.1.0 Ok',
    ]);
  });
});

describe('SmtpDialogue: a 334 that answers anything but AUTH', () => {
  it('is that command\'s reply: the next line is a command again, and the replies after it pair as before', () => {
    expect(
      play([
        ['S', '220 mx.test\r\n'],
        ['C', 'STARTTLS\r\n'],
        ['S', '334 what\r\n'],
        ['C', 'MAIL FROM:<a@x.test>\r\n'],
        ['S', '250 2.1.0 Ok\r\n'],
      ]),
    ).toEqual([
      'S greeting 220 | 220 mx.test',
      'C command STARTTLS | STARTTLS',
      'S reply 334 to STARTTLS | 334 what',
      'C command MAIL | MAIL FROM:<a@x.test>',
      'S reply 250 2.1.0 to MAIL FROM:<a@x.test> | 250 2.1.0 Ok',
    ]);
  });
});

describe('SmtpDialogue: message content', () => {
  it('reads content after a 354 up to CRLF.CRLF, commands and dot-stuffed lines inside it included', () => {
    const content = 'Subject: x\r\n\r\nQUIT\r\n..a dot-stuffed line\r\n.\r\n';
    const wire: Wire[] = [
      ['S', '220 mx.test\r\n'],
      ['C', 'DATA\r\n'],
      ['S', '354 End data with <CR><LF>.<CR><LF>\r\n'],
      ['C', `${content}QUIT\r\n`],
      ['S', '250 2.0.0 queued\r\n221 bye\r\n'],
    ];
    expect(play(wire)).toEqual([
      'S greeting 220 | 220 mx.test',
      'C command DATA | DATA',
      'S reply 354 to DATA | 354 End data with <CR><LF>.<CR><LF>',
      `C content data ${JSON.stringify(content)} end`,
      'C command QUIT | QUIT',
      // The reply after the final dot answers the message itself (RFC 5321 §4.1.1.4).
      'S reply 250 2.0.0 to (message) | 250 2.0.0 queued',
      'S reply 221 to QUIT | 221 bye',
    ]);
    const bytes = play(wire, 1).filter((l) => l.startsWith('C content'));
    expect(bytes.at(-1)).toBe('C content data "\\n" end');
    expect(bytes).toHaveLength(content.length);
  });

  it('takes BDAT chunks by their size, without waiting for a reply, from a server that advertised CHUNKING (RFC 3030 §2)', () => {
    expect(
      play([
        ['S', '220 mx.test\r\n'],
        ['C', 'EHLO c\r\n'],
        ['S', '250-mx.test\r\n250 CHUNKING\r\n'],
        ['C', 'BDAT 4\r\nab\r\nBDAT 0 LAST\r\nRSET\r\n'],
        ['S', '250 ok\r\n250 queued\r\n250 reset\r\n'],
      ]),
    ).toEqual([
      'S greeting 220 | 220 mx.test',
      'C command EHLO | EHLO c',
      'S reply 250 to EHLO c | 250-mx.test / 250 CHUNKING',
      'C command BDAT | BDAT 4',
      'C content bdat (more chunks) "ab\\r\\n" end',
      'C command BDAT | BDAT 0 LAST',
      'C content bdat "" end',
      'C command RSET | RSET',
      'S reply 250 to BDAT 4 | 250 ok',
      'S reply 250 to BDAT 0 LAST | 250 queued',
      'S reply 250 to RSET | 250 reset',
    ]);
  });

  it('reads what follows BDAT as commands when the server never advertised CHUNKING, as that server does', () => {
    expect(play([['S', '220 mx.test\r\n'], ['C', 'EHLO c\r\n'], ['S', '250-mx.test\r\n250 PIPELINING\r\n'], ['C', 'BDAT 10 LAST\r\nSTARTTLS\r\n']])).toEqual([
      'S greeting 220 | 220 mx.test',
      'C command EHLO | EHLO c',
      'S reply 250 to EHLO c | 250-mx.test / 250 PIPELINING',
      'C command BDAT | BDAT 10 LAST',
      'C command STARTTLS | STARTTLS',
    ]);
  });
});

describe('SmtpDialogue: TLS', () => {
  it('turns both directions to TLS after a 220 to STARTTLS (RFC 3207 §4), bytes already sent included', () => {
    expect(
      play([
        ['S', '220 mx.test\r\n'],
        ['C', 'EHLO c\r\n'],
        ['S', '250-mx.test\r\n250 STARTTLS\r\n'],
        ['C', 'STARTTLS\r\n'],
        // Lines after the 220 in the same segment are no reply: a correct client discards them (RFC 3207 §4.2).
        ['S', '220 2.0.0 Ready to start TLS\r\n250 injected\r\n'],
        ['C', CLIENT_HELLO],
      ]),
    ).toEqual([
      'S greeting 220 | 220 mx.test',
      'C command EHLO | EHLO c',
      'S reply 250 to EHLO c | 250-mx.test / 250 STARTTLS',
      'C command STARTTLS | STARTTLS',
      'S reply 220 2.0.0 to STARTTLS | 220 2.0.0 Ready to start TLS',
      'S tls-start starttls',
      'S tls 14 bytes',
      'C tls 13 bytes',
    ]);
  });

  it('stays in plaintext when STARTTLS is refused', () => {
    expect(play([['S', '220 mx.test\r\n'], ['C', 'STARTTLS\r\n'], ['S', '454 4.7.0 TLS not available due to temporary reason\r\n'], ['C', 'MAIL FROM:<a@c>\r\n']])).toEqual([
      'S greeting 220 | 220 mx.test',
      'C command STARTTLS | STARTTLS',
      'S reply 454 4.7.0 to STARTTLS | 454 4.7.0 TLS not available due to temporary reason',
      'C command MAIL | MAIL FROM:<a@c>',
    ]);
  });

  it('with implicitTls, reads a ClientHello before any greeting as implicit TLS (RFC 8314 §3), and one after it as unannounced', () => {
    expect(play([['C', CLIENT_HELLO], ['S', '220 not read as a reply\r\n']], Infinity, { implicitTls: true })).toEqual(['C tls-start implicit', 'C tls 13 bytes', 'S tls 25 bytes']);
    expect(play([['S', '220 mx.test\r\n'], ['C', CLIENT_HELLO]], Infinity, { implicitTls: true })).toEqual(['S greeting 220 | 220 mx.test', 'C tls-start unannounced', 'C tls 13 bytes']);
    // Without the option, the same bytes are a (strange) command line.
    expect(play([['C', Buffer.concat([CLIENT_HELLO, Buffer.from('\r\n')])]])[0]).toMatch(/^C command /);
  });
});

describe('SmtpDialogue: what is not quite SMTP', () => {
  it('ends lines at a bare LF as at CRLF', () => {
    expect(play([['S', '220-mx.test\n220 ESMTP\n'], ['C', 'EHLO c\n'], ['S', '250 mx.test\n']])).toEqual([
      'S greeting 220 | 220-mx.test / 220 ESMTP',
      'C command EHLO | EHLO c',
      'S reply 250 to EHLO c | 250 mx.test',
    ]);
  });

  it('passes garbage lines by without taking them for replies, and pairs nothing with a reply nobody asked for', () => {
    expect(play([['S', 'hello there\r\n220 mx.test\r\n'], ['S', '25O oops\r\n250 unasked\r\n'], ['C', 'NOOP\r\n'], ['S', '250 ok\r\n']])).toEqual([
      'S not a reply: "hello there"',
      'S greeting 220 | 220 mx.test',
      'S not a reply: "25O oops"',
      'S reply 250 to (nothing) | 250 unasked',
      'C command NOOP | NOOP',
      'S reply 250 to NOOP | 250 ok',
    ]);
  });

  it('keeps an over-long line as its first KiB, in pieces, and still counts it', () => {
    const long = `EHLO ${'x'.repeat(10_000)}\r\n`;
    const steps = play([['S', '220 mx.test\r\n'], ['C', long], ['S', `250 ${'y'.repeat(10_000)}\r\n`], ['C', 'NOOP\r\n'], ['S', '250 ok\r\n']], 3000);
    expect(steps).toEqual([
      'S greeting 220 | 220 mx.test',
      'C long EHLO xxxxxxx',
      'S long 250 yyyyyyyy',
      expect.stringMatching(/^S reply 250 to EHLO x{1019}… \| 250 y{1020}…$/),
      'C command NOOP | NOOP',
      'S reply 250 to NOOP | 250 ok',
    ]);
  });

  it('keeps 100 lines of an endless multiline reply, and holds one short line at most', () => {
    const dialogue = new SmtpDialogue();
    dialogue.pushServer(Buffer.from('220 mx.test\r\n'));
    while (dialogue.nextServer());
    dialogue.pushClient(Buffer.from('EHLO c\r\n'));
    while (dialogue.nextClient());
    dialogue.pushServer(Buffer.from(`${'250-x\r\n'.repeat(1000)}250 end\r\npartial`));
    let reply: ServerStep | undefined;
    for (let step = dialogue.nextServer(); step; step = dialogue.nextServer()) if (step.kind === 'reply') reply = step;
    expect(reply).toMatchObject({ kind: 'reply', reply: { code: 250 }, answering: 'EHLO c' });
    expect(reply?.kind === 'reply' && reply.reply.lines).toHaveLength(100);
    expect(dialogue.bufferedBytes).toBe('partial'.length);
  });

  it('hands over every byte not yet stepped, as it came', () => {
    const dialogue = new SmtpDialogue();
    dialogue.pushClient(Buffer.from('STARTTLS\r\nRSET\r\nMAIL FROM:<a@b'));
    expect(dialogue.nextClient()).toMatchObject({ kind: 'command', verb: 'STARTTLS' });
    expect(dialogue.nextClient()).toMatchObject({ kind: 'command', verb: 'RSET' });
    expect(dialogue.takeClientBytes().toString()).toBe('MAIL FROM:<a@b');
    expect(dialogue.nextClient()).toBeUndefined();
  });
});
