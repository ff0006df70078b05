import { readFileSync, renameSync, writeFileSync } from 'node:fs';

/**
 * Writes `sdl` to `file` unless the file already holds exactly that, and says whether it wrote.
 * The new text goes to a temporary file beside it that is then renamed over it, so a gateway
 * polling the file never reads half of one.
 */
export function writeSupergraph(file: string, sdl: string): boolean {
  let current: string | undefined;
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    // Not composed yet.
  }
  if (current === sdl) return false;
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, sdl);
  renameSync(temporary, file);
  return true;
}
