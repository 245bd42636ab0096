// Where the ranks of a process group meet: PyTorch's init_method URLs.
//   tcp://host:port   a TCPStore served by rank 0 on host:port (the others connect to it)
//   file:///path      a FileStore: a file every rank can reach (a shared filesystem across machines)
//   env://            tcp://$MASTER_ADDR:$MASTER_PORT, as torchrun sets them
export type InitMethod = { kind: 'tcp'; host: string; port: number } | { kind: 'file'; path: string };

export class InitMethodError extends Error {}

const EXPECTED = 'expected tcp://host:port, file:///path or env://';

function parsePort(text: string, spec: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) {
    throw new InitMethodError(`'${spec}': the port must be an integer in 1..65535, got '${text}'`);
  }
  return port;
}

/** Parses an init method; `env://` reads MASTER_ADDR and MASTER_PORT from `env`. */
export function parseInitMethod(spec: string, env: NodeJS.ProcessEnv = process.env): InitMethod {
  if (spec === 'env://') {
    const host = env.MASTER_ADDR;
    const port = env.MASTER_PORT;
    if (!host || !port) throw new InitMethodError('env:// needs MASTER_ADDR and MASTER_PORT in the environment');
    return { kind: 'tcp', host, port: parsePort(port, `env:// (MASTER_PORT)`) };
  }
  if (spec.startsWith('tcp://')) {
    const rest = spec.slice('tcp://'.length);
    // [v6::addr]:port or host:port
    const m = /^\[([^\]]+)\]:([^:]*)$/.exec(rest) ?? /^([^:/[\]]+):([^:]*)$/.exec(rest);
    if (!m) throw new InitMethodError(`'${spec}': ${EXPECTED}`);
    return { kind: 'tcp', host: m[1] as string, port: parsePort(m[2] as string, spec) };
  }
  if (spec.startsWith('file://')) {
    const path = spec.slice('file://'.length);
    if (path === '') throw new InitMethodError(`'${spec}' names no file; ${EXPECTED}`);
    return { kind: 'file', path };
  }
  throw new InitMethodError(`unknown init method '${spec}'; ${EXPECTED}`);
}

export function formatInitMethod(m: InitMethod): string {
  return m.kind === 'tcp' ? `tcp://${m.host.includes(':') ? `[${m.host}]` : m.host}:${m.port}` : `file://${m.path}`;
}

/** Whether a host names this machine's loopback interface. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
