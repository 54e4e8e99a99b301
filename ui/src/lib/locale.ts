/** The locale money, numbers and dates are written in: the OS's regional
 * format as core reads it (topup_core::region), else the webview's language. */
let current: string | undefined;

/** Keeps the BCP 47 `tag` core sends ("de-CH") when Intl accepts it; junk leaves the default.
 * Core already turned the system's own names ("en_GB.UTF-8") into tags. */
export function setLocale(tag: string | null | undefined) {
  current = undefined;
  if (!tag) return;
  try {
    const [canonical] = Intl.getCanonicalLocales(tag);
    if (canonical && Intl.NumberFormat.supportedLocalesOf(canonical).length > 0) current = canonical;
  } catch {
    current = undefined;
  }
}

export function locale(): string | undefined {
  return current;
}
