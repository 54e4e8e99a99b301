import { fireEvent, render, screen } from "@testing-library/svelte";
import { emit } from "@tauri-apps/api/event";
import { describe, expect, it } from "vitest";

import App from "../src/App.svelte";
import { BACKGROUND, ACCOUNT, APP_INFO, PENDING, PRESETS, PRICING, progress, record, startup, accountView } from "./fixtures";
import { type Call, type Handlers, type Returns, listenedTo, mockCommands } from "./ipc";
import type { AccountRecord, Startup } from "../src/lib/bindings";

/** The shell at start with one account, `r`, opened first and signed in; what follows in the mock adds or replaces. */
function oneAccountOpen(r: AccountRecord, start: Partial<Startup> = {}): Handlers {
  return {
    ...BACKGROUND,
    app_info: () => APP_INFO,
    startup: () => startup({ accounts: [accountView(r, true, true)], active: r.id, open_first: r.id, ...start }),
    restore_account: () => ({ state: "signed_in", account: ACCOUNT }),
    list_accounts: () => [accountView(r, true, true)],
  };
}

/**
 * The app started on an account whose last balance read was 900, its
 * session restore held until the test calls `restore`.
 */
function startOnKnownBalance(more: Handlers = {}) {
  const r = record({ email: ACCOUNT.email, label: "demo@topup.test" });
  const held: { answer: (answer: Returns<"restoreAccount">) => void } = { answer: () => {} };
  const calls: Call[] = [];
  mockCommands(
    {
      ...oneAccountOpen(r, { known_balance: { at: 1_700_000_000, balance: "900" } }),
      restore_account: () => new Promise((resolve) => (held.answer = resolve)),
      pricing: () => PRICING,
      ...more,
    },
    calls,
  );
  render(App);
  return { r, calls, restore: (answer: Returns<"restoreAccount">) => held.answer(answer) };
}

