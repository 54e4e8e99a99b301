import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";

import type { AccountView, Theme } from "../src/lib/bindings";
import { toasts } from "../src/lib/toast.svelte";
import Settings from "../src/screens/Settings.svelte";
import { expectAccessible } from "./a11y";
import { APP_INFO, DESK, record, accountView, standing } from "./fixtures";
import { type Call, type Handlers, mockCommands } from "./ipc";

const CLARA: AccountView = accountView(record({ email: "demo@topup.test" }), true, true);
const DISPERSED: AccountView = accountView(record({ id: "acct_2", preset: "dispersed", provider: "dispersed", base_url: "https://api.dispersed.com", label: "Dispersed" }), false, false);

function mount(handlers: Handlers, theme: Theme = "system", accounts = [CLARA, DISPERSED]) {
  const calls: Call[] = [];
  mockCommands({ checkout_note: () => null, standings: () => [], desk_settings: () => DESK, ...handlers }, calls);
  const props = {
    accounts,
    theme,
    info: APP_INFO,
    onback: vi.fn(),
    onadd: vi.fn(),
    onuse: vi.fn(),
    onchanged: vi.fn(),
    onremoved: vi.fn(),
    onthemechanged: vi.fn(),
  };
  render(Settings, props);
  return { calls, props };
}

afterEach(() => {
  delete document.documentElement.dataset["theme"];
  toasts.splice(0);
});

