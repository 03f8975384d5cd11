import path from 'node:path';

/**
 * Parsers for `strace -f -qq -yy -o FILE` output. Lines look like
 *   1234  connect(19, {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("1.2.3.4")}, 16) = …
 *   1234  openat(AT_FDCWD</cwd>, "rel", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0666) = 18</cwd/rel>
 * and, with -f, a call interrupted by another thread is split into `… <unfinished ...>` and
 * `<... name resumed>…`; the arguments a check needs are in the first half.
 */
export interface TraceLine {
  pid: number;
  syscall: string;
  text: string;
}

export function traceLines(trace: string): TraceLine[] {
  const out: TraceLine[] = [];
  for (const text of trace.split('\n')) {
    const m = /^(\d+)\s+(?:<\.\.\. (\w+) resumed>|(\w+)\()/.exec(text);
    if (m) out.push({ pid: Number(m[1]), syscall: (m[2] ?? m[3])!, text });
  }
  return out;
}

// ---------------------------------------------------------------- network

export interface SocketAddress {
  pid: number;
  syscall: string;
  family: string;
  /** The IP address for AF_INET/AF_INET6. */
  ip?: string;
  /** Read from a socket fd's endpoints (strace -yy), not from a sockaddr argument. */
  fd?: boolean;
}

/** Every socket address strace decoded, in any syscall (connect, bind, sendto, sendmsg, accept…). */
export function socketAddresses(trace: string): SocketAddress[] {
  const out: SocketAddress[] = [];
  for (const line of traceLines(trace)) {
    // sa_family for most, nl_family for netlink, sll_family for packet sockets…
    const re = /\b\w+_family=(\w+)([^}]*)\}/g;
    for (let m = re.exec(line.text); m; m = re.exec(line.text)) {
      const rest = m[2]!;
      const ip = /inet_addr\("([^"]+)"\)/.exec(rest)?.[1] ?? /inet_pton\(AF_INET6, "([^"]+)"/.exec(rest)?.[1];
      out.push({ pid: line.pid, syscall: line.syscall, family: m[1]!, ...(ip ? { ip } : {}) });
    }
    // Under -yy every socket fd is shown with its endpoints: 19<TCP:[127.0.0.1:5177->127.0.0.1:40000]>.
    const fdRe = /<(TCP|UDP|UDPLITE|TCPv6|UDPv6|UDPLITEv6|RAW|RAWv6):\[([^\]]*(?:\][^\]>]*)*)\]>/g;
    for (let m = fdRe.exec(line.text); m; m = fdRe.exec(line.text)) {
      const v6 = m[1]!.endsWith('v6');
      const ends = [...m[2]!.matchAll(v6 ? /\[([0-9a-fA-F:.]+)\]:\d+/g : /(\d+\.\d+\.\d+\.\d+):\d+/g)];
      for (const e of ends) {
        out.push({
          pid: line.pid,
          syscall: line.syscall,
          family: v6 ? 'AF_INET6' : 'AF_INET',
          ip: e[1]!,
          fd: true,
        });
      }
    }
    // A destination strace could not decode is a failure too, not a pass.
    if (/^(connect|bind|sendto)$/.test(line.syscall) && !line.text.includes('resumed>')) {
      if (line.syscall !== 'sendto' || !/, NULL, 0\)/.test(line.text)) {
        if (!/_family=/.test(line.text))
          out.push({ pid: line.pid, syscall: line.syscall, family: 'UNDECODED' });
      }
    }
  }
  return out;
}

export function isLoopbackIp(ip: string): boolean {
  if (/^127\.\d+\.\d+\.\d+$/.test(ip)) return true;
  if (ip === '::1') return true;
  return /^::ffff:127\.\d+\.\d+\.\d+$/i.test(ip);
}

/**
 * The rule: a socket address may be AF_UNIX, AF_NETLINK, or a loopback IP. The one exception is
 * the wildcard a kernel reports from getsockname() on a socket that is not bound yet (it names
 * no peer and no interface anyone chose).
 */
