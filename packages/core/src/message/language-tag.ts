/**
 * The first of `offered` (most preferred first) that one of `supported` serves, as RFC 4647
 * section 3.4 lookup does: a supported tag serves an offered one that equals it or extends it
 * (`en` serves `en-US`), ignoring case. Returns the supported tag, or undefined when none serves.
 */
export function chooseLanguageTag(offered: readonly string[], supported: readonly string[]): string | undefined {
  for (const tag of offered) {
    const wanted = tag.toLowerCase();
    const match = supported.find((s) => {
      const have = s.toLowerCase();
      return wanted === have || wanted.startsWith(`${have}-`);
    });
    if (match !== undefined) return match;
  }
  return undefined;
}
