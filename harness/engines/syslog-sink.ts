/**
 * A syslog receiver on a Unix socket: what the engines write through syslog(3) arrives here as
 * lines. glibc's syslog() retries with SOCK_STREAM when /dev/log is a stream socket, and then ends
 * each message with a NUL byte, so a plain net.Server can listen for it.
 */
import net from 'node:net';
import { chmodSync } from 'node:fs';

/** `<22>Nov 29 21:06:41 sendmail[2085]: text` -> `sendmail[2085]: text`. */
export function stripSyslogHeader(frame: string): string {
  return frame.replace(/^<\d{1,3}>/, '').replace(/^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d /, '');
}

export class SyslogSink {
  private constructor(private readonly server: net.Server, private readonly sockets: Set<net.Socket>) {}

  /** Listens on `path` (mode 0666: engines log as their unprivileged users too). */
  static listen(path: string, onLine: (line: string) => void): Promise<SyslogSink> {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      sockets.add(socket);
      let buffered = '';
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => {
        buffered += chunk;
        let i: number;
        while ((i = buffered.search(/[\0\n]/)) >= 0) {
          const frame = buffered.slice(0, i);
          buffered = buffered.slice(i + 1);
          if (frame.trim()) onLine(stripSyslogHeader(frame));
        }
      });
      socket.on('error', () => {});
      socket.on('close', () => sockets.delete(socket));
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        chmodSync(path, 0o666);
        resolve(new SyslogSink(server, sockets));
      });
    });
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
