// "Did you mean …?": the closest allowed word to a misspelt key or enum value, by edit distance.

/** Levenshtein distance with an early exit once every cell of a row exceeds `max`. */
export function editDistance(a: string, b: string, max = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const v = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      row.push(v);
      if (v < best) best = v;
    }
    if (best > max) return max + 1;
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/** The allowed word closest to `word`, when it is close enough to be a plausible typo. */
export function closest(word: string, allowed: Iterable<string>): string | undefined {
  const needle = word.toLowerCase();
  // Short words tolerate one edit, longer ones a third of their length: "nmae" → "name", not "x" → "id".
  const max = Math.max(1, Math.min(3, Math.floor(needle.length / 3)));
  let best: string | undefined;
  let bestDistance = max + 1;
  for (const candidate of allowed) {
    const d = editDistance(needle, candidate.toLowerCase(), max);
    if (d < bestDistance || (d === bestDistance && best !== undefined && candidate < best)) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= max ? best : undefined;
}

export function didYouMean(word: string, allowed: Iterable<string>): string | undefined {
  const match = closest(word, allowed);
  return match === undefined || match === word ? undefined : `did you mean "${match}"?`;
}
