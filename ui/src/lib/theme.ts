import type { Theme } from "./bindings";

/** Where the last chosen theme is cached so the very first paint uses it;
 * Rust's preferences.json stays the source of truth. */
const CACHE_KEY = "topup.theme";
const DARK = "(prefers-color-scheme: dark)";

let stopFollowing: (() => void) | null = null;

function systemIsDark(): boolean {
  return typeof matchMedia === "function" && matchMedia(DARK).matches;
}

function paint(dark: boolean) {
  document.documentElement.dataset["theme"] = dark ? "dark" : "light";
}

/** Applies a theme preference to the page; "system" follows the OS as it changes. */
export function applyTheme(theme: Theme) {
  stopFollowing?.();
  stopFollowing = null;
  if (theme === "system") {
    paint(systemIsDark());
    if (typeof matchMedia === "function") {
      const query = matchMedia(DARK);
      const follow = (e: MediaQueryListEvent) => paint(e.matches);
      query.addEventListener("change", follow);
      stopFollowing = () => query.removeEventListener("change", follow);
    }
  } else {
    paint(theme === "dark");
  }
  try {
    localStorage.setItem(CACHE_KEY, theme);
  } catch {
    // Storage can be unavailable; the theme still comes from Rust at start.
  }
}

/** Applies the cached preference before the first paint (before Rust answers). */
export function applyCachedTheme() {
  let cached: string | null = null;
  try {
    cached = localStorage.getItem(CACHE_KEY);
  } catch {
    cached = null;
  }
  applyTheme(cached === "light" || cached === "dark" ? cached : "system");
}

/** The palette on screen now. */
export function currentPalette(): "light" | "dark" {
  return document.documentElement.dataset["theme"] === "dark" ? "dark" : "light";
}
