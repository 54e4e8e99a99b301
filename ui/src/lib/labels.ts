import type { Preset, SignInMethod } from "./bindings";

const SIGN_IN_LABELS: Record<SignInMethod, string> = {
  email_password: "email and password",
  api_key_token: "an API-key token",
  google: "Google",
  key_pair: "an API key pair",
};

export function signInLabel(method: SignInMethod): string {
  return SIGN_IN_LABELS[method];
}

/** "email and password, an API-key token, or Google". */
export function signInSentence(methods: SignInMethod[]): string {
  const list = new Intl.ListFormat("en", { style: "long", type: "disjunction" });
  return `Sign in with ${list.format(methods.map(signInLabel))}`;
}

/** Where the preset's service lives, in words when it has no fixed address. */
export function presetAddress(preset: Preset): string {
  if (preset.base_url) return preset.base_url;
  return preset.runs_in_app
    ? "Runs inside Topup, on this computer"
    : "You enter the server's address";
}

/** The currency's display name in the person's locale ("US dollars"). */
export function currencyName(code: string, locale?: string): string {
  try {
    const names = new Intl.DisplayNames(locale ? [locale] : undefined, { type: "currency" });
    return names.of(code) ?? code;
  } catch {
    return code;
  }
}
