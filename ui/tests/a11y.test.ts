// Every screen in each of its states, checked with axe-core (structure, names,
// roles, labels; contrast is checked in the real window by the e2e tour).
import { emit } from "@tauri-apps/api/event";
import { fireEvent, render, screen } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";

import type { WatchState } from "../src/lib/bindings";
import App from "../src/App.svelte";
import FirstRun from "../src/screens/FirstRun.svelte";
import History from "../src/screens/History.svelte";
import Home from "../src/screens/Home.svelte";
import Purchase from "../src/screens/Purchase.svelte";
import SignIn from "../src/screens/SignIn.svelte";
import { expectAccessible } from "./a11y";
import { ACCOUNT, BACKGROUND, APP_INFO, PENDING, PRESETS, PRICING, progress, record, startup, accountView } from "./fixtures";
import { mockCommands } from "./ipc";
import { CAPABILITIES } from "./generated/core";

const fail = (message: string) => (): never => {
  throw { code: "network_unreachable", message };
};

describe("accessibility of every screen state", () => {
  it("app: start-up failure", async () => {
    mockCommands({
      ...BACKGROUND,
      app_info: () => APP_INFO,
      startup: () => {
        throw { code: "storage_failed", message: "Topup could not save its settings: read-only disk" };
      },
    });
    render(App);
    await screen.findByTestId("start-failed");
    await expectAccessible();
  });

  it("first run: loaded, custom address refused and accepted, and load error", async () => {
    mockCommands({
      provider_presets: () => PRESETS,
      check_base_url: (args) => {
        const input = (args as { input: string }).input;
        if (input.startsWith("https://")) return input;
        throw { code: "invalid_base_url", message: "Plain http:// is only allowed for this computer." };
      },
    });
    render(FirstRun, { sandboxAvailable: true });
    await fireEvent.click(await screen.findByTestId("preset-custom_clara"));
    const address = screen.getByLabelText("Server address");
    await fireEvent.input(address, { target: { value: "http://backend.example.com/api/v1" } });
    expect(await screen.findByText("Plain http:// is only allowed for this computer.")).toBeVisible();
    expect(address).toHaveAttribute("aria-invalid", "true");
    await expectAccessible();
    await fireEvent.input(address, { target: { value: "https://backend.example.com/api/v1" } });
    expect(await screen.findByText("Topup will connect to https://backend.example.com/api/v1")).toBeVisible();
    expect(address).toHaveAttribute("aria-invalid", "false");
    await expectAccessible();
    document.body.innerHTML = "";
    mockCommands({ provider_presets: fail("Topup cannot reach the service.") });
    render(FirstRun);
    await screen.findByTestId("presets-error");
    await expectAccessible();
    document.body.innerHTML = "";
    mockCommands({ provider_presets: () => PRESETS });
    render(FirstRun, { known: [record({ email: "demo@topup.test" }), record({ id: "acc-2", label: "Sandbox", base_url: null })] });
    await screen.findByRole("heading", { name: "Welcome back" });
    await screen.findByTestId("preset-clara");
    await expectAccessible();
  });

  it("sign in: password, token, key pair, code step and an error", async () => {
    mockCommands({
      sign_in: () => ({ state: "code_required", can_email_code: true }),
      send_code: () => null,
    });
    const { unmount } = render(SignIn, { offers: CAPABILITIES.clara, account: record({ public_api_key: "pk", google_client_id: "g" }), onsignedin: vi.fn() });
    await expectAccessible();
    await fireEvent.click(screen.getByTestId("tab-token"));
    await expectAccessible();
    await fireEvent.click(screen.getByRole("tab", { name: "Email and password" }));
    await fireEvent.input(screen.getByLabelText("Email"), { target: { value: "2fa@topup.test" } });
    await fireEvent.input(screen.getByLabelText("Password"), { target: { value: "pw" } });
    await fireEvent.click(screen.getByTestId("sign-in-submit"));
    await screen.findByRole("heading", { name: "Enter your code" });
    await expectAccessible();
    unmount();

    mockCommands({
      sign_in: () => {
        throw { code: "invalid_credentials", message: "The email and password (or keys) were not accepted." };
      },
    });
    render(SignIn, { offers: CAPABILITIES.dispersed, account: record({ id: "acct_d", preset: "dispersed", provider: "dispersed", label: "Dispersed" }), onsignedin: vi.fn(), notice: "Your session has ended." });
    await fireEvent.input(screen.getByLabelText("Public key"), { target: { value: "pk_1" } });
    await fireEvent.input(screen.getByLabelText("Secret key"), { target: { value: "sk_1" } });
    await fireEvent.click(screen.getByTestId("sign-in-submit"));
    await screen.findByTestId("sign-in-error");
    await expectAccessible();
  });

  it("home: loaded with a purchase pending, and with errors", async () => {
    mockCommands({
      ...BACKGROUND,
      pricing: () => PRICING,
      purchase_state: () => ({ purchase: PENDING, last: null }),
    });
    const props = { account: ACCOUNT, onsessionended: vi.fn(), onsignedout: vi.fn(), onpurchase: vi.fn(), onhistory: vi.fn() };
    const { unmount } = render(Home, { ...props, record: record({ id: "acct_h1" }) });
    await screen.findByTestId("pending-banner");
    await screen.findByTestId("amount");
    await expectAccessible();
    unmount();

    const offline = fail("Topup cannot reach the service. Check your internet connection.");
    mockCommands({ ...BACKGROUND, account_summary: offline, pricing: offline, purchase_state: offline });
    render(Home, { ...props, account: null, record: record({ id: "acct_h2" }) });
    await screen.findByTestId("home-error");
    await screen.findByTestId("pricing-error");
    await expectAccessible();
  });

  const states: WatchState[] = [
    { state: "waiting" },
    { state: "trouble", code: "network_unreachable", message: "The service is busy." },
    { state: "landed", status: { state: "landed", credits: "500", balance: "1500", receipt: null } },
    { state: "expired" },
    { state: "cancelled" },
    { state: "failed", code: "permission_denied", message: "The service refused the request." },
    { state: "needs_sign_in", code: "session_expired", message: "Your session has ended." },
    { state: "gave_up" },
  ];
  for (const ws of states) {
    it(`purchase: ${ws.state}`, async () => {
      mockCommands({ purchase_state: () => ({ purchase: PENDING, last: null }), balance_shown: () => undefined });
      render(Purchase, { record: record(), view: { purchase: PENDING, last: null }, ondone: vi.fn(), onsignin: vi.fn(), onhistory: vi.fn() });
      await screen.findByRole("heading", { name: "Waiting for your payment" });
      const receipt = ws.state === "landed" ? { credits: "500", balance: "1500", amount: PENDING.amount, at: 1_795_000_000, line: null } : null;
      await emit("purchase-progress", progress(ws, { receipt }));
      await screen.findByTestId("purchase");
      await expectAccessible();
    });
  }

  it("history: entries, empty and error", async () => {
    mockCommands({
      capabilities: () => PRICING.capabilities,
      history: () => ({
          entries: [{ id: "tx_1", at: 1_795_000_000, description: "Bought credits", credits: "500", amount: { currency: "USD", minor: 500 }, incoming: true, status: "completed" }],
          page: 1,
          has_more: true,
          total: 41,
          pages: 3,
        }),
    });
    let view = render(History, { record: record(), onback: vi.fn(), onsessionended: vi.fn() });
    await screen.findByTestId("history-entry");
    await expectAccessible();
    view.unmount();

    mockCommands({ capabilities: () => PRICING.capabilities, history: () => ({ entries: [], page: 1, has_more: false, total: 0, pages: 1 }) });
    view = render(History, { record: record(), onback: vi.fn(), onsessionended: vi.fn() });
    await screen.findByTestId("history-empty");
    await expectAccessible();
    view.unmount();

    mockCommands({ capabilities: fail("Topup cannot reach the service."), history: fail("Topup cannot reach the service.") });
    render(History, { record: record(), onback: vi.fn(), onsessionended: vi.fn() });
    await screen.findByTestId("history-error");
    await expectAccessible();
  });

  it("the whole shell, signed in, with settings open", async () => {
    const r = record({ email: ACCOUNT.email });
    mockCommands({
      ...BACKGROUND,
      app_info: () => APP_INFO,
      startup: () => startup({ accounts: [accountView(r, true, true)], active: r.id, open_first: r.id, keychain_warning: "No keychain." }),
      restore_account: () => ({ state: "signed_in", account: ACCOUNT }),
      list_accounts: () => [accountView(r, true, true)],
      pricing: () => PRICING,
    });
    render(App);
    await screen.findByTestId("balance");
    await expectAccessible();
    await fireEvent.click(screen.getByTestId("open-settings"));
    await screen.findByTestId("settings");
    await expectAccessible();
  });
});
