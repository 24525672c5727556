/**
 * Where the real MTAs are installed (scripts/install-real-mtas.sh): Postfix from apt, the other
 * three unpacked with `dpkg -x` under one root (docs/engines.md#install: the packages conflict, so only one
 * can be apt-installed). `MAILHOP_MTA_ROOT` moves that root.
 */
import path from 'node:path';

/** Paths of every binary and data file mailhop runs the engines with. */
export interface MtaPaths {
  root: string;
  postfix: { postfix: string; master: string; postconf: string };
  sendmail: { sendmail: string; makemap: string; cfM4: string; helpFile: string };
  exim: { exim: string };
  opensmtpd: { smtpd: string };
  /** util-linux and friends every engine needs. */
  tools: { unshare: string; setpriv: string; mount: string; hostname: string; m4: string };
}

/** The default root of the unpacked MTAs. */
export const DEFAULT_MTA_ROOT = '/opt/mailhop-mtas';

/** Paths under `root` (default: `$MAILHOP_MTA_ROOT`, else /opt/mailhop-mtas). */
export function mtaPaths(root: string = process.env.MAILHOP_MTA_ROOT || DEFAULT_MTA_ROOT): MtaPaths {
  const sm = path.join(root, 'sendmail');
  return {
    root,
    postfix: { postfix: '/usr/sbin/postfix', master: '/usr/lib/postfix/sbin/master', postconf: '/usr/sbin/postconf' },
    sendmail: {
      sendmail: path.join(sm, 'usr/libexec/sendmail/sendmail'),
      makemap: path.join(sm, 'usr/libexec/sendmail/makemap'),
      cfM4: path.join(sm, 'usr/share/sendmail/cf/m4/cf.m4'),
      helpFile: path.join(sm, 'etc/mail/helpfile'),
    },
    exim: { exim: path.join(root, 'exim/usr/sbin/exim4') },
    opensmtpd: { smtpd: path.join(root, 'opensmtpd/usr/sbin/smtpd') },
    tools: { unshare: '/usr/bin/unshare', setpriv: '/usr/bin/setpriv', mount: '/usr/bin/mount', hostname: '/usr/bin/hostname', m4: '/usr/bin/m4' },
  };
}
