import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";

import type { AccountView, Theme } from "../src/lib/bindings";
import { toasts } from "../src/lib/toast.svelte";
import Settings from "../src/screens/Settings.svelte";
import { expectAccessible } from "./a11y";
import { APP_INFO, record, accountView } from "./fixtures";
import { type Call, type Handlers, mockCommands } from "./ipc";

const CLARA: AccountView = accountView(record({ email: "demo@topup.test" }), true, true);
const DISPERSED: AccountView = accountView(record({ id: "acct_2", preset: "dispersed", provider: "dispersed", base_url: "https://api.dispersed.com", label: "Dispersed" }), false, false);

function mount(handlers: Handlers, theme: Theme = "system", accounts = [CLARA, DISPERSED]) {
  const calls: Call[] = [];
  mockCommands({ checkout_note: () => null, ...handlers }, calls);
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
    const { calls, props } = mount({ set_theme: (args) => ({ theme: args["theme"] as Theme, check_for_updates: true, update_endpoint: null }) });
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
