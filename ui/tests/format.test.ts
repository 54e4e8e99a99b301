import { afterEach, describe, expect, it } from "vitest";

import { formatCredits, formatDateTime, formatMoney, plural } from "../src/lib/format";
import { locale, setLocale } from "../src/lib/locale";

afterEach(() => setLocale(null));

describe("locale and formats", () => {
  it("writes money in the OS's regional format and the provider's currency", () => {
    setLocale("de-DE");
    expect(locale()).toBe("de-DE");
    expect(formatMoney({ currency: "EUR", minor: 1050 })).toBe("10,50\u00a0€");
    expect(formatMoney({ currency: "USD", minor: 500 })).toBe("5,00\u00a0$");
    expect(formatCredits("1234567")).toBe("1.234.567");
    setLocale("en-US");
    expect(formatMoney({ currency: "EUR", minor: 1050 })).toBe("€10.50");
    expect(formatCredits("1234.5")).toBe("1,234.5");
  });

  it("ignores a locale Intl cannot use (the C locale of a bare session)", () => {
    setLocale("C");
    expect(locale()).toBeUndefined();
    setLocale("");
    expect(locale()).toBeUndefined();
  });

  it("writes dates in the locale and counts in words", () => {
    expect(formatDateTime(1_795_000_000, "en-GB")).toMatch(/^\d{1,2} \w{3} 2026, \d{2}:\d{2}$/);
    expect(plural(1, "check", "en-US")).toBe("1 check");
    expect(plural(1200, "check", "en-US")).toBe("1,200 checks");
    expect(plural(10_000, ["entry", "entries"], "en-US")).toBe("10,000 entries");
    expect(plural(1, ["match", "matches"], "en-US")).toBe("1 match");
  });
});
