import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../harness/cli/main.js';
import { PRESET_NAMES } from '../../harness/presets/index.js';
import { describePreset } from '../../harness/presets/describe-preset.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('mailhop presets', () => {
  it('prints one row per preset (policy, fallback, on 454, TLS, header, source), the * footnote and each note; exit 0', async () => {
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(await main(['presets'])).toBe(0);
    const text = out.mock.calls.map((c) => String(c[0])).join('');
    const lines = text.split('\n');
    expect(lines[0].split(/\s{2,}/)).toEqual(['preset', 'policy', 'fallback', 'on 454', 'TLS', 'header', 'source']);
    expect(lines.slice(1, 1 + PRESET_NAMES.length).map((l) => l.split(/\s+/)[0])).toEqual(PRESET_NAMES);
    expect(lines.find((l) => l.startsWith('postfix '))?.split(/\s{2,}/)).toEqual([
      'postfix', 'opportunistic', 'next attempt, once 5m old', 'plaintext, same session', 'TLSv1-TLSv1.3', 'postfix', '[PF-smtp] [PF-HIST] [PF-conf] [PF-smtpd] docs/behaviour.md#B-postfix',
    ]);
    expect(text).toContain("* mailhop's default: the sources do not document this behaviour for the product");
    expect(text).toMatch(/^ {2}exim: Header as observed with Exim 4\.96/m);
  });

  it('derives each row from the parsed preset, so the table shows what the hop will do', () => {
    expect(describePreset('sendmail')).toMatchObject({ policy: 'opportunistic', fallback: 'never (defer)', on454: 'plaintext, same session', header: 'sendmail' });
    expect(describePreset('nodemailer-default')).toMatchObject({ fallback: 'never (defer)', on454: 'defer', header: 'mailhop' });
    expect(describePreset('postfix-encrypt')).toMatchObject({ policy: 'mandatory', fallback: 'never (TLS required)', on454: 'defer' });
    expect(describePreset('messagelabs-boundary')).toMatchObject({ policy: 'preserve-inbound strict + outbound.enforce', fallback: 'reconnect at once*', header: 'messagelabs' });
    expect(describePreset('postini')).toMatchObject({ policy: 'preserve-inbound mandatory', on454: 'defer', tls: 'TLSv1.2-TLSv1.3*', source: '[POSTINI]' });
    expect(describePreset('sendmail').tls).toBe('TLSv1-TLSv1.3 DEFAULT');
    expect(describePreset('nodemailer-default').tls).toBe('TLSv1.2-TLSv1.3');
  });
});
