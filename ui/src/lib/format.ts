import type { Credits, Money } from "./bindings";

/** Money in the person's locale, in the provider's currency ("$5.00", "5,00 €"). */
export function formatMoney(m: Money, locale?: string): string {
  // Display only: the amount itself stays in minor units everywhere else.
  return new Intl.NumberFormat(locale, { style: "currency", currency: m.currency }).format(m.minor / 100);
}

/** Credits in the person's locale. */
export function formatCredits(c: Credits, locale?: string): string {
  const n = Number(c);
  return Number.isFinite(n) ? new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(n) : c;
}
