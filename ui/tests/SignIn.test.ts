import { fireEvent, render, screen } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";

import SignIn from "../src/screens/SignIn.svelte";
import { ACCOUNT, record } from "./fixtures";
import { type Call, mockCommands } from "./ipc";
import { CAPABILITIES } from "./generated/core";

describe("sign in", () => {
  it("walks through the two-factor code step: the code is sent on arrival, a wrong one stays selected to retype", async () => {
    const calls: unknown[] = [];
    const sent: string[] = [];
    mockCommands({
      sign_in: (args) => {
        const input = (args as { input: { code: string | null } }).input;
        calls.push(input);
        if (input.code === null) return { state: "code_required", can_email_code: true };
        if (input.code === "123456") return { state: "signed_in", account: ACCOUNT };
        throw { code: "code_invalid", message: "That code is not right, or it was sent more than 10 minutes ago. Check the digits and try again." };
      },
      send_code: (args) => {
        sent.push((args as { email: string }).email);
        return null;
      },
    });
    const onsignedin = vi.fn();
    render(SignIn, { offers: CAPABILITIES.clara, account: record({ public_api_key: "pk" }), notice: "Signed out.", onsignedin });
    expect(screen.getByTestId("sign-in-notice")).toHaveTextContent("Signed out.");

    await fireEvent.input(screen.getByLabelText("Email"), { target: { value: "2fa@topup.test" } });
    await fireEvent.input(screen.getByLabelText("Password"), { target: { value: "pw" } });
    await fireEvent.click(screen.getByTestId("sign-in-submit"));
    expect(await screen.findByRole("heading", { name: "Enter your code" })).toBeVisible();
    expect(screen.queryByTestId("sign-in-notice")).toBeNull();

    // Sent on arrival, once, and said where; sending again waits out the cooldown.
    expect(await screen.findByText("We sent a six-digit code to 2fa@topup.test. It stays valid for 10 minutes.")).toBeVisible();
    expect(sent).toEqual(["2fa@topup.test"]);
    expect(screen.getByText(/Type the six-digit code we emailed to 2fa@topup.test/)).toBeVisible();
    expect(screen.getByTestId("email-code")).toBeDisabled();
    expect(screen.getByTestId("email-code")).toHaveTextContent(/Send again \(\d+ s\)/);

    const field = screen.getByRole("textbox", { name: "Six-digit code" });
    expect(field).toHaveFocus();
    // A wrong code, pasted with a space: refused, kept and selected.
    await fireEvent.paste(field, { clipboardData: { getData: () => "999 999" } });
    expect(await screen.findByTestId("sign-in-error")).toHaveTextContent("Check the digits and try again");
    await expect.poll(() => document.activeElement).toBe(field);
    expect(field).toHaveValue("999999");
    expect([(field as HTMLInputElement).selectionStart, (field as HTMLInputElement).selectionEnd]).toEqual([0, 6]);

    // The right one replaces it, whatever was around it.
    await fireEvent.paste(field, { clipboardData: { getData: () => "123-456" } });
    await expect.poll(() => onsignedin.mock.calls.length).toBe(1);
    expect(onsignedin).toHaveBeenCalledWith(ACCOUNT);
    expect(calls).toEqual([
      { kind: "email_password", email: "2fa@topup.test", password: "pw", code: null },
      { kind: "email_password", email: "2fa@topup.test", password: "pw", code: "999999" },
      { kind: "email_password", email: "2fa@topup.test", password: "pw", code: "123456" },
    ]);
  });

  it("says how to get a code where Topup cannot ask for one", async () => {
    mockCommands({
      sign_in: () => ({ state: "code_required", can_email_code: false }),
    });
    render(SignIn, { offers: CAPABILITIES.clara, account: record({ public_api_key: null, base_url: "https://clara.example.com/api/v1" }), onsignedin: vi.fn() });
    await fireEvent.input(screen.getByLabelText("Email"), { target: { value: "2fa@topup.test" } });
    await fireEvent.input(screen.getByLabelText("Password"), { target: { value: "pw" } });
    await fireEvent.click(screen.getByTestId("sign-in-submit"));
    expect(await screen.findByTestId("no-public-key")).toHaveTextContent(
      "Topup cannot ask clara.example.com to email a code: this account has no public API key.",
    );
    expect(screen.queryByTestId("email-code")).toBeNull();
    expect(screen.getByRole("textbox", { name: "Six-digit code" })).toHaveFocus();
  });

  it("shows why credentials were refused", async () => {
    mockCommands({
      sign_in: () => {
        throw { code: "invalid_credentials", message: "The email and password (or keys) were not accepted. Check them and try again." };
      },
    });
    render(SignIn, { offers: CAPABILITIES.clara, account: record(), onsignedin: vi.fn() });
    await fireEvent.input(screen.getByLabelText("Email"), { target: { value: "me@topup.test" } });
    await fireEvent.input(screen.getByLabelText("Password"), { target: { value: "wrong" } });
    await fireEvent.click(screen.getByTestId("sign-in-submit"));
    expect(await screen.findByRole("alert")).toHaveTextContent("were not accepted");
  });

  it("asks Dispersed for a key pair", async () => {
    let sent: unknown = null;
    mockCommands({
      sign_in: (args) => {
        sent = args["input"];
        return { state: "signed_in", account: { ...ACCOUNT, balance: null } };
      },
    });
    render(SignIn, { offers: CAPABILITIES.dispersed, account: record({ preset: "dispersed", provider: "dispersed", label: "Dispersed" }), onsignedin: vi.fn() });
    await fireEvent.input(screen.getByLabelText("Public key"), { target: { value: "pk_a" } });
    await fireEvent.input(screen.getByLabelText("Secret key"), { target: { value: "sk_b" } });
    await fireEvent.click(screen.getByTestId("sign-in-submit"));
    await expect.poll(() => sent).toEqual({ kind: "key_pair", public_key: "pk_a", secret_key: "sk_b" });
  });

  it("signs in with an API-key token", async () => {
    let sent: unknown = null;
    mockCommands({
      sign_in: (args) => {
        sent = args["input"];
        return { state: "signed_in", account: ACCOUNT };
      },
    });
    const onsignedin = vi.fn();
    render(SignIn, { offers: CAPABILITIES.clara, account: record(), onsignedin });
    await fireEvent.click(screen.getByTestId("tab-token"));
    await fireEvent.input(screen.getByLabelText("API-key token", { selector: "input" }), { target: { value: "clara_api_eyJ.x.y" } });
    await fireEvent.click(screen.getByTestId("sign-in-submit"));
    await expect.poll(() => onsignedin.mock.calls.length).toBe(1);
    expect(sent).toEqual({ kind: "api_key_token", token: "clara_api_eyJ.x.y" });
  });

  it("prefills the Sandbox's demo sign-in", () => {
    mockCommands({});
    render(SignIn, {
      offers: CAPABILITIES.clara,
      account: record({ preset: "sandbox", base_url: null, label: "Sandbox" }),
      sandbox: { email: "demo@topup.test", password: "topup-demo-password", two_factor_email: "2fa@topup.test", origin: "http://127.0.0.1:1" },
      onsignedin: vi.fn(),
    });
    expect(screen.getByLabelText("Email")).toHaveValue("demo@topup.test");
    expect(screen.getByLabelText("Password")).toHaveValue("topup-demo-password");
  });
    });

