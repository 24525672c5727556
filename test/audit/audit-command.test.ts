/**
 * `mailhop audit` against presets (mock hops, real sockets): each row says what crossed the wire, and the
 * comparison names the preset the target came from as the closest, with the cases where the others differ.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stripVTControlCharacters as plainText } from 'node:util';
import { Command } from 'commander';
import { defineCommands } from '../../harness/cli/define-commands.js';
import { describe, expect, it } from 'vitest';
import { auditCommand, auditTarget } from '../../harness/cli/audit-command.js';
import { runAudit } from '../../harness/audit/run-audit.js';
import { tempDir } from '../support/temp-dir.js';

function capture() {
  let text = '';
  return { out: { write: (t: string) => (text += t) }, text: () => plainText(text) };
}

describe('mailhop audit', () => {
  it('profiles a preset: what the target did on each case, read from the wire and the verdicts', async () => {
    const { rows } = await runAudit({ kind: 'preset', preset: 'exim', set: {} }, { cases: ['offer', 'starttls-454', 'handshake-alert', 'strip-starttls', 'require-after-strip', 'memory-after-alert', 'inbound-stripped'] });
    const byCase = Object.fromEntries(rows.map((r) => [r.case, r]));
    expect(byCase.offer).toMatchObject({ outcomes: ['delivered'], verdicts: ['tls'], sessions: [1] });
    expect(byCase.offer.wire).toEqual([expect.stringMatching(/^#1 STARTTLS 220, TLSv1\.3, closed by (server|client)$/)]);
    expect(byCase['starttls-454']).toMatchObject({ outcomes: ['delivered'], verdicts: ['downgraded'], sessions: [1] });
    expect(byCase['starttls-454'].wire[0]).toMatch(/^#1 STARTTLS 454, message in clear/);
    // Exim reconnects in plaintext at once after a failed handshake: two sessions, the second in clear.
    expect(byCase['handshake-alert']).toMatchObject({ verdicts: ['downgraded'], sessions: [2] });
    expect(byCase['handshake-alert'].wire).toEqual([
      expect.stringMatching(/^#1 STARTTLS 220, handshake failed \(alert handshake_failure\)/),
      expect.stringMatching(/^#2 STARTTLS offered, not sent, message in clear/),
    ]);
    expect(byCase['strip-starttls']).toMatchObject({ verdicts: ['stripped'] });
    expect(byCase['strip-starttls'].wire[0]).toMatch(/^#1 no STARTTLS offered, strip-starttls: replace, message in clear/);
    expect(byCase['require-after-strip']).toMatchObject({ outcomes: ['bounced'], verdicts: ['refused'], reply: expect.stringMatching(/^530 5\.7\.0 /) });
    expect(byCase['memory-after-alert']).toMatchObject({ outcomes: ['delivered', 'delivered'], verdicts: ['downgraded', 'downgraded'], sessions: [2, 2] });
    expect(byCase['inbound-stripped']).toMatchObject({ link: 'client->target', verdicts: ['stripped'] });
  }, 60_000);

  it('prints the profile and names the audited preset as the closest, with the cases where another differs', async () => {
    const stdout = capture();
    const stderr = capture();
    const code = await auditCommand({ preset: 'exim', cases: 'offer,handshake-alert,strip-starttls', compare: 'postfix,exim' }, { stdout: stdout.out, stderr: stderr.out });
    expect(code).toBe(0);
    const lines = stdout.text().split('\n');
    expect(lines[0]).toBe('mailhop audit · preset exim · 3 cases');
    expect(lines[1].trim().split(/\s{2,}/).map((s) => s.trim())).toEqual(['case', 'link', 'outcome', 'verdict', 'sessions', 'TLS', 'reply']);
    expect(lines.find((l) => l.trimStart().startsWith('handshake-alert'))?.trim().split(/\s{2,}/)).toEqual(['handshake-alert', 'target->next', 'delivered', 'downgraded', '2', '-', '-']);
    expect(stdout.text()).toContain('\n\nfindings:\n  · note  After a failed TLS handshake it delivers in plaintext at once, on a new connection: ');
    expect(stdout.text()).toContain('\n  ⚠ risk  It delivers in clear when an on-path attacker removes or refuses STARTTLS (1 of 1 case): ');
    expect(stdout.text()).toContain('\n\nclosest presets:\n  exim: agrees on every case\n  postfix: differs on 1 case\n    handshake-alert: sessions: 2 ≠ 3+\n');
    expect(stderr.text()).toBe('');
  }, 60_000);

  it('writes the audit as a self-contained HTML page: a row per case with its verdict and wire, the findings, the closest presets', async () => {
    const html = join(tempDir('audit'), 'audit.html');
    const stderr = capture();
    expect(await auditCommand({ preset: 'exim', cases: 'offer,handshake-alert,strip-starttls', compare: 'exim,postfix', html }, { stdout: capture().out, stderr: stderr.out })).toBe(0);
    expect(stderr.text()).toBe(`wrote ${html}\n`);
    const page = readFileSync(html, 'utf8');
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect([...page.matchAll(/<tr data-case="([^"]+)">/g)].map((m) => m[1])).toEqual(['offer', 'handshake-alert', 'strip-starttls']);
    const alert = page.match(/<tr data-case="handshake-alert">.*<\/tr>/)![0];
    expect(alert).toContain('<span class="v-clear">');
    expect(alert).toMatch(/#1 STARTTLS 220, handshake failed \(alert handshake_failure\).*<br>#2 STARTTLS offered, not sent, message in clear/);
    expect(page).toContain('<li class="risk" data-finding="stripping-accepted">');
    expect(page).toMatch(/<li data-preset="exim"><strong>exim<\/strong>: agrees on every case<\/li>\n<li data-preset="postfix"><strong>postfix<\/strong>: differs on 1 case<ul><li>handshake-alert: sessions: 2 ≠ 3\+<\/li><\/ul><\/li>/);
  }, 60_000);

  it('prints JSON with the rows and the comparison', async () => {
    const stdout = capture();
    await auditCommand({ preset: 'sendmail', cases: 'starttls-454', compare: 'sendmail', json: true }, { stdout: stdout.out, stderr: capture().out });
    const json = JSON.parse(stdout.text());
    expect(json.target).toBe('preset sendmail');
    expect(json.rows).toEqual([expect.objectContaining({ case: 'starttls-454', outcomes: ['delivered'], verdicts: ['downgraded'] })]);
    expect(json.closest).toEqual([{ preset: 'sendmail', differences: [] }]);
    expect(json.findings).toEqual([]);
  }, 60_000);

  it('refuses a missing or double target, an unknown name, and --set on an external gateway, saying what to give', () => {
    expect(() => auditTarget({})).toThrow('the target: cannot tell what to audit: no target is given. Give one of --engine <name>, --preset <name>, or --external <host:port> with --listen <host:port>.');
    expect(() => auditTarget({ engine: 'postfix', preset: 'exim' })).toThrow('the target: cannot tell what to audit: --engine and --preset are given together.');
    expect(() => auditTarget({ engine: 'qmail' })).toThrow('--engine qmail: cannot audit it: mailhop runs postfix, sendmail, exim, opensmtpd.');
    expect(() => auditTarget({ external: '127.0.0.1:2525' })).toThrow(/^--external 127\.0\.0\.1:2525: cannot audit it: no --listen address/);
    expect(() => auditTarget({ external: 'gw:25', listen: '127.0.0.1:2526' })).toThrow('--external gw:25: cannot read it as an address: expected an IPv4 address and a port, e.g. 127.0.0.1:2525.');
    expect(() => auditTarget({ external: '127.0.0.1:2525', listen: '127.0.0.1:2526', set: ['outbound.tls=none'] })).toThrow('--set outbound.tls=none: cannot configure an external gateway: mailhop does not configure a server it does not start. Configure the gateway itself.');
  });

  it("the README's audit commands name a target the command accepts", () => {
    const readme = readFileSync('README.md', 'utf8');
    const block = readme.slice(readme.indexOf('## Audit an MTA'), readme.indexOf('## Verdicts'));
    const commands = [...block.matchAll(/^mailhop (audit .*?)(?:\s+#.*)?$/gm)].map((m) => m[1].trim().split(/\s+/));
    expect(commands.length).toBeGreaterThanOrEqual(5);
    for (const argv of commands) {
      let parsed: object | undefined;
      const program = new Command().exitOverride();
      defineCommands(program, { exitCode: 0, command: '' });
      program.commands.find((c) => c.name() === 'audit')!.action((opts: object) => void (parsed = opts));
      program.parse(argv, { from: 'user' });
      expect(() => auditTarget(parsed!), argv.join(' ')).not.toThrow();
    }
  });

  it('refuses a --concurrency that is not a whole number from 1 to 16, as commander reports a bad option', () => {
    for (const bad of ['x', '0', '17', '2.5']) {
      const program = new Command().exitOverride().configureOutput({ writeErr: () => {} });
      defineCommands(program, { exitCode: 0, command: '' });
      program.commands.find((c) => c.name() === 'audit')!.action(() => {});
      expect(() => program.parse(['audit', '--preset', 'postfix', '--concurrency', bad], { from: 'user' }), bad).toThrow(
        `error: option '--concurrency <n>' argument '${bad}' is invalid. --concurrency ${bad}: cannot run this many cases at once: expected a whole number from 1 to 16.`,
      );
    }
  });
});

