import type { Credits, Money } from "./bindings";
import { locale as appLocale } from "./locale";

// Building an Intl formatter loads ICU data for its locale (milliseconds of
// the first screen's script, and a history page formats every row), so each
// one is made once per locale and options. There are few: the app's locale
// and "en", times the providers' currencies.
const formatters = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat | Intl.PluralRules>();

function memo<F extends Intl.NumberFormat | Intl.DateTimeFormat | Intl.PluralRules>(
  kind: string,
  locale: string | undefined,
  options: object,
  make: () => F,
): F {
  const key = JSON.stringify([kind, locale ?? null, options]);
  let made = formatters.get(key) as F | undefined;
  if (made === undefined) {
    made = make();
    formatters.set(key, made);
  }
  return made;
}

function numberFormat(locale: string | undefined, options: Intl.NumberFormatOptions = {}): Intl.NumberFormat {
  return memo("number", locale, options, () => new Intl.NumberFormat(locale, options));
}

/** How many minor units a currency has (2 for USD and EUR, 0 for JPY). */
function minorDigits(currency: string): number {
  return numberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** Money in the person's locale, in the provider's currency ("$5.00", "5,00 €"). */
export function formatMoney(m: Money, locale: string | undefined = appLocale()): string {
  // Display only: the amount itself stays in minor units everywhere else.
  return numberFormat(locale, { style: "currency", currency: m.currency }).format(m.minor / 10 ** minorDigits(m.currency));
}

/** Credits in the person's locale. */
export function formatCredits(c: Credits, locale: string | undefined = appLocale()): string {
  const n = Number(c);
  return Number.isFinite(n) ? numberFormat(locale, { maximumFractionDigits: 2 }).format(n) : c;
}

/** A moment (Unix seconds) in the person's locale: "21 Nov 2026, 14:30". */
export function formatDateTime(unixSeconds: number, locale: string | undefined = appLocale()): string {
  const options: Intl.DateTimeFormatOptions = { dateStyle: "medium", timeStyle: "short" };
  return memo("date", locale, options, () => new Intl.DateTimeFormat(locale, options)).format(new Date(unixSeconds * 1000));
}

/** A short elapsed time: "45 s", "3 min 05 s", "1 h 02 min". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`;
}

/**
 * "1 check", "3 checks", with the number in the person's locale (English words).
 * `word` is "check", or `[one, other]` for words not made plural by an "s".
 */
export function plural(n: number, word: string | [string, string], locale: string | undefined = appLocale()): string {
  const [one, other] = typeof word === "string" ? [word, `${word}s`] : word;
  const rule = memo("plural", "en", {}, () => new Intl.PluralRules("en")).select(n);
  return `${numberFormat(locale).format(n)} ${rule === "one" ? one : other}`;
}
