import { afterEach, describe, expect, it, vi } from "vitest";

import { chooseFonts, fontsThroughFontconfig } from "../src/lib/fonts";

// What each platform's webview says it is.
const WEBKITGTK = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko)";
const WKWEBVIEW = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)";
const WEBVIEW2 =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0";

describe("font stack", () => {
  afterEach(() => {
    vi.restoreAllMocks();
    delete document.documentElement.dataset["fonts"];
  });

  it("names only the generic families where WebKitGTK finds fonts through fontconfig", () => {
    expect(fontsThroughFontconfig(WEBKITGTK)).toBe(true);
    expect(fontsThroughFontconfig("Mozilla/5.0 (X11; FreeBSD amd64) AppleWebKit/605.1.15 (KHTML, like Gecko)")).toBe(
      true,
    );
  });

  it("keeps the system UI stack on macOS and Windows", () => {
    expect(fontsThroughFontconfig(WKWEBVIEW)).toBe(false);
    expect(fontsThroughFontconfig(WEBVIEW2)).toBe(false);
  });

  it("marks the page on Linux before the first style", () => {
    vi.spyOn(navigator, "userAgent", "get").mockReturnValue(WEBKITGTK);
    chooseFonts();
    expect(document.documentElement.dataset["fonts"]).toBe("generic");
  });

  it("leaves the page unmarked elsewhere", () => {
    vi.spyOn(navigator, "userAgent", "get").mockReturnValue(WKWEBVIEW);
    chooseFonts();
    expect(document.documentElement.dataset["fonts"]).toBeUndefined();
  });
});
