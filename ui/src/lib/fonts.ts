/**
 * Whether this webview finds fonts through fontconfig: WebKitGTK, on Linux
 * and the BSDs. There a `font-family` list costs a fontconfig search for
 * each family, at each size and weight, and a family answered under another
 * name (`system-ui` by DejaVu Sans) about a hundred more: the system UI
 * stack cost most of the first paint. Rust points WebKit's generic families
 * at the desktop's own fonts there (`src-tauri/fonts.rs`), so the page can
 * name just those.
 */
export function fontsThroughFontconfig(userAgent: string): boolean {
  return /\b(X11|Linux|FreeBSD|OpenBSD|NetBSD)\b/.test(userAgent) && !/\bAndroid\b/.test(userAgent);
}

/** Picks the font stack (styles/tokens.css) before the first style is computed. */
export function chooseFonts(): void {
  if (fontsThroughFontconfig(navigator.userAgent)) {
    document.documentElement.dataset["fonts"] = "generic";
  }
}
