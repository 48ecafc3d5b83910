// "1 worker", "2 workers": a count and its noun for the lines the CLI prints.

/** `n` and `noun`, with an s unless n is 1 (the nouns printed this way take a plain s). */
export function counted(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