describe("app shell", () => {
  it("opens on the first-run screen when there are no accounts, and names its version", async () => {
    mockCommands({
      ...BACKGROUND,
      app_info: () => APP_INFO,
      startup: () => startup(),
      provider_presets: () => PRESETS,
    });
    render(App);

    expect(await screen.findByRole("heading", { name: "Where do you buy credits?" })).toBeVisible();
    await expect.poll(() => screen.getByTestId("app-version").textContent).toBe("Topup 9.8.7");
  });

  it("mounted before startup answers (a stalled keychain), it holds the Opening Topup placeholder and asks for no window", async () => {
    const calls: Call[] = [];
    mockCommands({ ...BACKGROUND, app_info: () => APP_INFO, startup: () => new Promise<never>(() => {}) }, calls);
    render(App);

    expect(await screen.findByText("Opening Topup…")).toBeInTheDocument();
    expect(screen.queryByTestId("open-settings")).toBeNull();
    expect(calls.map(([c]) => c)).not.toContain("first_screen_ready");
  });

  it("has the window shown once, when its first screen is in the page: the last balance read, or the first run", async () => {
    // What the page holds at the moment it asks for the window.
    const seen: string[] = [];
    const { calls } = startOnKnownBalance({
      first_screen_ready: () => void seen.push(screen.queryByTestId("known-balance")?.textContent ?? "nothing"),
    });
    await expect.poll(() => seen).toEqual(["900 credits"]);
    expect(calls.filter(([c]) => c === "first_screen_ready")).toHaveLength(1);
  });

  it("draws its first screen in the regional format startup names, before any other call goes out", async () => {
    const r = record({ email: ACCOUNT.email, label: "demo@topup.test" });
    const seen: string[] = [];
    const calls: Call[] = [];
    mockCommands(
      {
        ...BACKGROUND,
        app_info: () => APP_INFO,
        startup: () =>
          startup({ accounts: [accountView(r, true, true)], active: r.id, open_first: r.id, known_balance: { at: 1_700_000_000, balance: "1234.5" }, locale: "de-DE" }),
        restore_account: () => new Promise(() => {}),
        first_screen_ready: () => void seen.push(screen.queryByTestId("known-balance")?.textContent ?? "nothing"),
      },
      calls,
    );
    render(App);

    await expect.poll(() => seen).toEqual(["1.234,5 credits"]);
    // The shell's own listeners and the footer's version wait until the window is asked to show.
    await expect.poll(() => calls.map(([c]) => c)).toContain("app_info");
    await expect.poll(listenedTo).toEqual(expect.arrayContaining(["update-changed", "open-buy", "close-asked"]));
    const names = calls.map(([c]) => c);
    const before = names.slice(0, names.indexOf("first_screen_ready"));
    expect(before).toContain("startup");
    expect(before).not.toContain("app_info");
    expect(before).not.toContain("update_status");
    expect(names).toContain("update_status");
  });

  it("has the window shown on the first-run screen when there is no account", async () => {
    const seen: string[] = [];
    mockCommands({
      ...BACKGROUND,
      app_info: () => APP_INFO,
      startup: () => startup(),
      provider_presets: () => PRESETS,
      first_screen_ready: () => void seen.push(screen.queryByRole("heading", { level: 1 })?.textContent ?? "nothing"),
    });
    render(App);
    await expect.poll(() => seen).toEqual(["Where do you buy credits?"]);
  });

  it("restores the active account straight to its home", async () => {
    const r = record({ email: ACCOUNT.email, label: "demo@topup.test" });
    mockCommands({
      ...oneAccountOpen(r),
      pricing: () => PRICING,
    });
    render(App);

    expect(await screen.findByTestId("balance")).toHaveTextContent("1,000 credits");
    expect(screen.getByTestId("account-name")).toHaveTextContent("Demo User");
  });

  it("paints the last balance read at once, asks the service nothing until the session is back, then shows its answer", async () => {
    const { r, calls, restore } = startOnKnownBalance();

    expect(await screen.findByTestId("known-balance")).toHaveTextContent("900 credits");
    expect(screen.getByTestId("balance-checking")).toHaveTextContent("Checking with the service…");
    // (A frame of the test before may still report its own balance: only this one's "known" counts.)
    const reports = (on: string) => calls.filter(([c, a]) => c === "balance_shown" && a.on === on).map(([, a]) => a);
    await expect.poll(() => reports("known")).toEqual([{ accountId: r.id, balance: "900", on: "known" }]);
    expect(calls.map(([c]) => c)).not.toContain("pricing");
    expect(calls.map(([c]) => c)).not.toContain("account_summary");

    restore({ state: "signed_in", account: ACCOUNT });
    expect(await screen.findByTestId("balance")).toHaveTextContent("1,000 credits");
    expect(screen.queryByTestId("known-balance")).toBeNull();
    expect(screen.queryByTestId("balance-checking")).toBeNull();
    await expect.poll(() => reports("home")).toContainEqual({ accountId: r.id, balance: "1000", on: "home" });
    expect(reports("known")).toHaveLength(1);
  });

  it("leaves the home painted from the last balance read only once the session is back", async () => {
    const { calls, restore } = startOnKnownBalance({
      capabilities: () => PRICING.capabilities,
      history: () => ({ entries: [], page: 1, has_more: false, total: 0, pages: 1 }),
    });

    await fireEvent.click(await screen.findByTestId("open-history"));
    expect(screen.getByTestId("known-balance")).toBeVisible();
    expect(calls.map(([c]) => c)).not.toContain("history");

    restore({ state: "signed_in", account: ACCOUNT });
    expect(await screen.findByRole("heading", { name: "History" })).toBeVisible();
    expect(calls.filter(([c]) => c === "history")).toHaveLength(1);
  });

  it("keeps the last balance read on screen, dated, when the service does not answer at start", async () => {
    const r = record({ email: ACCOUNT.email, label: "demo@topup.test" });
    mockCommands({
      ...oneAccountOpen(r, { known_balance: { at: 1_700_000_000, balance: "900" } }),
      restore_account: () => ({ state: "offline", code: "network_unreachable", message: "Topup could not reach the service." }),
      account_summary: () => {
        throw { code: "network_unreachable", message: "Topup could not reach the service." };
      },
      pricing: () => PRICING,
    });
    render(App);

    expect(await screen.findByTestId("home-error")).toHaveTextContent("could not reach");
    expect(screen.getByTestId("known-balance")).toHaveTextContent("900 credits");
    expect(screen.getByTestId("balance-checking")).toHaveTextContent(/^Last read /);
  });

  it("opens an account with a purchase in flight on that purchase (resumed after a restart)", async () => {
    const r = record({ email: ACCOUNT.email, label: "demo@topup.test" });
    mockCommands({
      ...oneAccountOpen(r),
      purchase_state: () => ({ purchase: PENDING, last: progress({ state: "waiting" }) }),
    });
    render(App);
    expect(await screen.findByRole("heading", { name: "Waiting for your payment" })).toBeVisible();
    expect(screen.getByTestId("watch-status")).toHaveTextContent("3 checks");
  });

  it("asks to sign in again when the stored session ended, keeping the account", async () => {
    const r = record();
    mockCommands({
      ...BACKGROUND,
      app_info: () => APP_INFO,
      startup: () => startup({ accounts: [accountView(r, true, true)], active: r.id, open_first: r.id }),
      restore_account: () => ({ state: "needs_sign_in", code: "session_expired", reason: "Your session has ended. Sign in again to continue." }),
      list_accounts: () => [accountView(r, false, true)],
    });
    render(App);

    expect(await screen.findByTestId("sign-in-notice")).toHaveTextContent("Your session has ended");
    expect(screen.getByRole("heading", { name: "Sign in to Clara" })).toBeVisible();
    expect(screen.getByTestId("account-switcher")).toHaveTextContent("Clara (signed out)");
  });

  it("opens on a welcome-back first run when every account was signed out, and signs in from there", async () => {
    const clara = record({ email: ACCOUNT.email, label: "Clara" });
    const dispersed = record({ id: "acc-2", preset: "dispersed", provider: "dispersed", label: "Dispersed", base_url: "https://api.dispersed.com" });
    const switched: unknown[] = [];
    mockCommands({
      ...BACKGROUND,
      app_info: () => APP_INFO,
      startup: () => startup({
          accounts: [
            accountView(clara, false, true),
            accountView(dispersed, false, false),
          ],
          active: clara.id,
        }),
      restore_account: () => ({ state: "needs_sign_in", code: null, reason: null }),
      provider_presets: () => PRESETS,
      switch_account: (args) => {
        switched.push(args);
        return null;
      },
      list_accounts: () => [
          accountView(clara, false, false),
          accountView(dispersed, false, true),
        ],
    });
    render(App);

    expect(await screen.findByRole("heading", { name: "Welcome back" })).toBeVisible();
    const known = screen.getAllByTestId("known-account");
    expect(known.map((k) => k.textContent)).toEqual([expect.stringContaining("demo@topup.test"), expect.stringContaining("https://api.dispersed.com")]);
    expect(screen.getByRole("heading", { name: "Add another account" })).toBeVisible();

    await fireEvent.click(screen.getByRole("button", { name: "Sign in to Dispersed" }));
    expect(await screen.findByRole("heading", { name: "Sign in to Dispersed" })).toBeVisible();
    expect(switched).toEqual([{ accountId: "acc-2" }]);
  });

  it("opens the account Rust chose at start, not the active one", async () => {
    // Core's Accounts::account_to_open picked (and made active) the account
    // with a kept sign-in; the UI only follows it.
    const clara = record({ label: "Clara" });
    const other = record({ id: "acc-2", email: ACCOUNT.email, label: "Work" });
    mockCommands({
      ...BACKGROUND,
      app_info: () => APP_INFO,
      startup: () => startup({
          accounts: [accountView(clara, false, false), accountView(other, true, true)],
          active: other.id,
          open_first: other.id,
        }),
      restore_account: (args) => {
        expect(args).toEqual({ accountId: "acc-2" });
        return { state: "signed_in", account: ACCOUNT };
      },
      list_accounts: () => [accountView(clara, false, false), accountView(other, true, true)],
      pricing: () => PRICING,
      purchase_state: () => null,
    });
    render(App);

    expect(await screen.findByTestId("balance")).toHaveTextContent("1,000 credits");
    expect(screen.getByTestId("account-switcher")).toHaveTextContent("Work");
  });

  it("says plainly when sign-ins cannot be kept", async () => {
    mockCommands({
      ...BACKGROUND,
      app_info: () => APP_INFO,
      startup: () => startup({ persists: false, keychain_warning: "No system keychain is available, so Topup keeps your sign-in for this session only." }),
      provider_presets: () => PRESETS,
    });
    render(App);

    expect(await screen.findByTestId("keychain-warning")).toHaveTextContent("No system keychain");
    expect(await screen.findByText(/sign-ins last until you quit/)).toBeVisible();
  });

  it("draws in the theme kept in Rust, and goes to Settings and back to the same home", async () => {
    const r = record({ email: ACCOUNT.email, label: "demo@topup.test" });
    mockCommands({
      ...oneAccountOpen(r, { preferences: { theme: "dark", check_for_updates: true, update_endpoint: null, refresh_minutes: 15, keep_in_tray: false, close_explained: false } }),
      pricing: () => PRICING,
    });
    render(App);
    await screen.findByTestId("balance");
    expect(document.documentElement.dataset["theme"]).toBe("dark");

    await fireEvent.click(screen.getByTestId("open-settings"));
    expect(await screen.findByRole("heading", { name: "Settings" })).toHaveFocus();
    expect(screen.getByTestId("open-settings")).toHaveAttribute("aria-current", "page");
    expect(screen.getByRole("radio", { name: "Dark" })).toBeChecked();
    await fireEvent.click(screen.getByTestId("settings-back"));
    expect(await screen.findByTestId("balance")).toHaveTextContent("1,000 credits");
    delete document.documentElement.dataset["theme"];
  });

  it("goes to sign-in when the account was signed out from Settings", async () => {
    const r = record({ email: ACCOUNT.email, label: "demo@topup.test" });
    let signedIn = true;
    mockCommands({
      ...BACKGROUND,
      app_info: () => APP_INFO,
      startup: () => startup({ accounts: [accountView(r, true, true)], active: r.id, open_first: r.id }),
      restore_account: () => ({ state: "signed_in", account: ACCOUNT }),
      list_accounts: () => [accountView(r, signedIn, true)],
      pricing: () => PRICING,
      sign_out: () => {
        signedIn = false;
        return { revoked_on_server: true, message: "Signed out." };
      },
    });
    render(App);
    await screen.findByTestId("balance");
    await fireEvent.click(screen.getByTestId("open-settings"));
    await fireEvent.click(await screen.findByTestId("settings-sign-out"));
    expect(await screen.findByText("Signed out", { selector: ".badge" })).toBeVisible();
    await fireEvent.click(screen.getByTestId("settings-back"));
    expect(await screen.findByRole("heading", { name: "Sign in to demo@topup.test" })).toBeVisible();
  });
});

