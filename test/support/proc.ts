/**
 * What the kernel says about sockets and processes, read from /proc (Linux): which TCP sockets a
 * process has and in which state, which processes descend from one, and whether they still live.
 * Tests of stopping and of loopback-only binding judge from here, not from mailhop's own account.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import net from 'node:net';
import { constants } from 'node:os';

/** One row of /proc/net/tcp or tcp6. */
export interface TcpSocket {
  family: 4 | 6;
  /** Local address: dotted IPv4, or IPv6 as eight hex groups. */
  address: string;
  port: number;
  remoteAddress: string;
  remotePort: number;
  /** Kernel state code: `0A` LISTEN, `01` ESTABLISHED, ... */
  state: string;
  inode: number;
}

export const LISTEN = '0A';

function ipv4(hex: string): string {
  return [6, 4, 2, 0].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)).join('.');
}

function ipv6(hex: string): string {
  // Four 32-bit words, each in host (little-endian) byte order.
  const bytes = [0, 8, 16, 24].flatMap((w) => [6, 4, 2, 0].map((i) => hex.slice(w + i, w + i + 2)));
  return Array.from({ length: 8 }, (_, g) => `${bytes[2 * g]}${bytes[2 * g + 1]}`.toLowerCase()).join(':');
}

function endpoint(text: string, family: 4 | 6): [string, number] {
  const [hex, port] = text.split(':');
  return [family === 4 ? ipv4(hex) : ipv6(hex), Number.parseInt(port, 16)];
}

/** Every TCP socket of this network namespace. */
export function tcpSockets(): TcpSocket[] {
  const rows: TcpSocket[] = [];
  for (const [file, family] of [['/proc/net/tcp', 4], ['/proc/net/tcp6', 6]] as const) {
    let text: string;
    try {
      text = readFileSync(file, 'latin1');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      const [address, port] = endpoint(f[1], family);
      const [remoteAddress, remotePort] = endpoint(f[2], family);
      rows.push({ family, address, port, remoteAddress, remotePort, state: f[3], inode: Number(f[9]) });
    }
  }
  return rows;
}

/** Socket inodes a process holds open (its fds that are `socket:[n]`). */
export function socketInodes(pid: number | 'self'): Set<number> {
  const inodes = new Set<number>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(Number(m[1]));
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

/** TCP sockets held by any of `pids`, in `state` (default every state). */
export function socketsOf(pids: ReadonlyArray<number | 'self'>, state?: string): TcpSocket[] {
  const inodes = new Set(pids.flatMap((pid) => [...socketInodes(pid)]));
  return tcpSockets().filter((s) => inodes.has(s.inode) && (state === undefined || s.state === state));
}

/** A process, identified across pid reuse by its start time. */
export interface ProcessId {
  pid: number;
  /** `comm`, e.g. `node`, `master`, `smtpd`. */
  name: string;
  start: string;
}

function stat(pid: number): { name: string; state: string; ppid: number; start: string } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const close = text.lastIndexOf(')');
    const f = text.slice(close + 2).split(' ');
    return { name: text.slice(text.indexOf('(') + 1, close), state: f[0], ppid: Number(f[1]), start: f[19] };
  } catch {
    return null;
  }
}

/**
 * `root` and every process descending from it, plus every process in the private mount namespace
 * of one of them (daemons that forked away from the tree still live there).
 */
export function processTree(root: number): ProcessId[] {
  const all = readdirSync('/proc').filter((e) => /^\d+$/.test(e)).map(Number);
  const stats = new Map(all.map((pid) => [pid, stat(pid)] as const));
  const tree = new Set<number>([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, s] of stats) {
      if (s && !tree.has(pid) && tree.has(s.ppid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  const ns = (pid: number | 'self') => {
    try {
      return readlinkSync(`/proc/${pid}/ns/mnt`);
    } catch {
      return null;
    }
  };
  const own = ns('self');
  const namespaces = new Set([...tree].map(ns).filter((n) => n && n !== own));
  for (const pid of all) if (!tree.has(pid) && namespaces.has(ns(pid))) tree.add(pid);
  return [...tree].flatMap((pid) => {
    const s = stats.get(pid) ?? stat(pid);
    return s ? [{ pid, name: s.name, start: s.start }] : [];
  });
}

/** Still running: the same process (start time) exists and is not a zombie. */
export function alive(p: ProcessId): boolean {
  const s = stat(p.pid);
  return s !== null && s.start === p.start && s.state !== 'Z' && s.state !== 'X';
}

/**
 * Re-checks `probe` until it returns a value (not undefined/false), every 20 ms, for at most
 * `limitMs`: for conditions no event announces (a process's sockets in /proc). Rejects naming `what`.
 * The limit only ends a wait that failed: it is generous (90 s), since a real MTA starting on a loaded
 * 2-core machine took over 20 s in a full run.
 */
export async function waitUntil<T>(probe: () => T | undefined | false, what: string, limitMs = 90_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`gave up after ${limitMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Whether a TCP connect to host:port is refused (nothing listens there any more). */
export function refused(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, host);
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

/**
 * The signals a process catches (has a handler for), from the `SigCgt` mask of /proc/<pid>/status; a
 * signal not in it takes the kernel's default action (for SIGINT and SIGTERM: the process ends at once,
 * whatever its code is doing). Empty when the process is gone.
 */
export function caughtSignals(pid: number): Set<NodeJS.Signals> {
  let mask = 0n;
  try {
    const hex = /^SigCgt:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))?.[1];
    mask = hex ? BigInt(`0x${hex}`) : 0n;
  } catch {
    // gone
  }
  const caught = new Set<NodeJS.Signals>();
  for (const [name, number] of Object.entries(constants.signals)) {
    if ((mask >> BigInt(number - 1)) & 1n) caught.add(name as NodeJS.Signals);
  }
  return caught;
}
