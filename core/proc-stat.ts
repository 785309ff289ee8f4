/**
 * The fields of a Linux /proc/<pid>/stat line after the command name, which is in parentheses
 * and may itself hold spaces and parentheses: the last ')' ends it. Index 0 is the state, 1 the
 * parent pid, 11 and 12 user and system time in clock ticks (proc(5) fields 3, 4, 14 and 15).
 */
export function procStatFields(line: string): string[] {
  return line.slice(line.lastIndexOf(')') + 2).split(' ');
}
