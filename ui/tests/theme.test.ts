import { afterEach, describe, expect, it, vi } from "vitest";

import { applyCachedTheme, applyTheme, currentPalette } from "../src/lib/theme";

/** A controllable `prefers-color-scheme: dark` query, as the OS would answer it. */
function fakeSystem(dark: boolean) {
  const listeners = new Set<(e: MediaQueryListEvent) => void>();
  const query = {
    get matches() {
      return dark;
    },
    addEventListener: (_: string, f: (e: MediaQueryListEvent) => void) => listeners.add(f),
    removeEventListener: (_: string, f: (e: MediaQueryListEvent) => void) => listeners.delete(f),
  };
  vi.stubGlobal("matchMedia", () => query);
  return {
    flip(next: boolean) {
      dark = next;
      for (const f of listeners) f({ matches: next } as MediaQueryListEvent);
    },
    listeners,
  };
}

afterEach(() => {
  vi.unstubAllGlobals();
  localStorage.clear();
  delete document.documentElement.dataset["theme"];
});

describe("theme", () => {
  it("follows the system while set to System, live", () => {
    const system = fakeSystem(true);
    applyTheme("system");
    expect(currentPalette()).toBe("dark");
    system.flip(false);
    expect(currentPalette()).toBe("light");
  });

  it("stops following the system once a theme is chosen", () => {
    const system = fakeSystem(false);
    applyTheme("system");
    applyTheme("dark");
    expect(system.listeners.size).toBe(0);
    system.flip(false);
    expect(currentPalette()).toBe("dark");
  });

  it("draws the first frame in the last chosen theme, before Rust answers", () => {
    fakeSystem(false);
    applyTheme("dark");
    delete document.documentElement.dataset["theme"];
    applyCachedTheme();
    expect(currentPalette()).toBe("dark");
    localStorage.setItem("topup.theme", "sepia");
    applyCachedTheme();
    expect(currentPalette()).toBe("light");
  });
});
