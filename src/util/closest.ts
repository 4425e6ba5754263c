// "Did you mean ...?" suggestions for unknown flows, keys and options.
export const findClosest = (input: string, candidates: readonly string[], limit = 3): string[] => {
  const scored = candidates
    .map((candidate) => ({ candidate, distance: editDistance(input.toLowerCase(), candidate.toLowerCase()) }))
    .filter(({ candidate, distance }) => distance <= Math.max(2, Math.floor(candidate.length / 3)));
  scored.sort((a, b) => a.distance - b.distance || a.candidate.localeCompare(b.candidate));
  return scored.slice(0, limit).map(({ candidate }) => candidate);
};

export const editDistance = (a: string, b: string): number => {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
};

// "did you mean 'runner'?" or an empty string when nothing is close.
export const formatSuggestion = (input: string, candidates: readonly string[]): string => {
  const closest = findClosest(input, candidates, 1);
  return closest.length > 0 ? ` (did you mean '${closest[0]}'?)` : '';
};