export function isAllowedAddress(a: SocketAddress): boolean {
  if (a.family === 'AF_UNIX' || a.family === 'AF_LOCAL' || a.family === 'AF_NETLINK') return true;
  if ((a.family === 'AF_INET' || a.family === 'AF_INET6') && a.ip !== undefined) {
    if (isLoopbackIp(a.ip)) return true;
    if (a.syscall === 'getsockname' && !a.fd && (a.ip === '0.0.0.0' || a.ip === '::')) return true;
  }
  return false;
}

export function egressViolations(trace: string): SocketAddress[] {
  return socketAddresses(trace).filter((a) => !isAllowedAddress(a));
}

// ---------------------------------------------------------------- files

export interface FileWrite {
  pid: number;
  syscall: string;
  /** Absolute path the call creates, opens for writing, or moves/links to. */
  path: string;
}

const WRITE_FLAGS = /\bO_(WRONLY|RDWR|CREAT|TRUNC|APPEND|TMPFILE)\b/;
const QUOTED = /"((?:[^"\\]|\\.)*)"/g;

/** Undo strace's C-style escaping of a path (\", \\, \n, \ooo, \xhh). */
function unescape(s: string): string {
  return s.replace(/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|.)/g, (_, e: string) => {
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    if (/^[0-7]+$/.test(e)) return String.fromCharCode(parseInt(e, 8));
    return ({ n: '\n', t: '\t', r: '\r', v: '\v', f: '\f' } as Record<string, string>)[e] ?? e;
  });
}

/** The path args of a call, each resolved against its dirfd (`AT_FDCWD</dir>` / `7</dir>` under -y/-yy). */
function pathArgs(text: string, cwd: string): string[] {
  const args = text.slice(text.indexOf('(') + 1);
  const out: string[] = [];
  QUOTED.lastIndex = 0;
  for (let m = QUOTED.exec(args); m; m = QUOTED.exec(args)) {
    const before = args.slice(0, m.index);
    const dirfd = /(?:AT_FDCWD|\d+)<([^>]*)>, $/.exec(before)?.[1];
    out.push(path.resolve(dirfd ?? cwd, unescape(m[1]!)));
  }
  return out;
}

/**
 * Every file a traced process created, opened for writing, renamed or linked into place, or
 * made a folder at. Failed attempts count too: trying is what the proof rules out. Needs
 * -e trace=open,openat,openat2,creat,mkdir,mkdirat,rename,renameat,renameat2,link,linkat,
 * symlink,symlinkat,mknod,mknodat,truncate,chdir,fchdir (see FILE_SYSCALLS). A chdir makes
 * later relative paths unknowable, so it is reported as a write to "(chdir)".
 */
export function fileWrites(trace: string, cwd: string): FileWrite[] {
  const out: FileWrite[] = [];
  for (const line of traceLines(trace)) {
    if (line.text.includes('resumed>')) continue;
    const { pid, syscall, text } = line;
    const paths = pathArgs(text, cwd);
    const add = (p: string | undefined) => p !== undefined && out.push({ pid, syscall, path: p });
    switch (syscall) {
      case 'open':
      case 'openat':
      case 'openat2':
        if (WRITE_FLAGS.test(text)) add(paths[0]);
        break;
      case 'creat':
      case 'mkdir':
      case 'mkdirat':
      case 'mknod':
      case 'mknodat':
      case 'truncate':
        add(paths[0]);
        break;
      case 'rename':
      case 'renameat':
      case 'renameat2':
      case 'link':
      case 'linkat':
        add(paths[1]);
        break;
      case 'symlink':
      case 'symlinkat':
        add(paths[paths.length - 1]);
        break;
      case 'chdir':
      case 'fchdir':
        out.push({ pid, syscall, path: '(chdir)' });
        break;
    }
  }
  return out;
}

export const FILE_SYSCALLS = [
  'open',
  'openat',
  'openat2',
  'creat',
  'mkdir',
  'mkdirat',
  'rename',
  'renameat',
  'renameat2',
  'link',
  'linkat',
  'symlink',
  'symlinkat',
  'mknod',
  'mknodat',
  'truncate',
  'chdir',
  'fchdir',
].join(',');

/** True when `p` is `dir` or inside it. */
export const within = (p: string, dir: string) =>
  p === dir || p.startsWith(dir.endsWith('/') ? dir : `${dir}/`);
