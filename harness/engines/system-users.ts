/**
 * Looks up local users and groups in /etc/passwd and /etc/group (Node has no getpwnam): the
 * engines' unprivileged users (`postfix`, `Debian-exim`) own their run folders.
 */
import { readFileSync } from 'node:fs';
import type { Owner } from './run-folder.js';

function field(file: string, name: string, index: number): number | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const line = text.split('\n').find((l) => l.split(':')[0] === name);
  const value = line?.split(':')[index];
  return value === undefined || value === '' ? undefined : Number(value);
}

/** uid and primary gid of a user, or undefined when the user does not exist. */
export function userIds(name: string): Owner | undefined {
  const uid = field('/etc/passwd', name, 2);
  const gid = field('/etc/passwd', name, 3);
  return uid === undefined || gid === undefined ? undefined : { uid, gid };
}

/** gid of a group, or undefined. */
export function groupId(name: string): number | undefined {
  return field('/etc/group', name, 2);
}
