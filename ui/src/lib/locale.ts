/** The locale money, numbers and dates are written in: the OS's regional
 * format as core reads it (topup_core::region), else the webview's language. */
let current: string | undefined;

/** Keeps `tag` when Intl accepts it ("de-CH", "en_GB.UTF-8" → "en-GB"); "C" or junk leaves the default. */
export function setLocale(tag: string | null | undefined) {
  current = undefined;
  if (!tag) return;
  const cleaned = tag.split(/[.@]/)[0]?.replace(/_/g, "-") ?? "";
  try {
    const [canonical] = Intl.getCanonicalLocales(cleaned);
    if (canonical && Intl.NumberFormat.supportedLocalesOf(canonical).length > 0) current = canonical;
  } catch {
    current = undefined;
  }
}

export function locale(): string | undefined {
  return current;
}