describe("create an account", () => {
  it("registers, then activates with the emailed code", async () => {
    const calls: Call[] = [];
    mockCommands(
      {
        register: (args) => {
          expect(args).toMatchObject({ firstName: "Ada", lastName: "Lovelace", email: "ada@topup.test", password: "analytical" });
          return { ...ACCOUNT, can_buy: false };
        },
        activate: (args) => {
          if (args["code"] !== "654321") throw { code: "code_invalid", message: "That code is not right, or it was sent more than 10 minutes ago. Check the digits and try again." };
          return ACCOUNT;
        },
      },
      calls,
    );
    const onsignedin = vi.fn();
    render(SignIn, { offers: CAPABILITIES.clara, account: record({ public_api_key: "pk" }), onsignedin });

    await fireEvent.click(screen.getByTestId("to-register"));
    await fireEvent.input(screen.getByLabelText("First name"), { target: { value: "Ada" } });
    await fireEvent.input(screen.getByLabelText("Last name"), { target: { value: "Lovelace" } });
    await fireEvent.input(screen.getByLabelText("Email"), { target: { value: "ada@topup.test" } });
    await fireEvent.input(screen.getByLabelText(/^Password/), { target: { value: "analytical" } });
    await fireEvent.click(screen.getByTestId("register-submit"));
    expect(await screen.findByRole("heading", { name: "Activate your account" })).toBeVisible();

    await fireEvent.paste(screen.getByTestId("code-input"), { clipboardData: { getData: () => "111111" } });
    expect(await screen.findByTestId("sign-in-error")).toHaveTextContent("That code is not right");
    await fireEvent.paste(screen.getByTestId("code-input"), { clipboardData: { getData: () => "654321" } });
    await expect.poll(() => onsignedin.mock.calls.length).toBe(1);
    expect(calls.map(([command]) => command)).toEqual(["register", "activate", "activate"]);
  });

  it("is offered only where the service's public key is known", () => {
    mockCommands({});
    render(SignIn, { offers: CAPABILITIES.clara, account: record({ public_api_key: null }), onsignedin: vi.fn() });
    expect(screen.queryByTestId("to-register")).not.toBeInTheDocument();
  });
});

