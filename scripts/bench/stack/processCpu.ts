import { readFileSync } from 'node:fs';

/** Clock ticks per second of `/proc/<pid>/stat`: 100 on Linux. */
const TICKS_PER_SECOND = 100;

/** CPU time (user + system) a process has used, in ms, from `/proc/<pid>/stat`; Linux only. */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const user = Number(fields[11]);
  const system = Number(fields[12]);
  return ((user + system) * 1000) / TICKS_PER_SECOND;
}

/** Resident memory of a process, in MB, from `/proc/<pid>/status`; Linux only. */
export function processRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}
