import type { Credits, Money } from "./bindings";
import { locale as appLocale } from "./locale";

/** How many minor units a currency has (2 for USD and EUR, 0 for JPY). */
function minorDigits(currency: string): number {
  return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** Money in the person's locale, in the provider's currency ("$5.00", "5,00 €"). */
export function formatMoney(m: Money, locale: string | undefined = appLocale()): string {
  // Display only: the amount itself stays in minor units everywhere else.
  return new Intl.NumberFormat(locale, { style: "currency", currency: m.currency }).format(m.minor / 10 ** minorDigits(m.currency));
}

/** Credits in the person's locale. */
export function formatCredits(c: Credits, locale: string | undefined = appLocale()): string {
  const n = Number(c);
  return Number.isFinite(n) ? new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(n) : c;
}

/** A moment (Unix seconds) in the person's locale: "21 Nov 2026, 14:30". */
export function formatDateTime(unixSeconds: number, locale: string | undefined = appLocale()): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(new Date(unixSeconds * 1000));
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
  const rule = new Intl.PluralRules("en").select(n);
  return `${new Intl.NumberFormat(locale).format(n)} ${rule === "one" ? one : other}`;
}