describe("settings", () => {
  it("switches the theme at once and keeps it through Rust", async () => {
    const { calls, props } = mount({ set_theme: (args) => ({ theme: args["theme"] as Theme, check_for_updates: true, update_endpoint: null, refresh_minutes: 15, keep_in_tray: false, close_explained: false }) });
    expect(screen.getByRole("heading", { name: "Settings" })).toHaveFocus();
    expect(screen.getByRole("radio", { name: "System" })).toBeChecked();
    await fireEvent.click(screen.getByRole("radio", { name: "Dark" }));
    expect(document.documentElement.dataset["theme"]).toBe("dark");
    await expect.poll(() => props.onthemechanged.mock.calls[0]?.[0]).toBe("dark");
    expect(calls).toContainEqual(["set_theme", { theme: "dark" }]);
    expect(localStorage.getItem("topup.theme")).toBe("dark");
  });

  it("puts the theme back and says why when it cannot be saved", async () => {
    mount(
      {
        set_theme: () => {
          throw { code: "storage_failed", message: "Topup could not save its settings: disk full" };
        },
      },
      "light",
    );
    await fireEvent.click(screen.getByRole("radio", { name: "Dark" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("disk full");
    expect(document.documentElement.dataset["theme"]).toBe("light");
    expect(screen.getByRole("radio", { name: "Light" })).toBeChecked();
  });

  it("lists every account with where it signs in and whether it is signed in", async () => {
    const { props } = mount({});
    const rows = screen.getAllByTestId("settings-account");
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent("Clara");
    expect(rows[0]).toHaveTextContent("In use");
    expect(rows[0]).toHaveTextContent("Signed in");
    expect(rows[1]).toHaveTextContent("Signed out");
    expect(rows[1]).toHaveTextContent("https://api.dispersed.com");
    // Only an account not in use offers "Use", and only a signed-in one "Sign out".
    expect(within(rows[0]!).queryByTestId("settings-use")).toBeNull();
    expect(within(rows[1]!).queryByTestId("settings-sign-out")).toBeNull();
    await fireEvent.click(within(rows[1]!).getByTestId("settings-use"));
    expect(props.onuse).toHaveBeenCalledWith(DISPERSED.record);
    await fireEvent.click(screen.getByTestId("settings-add-account"));
    expect(props.onadd).toHaveBeenCalled();
    expect(screen.getByTestId("settings-version")).toHaveTextContent("Topup 9.8.7");
  });

  it("edits an account's provider settings and shows Rust's refusal beside the field", async () => {
    let refuse = true;
    let saved = false;
    const { calls, props } = mount({
      // Rust's word on the account's checkout pages, once the origins are saved.
      checkout_note: () => (saved ? "http://127.0.0.1:8787 will never be opened: pages on this computer open only for an account whose server is on this computer." : null),
      update_account_settings: (args) => {
        const settings = args["settings"] as { label: string; checkout_origins: string };
        if (refuse) {
          refuse = false;
          throw { code: "invalid_checkout_origin", message: "http://pay.example.com cannot be allowed for checkout pages" };
        }
        saved = true;
        return { ...CLARA.record, label: settings.label, checkout_origins: settings.checkout_origins.split("\n") };
      },
    });
    const row = screen.getAllByTestId("settings-account")[0]!;
    const edit = within(row).getByTestId("settings-edit");
    expect(edit).toHaveAttribute("aria-expanded", "false");
    await fireEvent.click(edit);
    expect(edit).toHaveAttribute("aria-expanded", "true");
    // Clara has a public API key and a Google client id; the address is read-only.
    expect(screen.getByLabelText("Public API key")).toBeInTheDocument();
    expect(screen.getByLabelText("Address")).toHaveAttribute("readonly");
    await fireEvent.input(screen.getByTestId("settings-label"), { target: { value: "Work" } });
    await fireEvent.input(screen.getByTestId("settings-origins"), { target: { value: "http://pay.example.com" } });
    await fireEvent.click(screen.getByTestId("settings-save"));
    expect(await screen.findByText(/cannot be allowed for checkout pages/)).toBeVisible();
    expect(screen.getByTestId("settings-origins")).toHaveAttribute("aria-invalid", "true");
    expect(props.onchanged).not.toHaveBeenCalled();

    await fireEvent.input(screen.getByTestId("settings-origins"), { target: { value: "https://pay.example.com\nhttps://other.example.com" } });
    await fireEvent.click(screen.getByTestId("settings-save"));
    await expect.poll(() => props.onchanged.mock.calls.length).toBe(1);
    expect(calls.filter(([c]) => c !== "checkout_note").at(-1)).toEqual([
      "update_account_settings",
      {
        accountId: "acct_1",
        settings: { label: "Work", public_api_key: "", google_client_id: "", checkout_origins: "https://pay.example.com\nhttps://other.example.com" },
      },
    ]);
    expect(toasts.map((t) => t.message)).toContain("Settings saved for Work");
    expect(screen.getByTestId("settings-origins")).toHaveAttribute("aria-invalid", "false");
    expect(await screen.findByTestId("checkout-note")).toHaveTextContent("http://127.0.0.1:8787 will never be opened");
  });

  it("offers no Clara-only settings for a Dispersed account", async () => {
    mount({});
    await fireEvent.click(within(screen.getAllByTestId("settings-account")[1]!).getByTestId("settings-edit"));
    expect(screen.getByTestId("account-settings-form")).toBeInTheDocument();
    expect(screen.queryByLabelText("Public API key")).toBeNull();
    expect(screen.queryByLabelText("Google client ID")).toBeNull();
  });

  it("removes an account only after the person confirms", async () => {
    const { calls, props } = mount({ remove_account: () => ({ revoked_on_server: true, message: "Signed out." }) });
    await fireEvent.click(screen.getAllByTestId("settings-remove")[1]!);
    const dialog = await screen.findByRole("dialog", { name: "Remove Dispersed?" });
    expect(screen.getByTestId("dialog-cancel")).toHaveFocus();
    await fireEvent.click(screen.getByTestId("dialog-cancel"));
    expect(dialog).not.toHaveAttribute("open");
    expect(calls.map(([c]) => c)).not.toContain("remove_account");

    await fireEvent.click(screen.getAllByTestId("settings-remove")[1]!);
    await fireEvent.click(screen.getByTestId("dialog-confirm"));
    await expect.poll(() => props.onremoved.mock.calls.length).toBe(1);
    expect(calls).toContainEqual(["remove_account", { accountId: "acct_2" }]);
    expect(props.onremoved.mock.calls[0]![0]).toBe("Dispersed was removed. Signed out.");
  });

  it("signs an account out from its row and says so", async () => {
    const { props } = mount({ sign_out: () => ({ revoked_on_server: true, message: "Signed out." }) });
    await fireEvent.click(screen.getByTestId("settings-sign-out"));
    await expect.poll(() => props.onchanged.mock.calls.length).toBe(1);
    expect(toasts.map((t) => t.message)).toContain("Clara: Signed out.");
  });

  it("shows a failed sign-out on the account's row", async () => {
    mount({
      sign_out: () => {
        throw { code: "keychain_locked", message: "The system keychain is locked. Unlock it and try again." };
      },
    });
    await fireEvent.click(screen.getByTestId("settings-sign-out"));
    const row = screen.getAllByTestId("settings-account")[0]!;
    expect(await within(row).findByRole("alert")).toHaveTextContent("Unlock it and try again");
  });

  it("is accessible, with an account's form open and with the remove dialog open", async () => {
    mount({});
    await fireEvent.click(screen.getAllByTestId("settings-edit")[0]!);
    await expectAccessible();
    await fireEvent.click(screen.getAllByTestId("settings-remove")[0]!);
    await screen.findByRole("dialog");
    await expectAccessible();
  });
});

describe("settings: alerts and background", () => {
  it("sets a low-balance alert from the suggested threshold, and turns it off again", async () => {
    const r = record({ id: "acct_1" });
    let threshold: string | null = null;
    const { calls } = mount({
      standings: () => [standing({ account_id: r.id, threshold, low: false, balance: "1500" })],
      set_alert: (args) => {
        threshold = String(args["threshold"]) || null;
        return standing({ account_id: r.id, threshold, low: false, balance: "1500" });
      },
    });
    const row = await screen.findByTestId("alert-row");
    expect(within(row).getByTestId("alert-help")).toHaveTextContent("At your pace of the last 7 days, about 9 days left. Suggested: 300 credits");
    await fireEvent.click(within(row).getByTestId("alert-suggested"));
    expect(within(row).getByTestId("alert-threshold")).toHaveValue("300");
    await fireEvent.click(within(row).getByTestId("alert-save"));
    await expect.poll(() => toasts.map((t) => t.message)).toContain("Alert set for Clara · ada@example.com: under 300 credits");
    expect(calls).toContainEqual(["set_alert", { accountId: r.id, threshold: "300" }]);
    await fireEvent.input(within(row).getByTestId("alert-threshold"), { target: { value: "" } });
    await fireEvent.click(within(row).getByTestId("alert-save"));
    await expect.poll(() => toasts.map((t) => t.message)).toContain("Alert off for Clara · ada@example.com");
  });

  it("shows Rust's refusal of a threshold beside it", async () => {
    mount({
      standings: () => [standing({ threshold: null, low: false })],
      set_alert: () => {
        throw { code: "invalid_setting", message: "“lots” is not a number of credits: type one such as 1000." };
      },
    });
    const row = await screen.findByTestId("alert-row");
    await fireEvent.input(within(row).getByTestId("alert-threshold"), { target: { value: "lots" } });
    await fireEvent.click(within(row).getByTestId("alert-save"));
    expect(await within(row).findByRole("alert")).toHaveTextContent("is not a number of credits");
  });

  it("says why a service without a balance has no alert", async () => {
    const text = "This service does not publish a balance, so Topup cannot forecast it or alert on it.";
    mount({ standings: () => [standing({ threshold: null, low: false, balance: null, forecast: { kind: "no_balance", days_left: null, per_day: null, window_days: null, text } })] });
    expect(await screen.findByTestId("alert-unavailable")).toHaveTextContent(text);
    expect(screen.queryByTestId("alert-row")).toBeNull();
  });

  it("changes the background refresh, closing to the tray and starting at login through Rust", async () => {
    const { calls } = mount({
      set_refresh_minutes: (args) => ({ ...DESK, refresh_minutes: Number(args["minutes"]) }),
      set_keep_in_tray: (args) => ({ ...DESK, keep_in_tray: Boolean(args["keep"]) }),
      set_start_at_login: (args) => ({ ...DESK, start_at_login: Boolean(args["on"]) }),
    });
    const gap = await screen.findByTestId("refresh-gap");
    expect(gap).toHaveValue("15");
    await fireEvent.change(gap, { target: { value: "60" } });
    await fireEvent.click(screen.getByTestId("keep-in-tray"));
    await fireEvent.click(screen.getByTestId("start-at-login"));
    await expect.poll(() => calls.map(([c]) => c)).toEqual(expect.arrayContaining(["set_refresh_minutes", "set_keep_in_tray", "set_start_at_login"]));
    expect(calls).toContainEqual(["set_refresh_minutes", { minutes: 60 }]);
    expect(calls).toContainEqual(["set_keep_in_tray", { keep: true }]);
    expect(calls).toContainEqual(["set_start_at_login", { on: true }]);
    await expect.poll(() => (screen.getByTestId("start-at-login") as HTMLInputElement).checked).toBe(true);
  });
});