describe("app shell: on the desktop", () => {
  it("asks once what closing does while alerts are on, and keeps Topup in the tray when told", async () => {
    const calls: Call[] = [];
    mockCommands({ ...BACKGROUND, app_info: () => APP_INFO, startup: () => startup(), provider_presets: () => PRESETS, choose_close: () => null }, calls);
    render(App);
    await screen.findByRole("heading", { name: "Where do you buy credits?" });
    // The shell listens once its first screen is up (the window shows then).
    await expect.poll(listenedTo).toContain("close-asked");
    await emit("close-asked", null);
    const dialog = await screen.findByRole("dialog", { name: "Keep Topup in the tray?" });
    expect(dialog).toHaveTextContent("Your low-balance alerts only work while Topup runs.");
    await fireEvent.click(screen.getByTestId("dialog-confirm"));
    await expect.poll(() => calls.filter(([c]) => c === "choose_close")).toEqual([["choose_close", { keepInTray: true }]]);
  });

  it("opens the account named by a tray's “Top up…” on its home, amount field ready", async () => {
    const r = record({ email: ACCOUNT.email, label: "demo@topup.test" });
    const other = record({ id: "acct_other", label: "other" });
    mockCommands({
      ...BACKGROUND,
      app_info: () => APP_INFO,
      startup: () => startup({ accounts: [accountView(other, true, true), accountView(r, true, false)], active: other.id, open_first: other.id }),
      restore_account: () => ({ state: "signed_in", account: ACCOUNT }),
      list_accounts: () => [accountView(other, true, false), accountView(r, true, true)],
      pricing: () => PRICING,
      quote: (args) => ({ amount: { currency: "USD", minor: Number(args["input"]) * 100 }, credits: String(Number(args["input"]) * 100) }),
    });
    render(App);
    await screen.findByTestId("balance");
    expect(screen.getByTestId("account-switcher")).toHaveValue(other.id);
    await expect.poll(listenedTo).toContain("open-buy");
    await emit("open-buy", { account_id: r.id });
    await expect.poll(() => (screen.getByTestId("account-switcher") as HTMLSelectElement).value).toBe(r.id);
    const amount = await screen.findByTestId("amount");
    await expect.poll(() => document.activeElement).toBe(amount);
  });
});
