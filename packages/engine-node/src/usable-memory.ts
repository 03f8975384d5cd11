import os from 'node:os';

/**
 * The RAM this process may use: the machine's, or its container's limit (cgroup) when lower. In a
 * 2 GB container on a 64 GB host, defaults taken from the host's RAM would let DuckDB and the
 * server's budget grow far past what the container allows, and the kernel would kill the process.
 */
export function usableMemory(
  total = os.totalmem(),
  constrained: number | undefined = process.constrainedMemory?.(),
): number {
  return constrained !== undefined && constrained > 0 && constrained < total ? constrained : total;
}