describe("Google sign-in", () => {
  it("waits for the browser and can be cancelled", async () => {
    let finish: (v: unknown) => void = () => {};
    const cancelled = vi.fn();
    mockCommands({
      google_sign_in: () => new Promise((_, reject) => (finish = reject)),
      google_cancel: () => {
        cancelled();
        finish({ code: "cancelled", message: "Google sign-in was cancelled." });
      },
    });
    render(SignIn, { offers: CAPABILITIES.clara, account: record({ google_client_id: "client" }), onsignedin: vi.fn() });
    await fireEvent.click(screen.getByTestId("google-sign-in"));
    expect(await screen.findByTestId("google-waiting")).toHaveTextContent("in your browser");
    await fireEvent.click(screen.getByTestId("google-cancel"));
    expect(await screen.findByTestId("google-sign-in")).toBeVisible();
    expect(cancelled).toHaveBeenCalledOnce();
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("is offered only with a Google client id", () => {
    mockCommands({});
    render(SignIn, { offers: CAPABILITIES.clara, account: record({ google_client_id: null }), onsignedin: vi.fn() });
    expect(screen.queryByTestId("google-sign-in")).not.toBeInTheDocument();
  });

  it("moves between the sign-in methods with the arrow keys, as tabs do", async () => {
    mockCommands({});
    render(SignIn, { offers: CAPABILITIES.clara, account: record(), onsignedin: vi.fn() });
    const password = screen.getByRole("tab", { name: "Email and password" });
    const token = screen.getByRole("tab", { name: "API-key token" });
    expect(password).toHaveAttribute("tabindex", "0");
    expect(token).toHaveAttribute("tabindex", "-1");
    password.focus();
    await fireEvent.keyDown(password, { key: "ArrowRight" });
    expect(token).toHaveAttribute("aria-selected", "true");
    expect(token).toHaveFocus();
    expect(screen.getByRole("tabpanel", { name: "API-key token" })).toContainElement(screen.getByLabelText("API-key token", { selector: "input" }));
    await fireEvent.keyDown(token, { key: "Home" });
    expect(password).toHaveFocus();
    expect(screen.getByLabelText("Email")).toBeInTheDocument();
  });
});
