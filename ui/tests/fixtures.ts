import type { Account, AccountRecord, AccountView, AppInfo, DeskSettings, PendingPurchase, Pricing, PurchaseProgress, Standing, Startup, WatchState } from "../src/lib/bindings";
import { CAPABILITIES, FINISHED, SERVICE_NAMES } from "./generated/core";
import type { Handlers } from "./ipc";

export { PRESETS } from "./generated/core";

export const APP_INFO: AppInfo = { name: "Topup", version: "9.8.7", identifier: "app.topup.Topup" };

export function record(overrides: Partial<AccountRecord> = {}): AccountRecord {
  return {
    id: "acct_1",
    preset: "clara",
    provider: "clara",
    base_url: "https://backend.clara.crazi.co/api/v1",
    label: "Clara",
    named: false,
    email: null,
    user_id: null,
    public_api_key: null,
    google_client_id: null,
    checkout_origins: [],
    created_at: 1,
    last_used_at: 1,
    ...overrides,
  };
}

export const ACCOUNT: Account = {
  id: "user_1",
  email: "demo@topup.test",
  display_name: "Demo User",
  balance: "1000",
  can_buy: true,
};

/** An account as `list_accounts` shows it, with what core says of its service. */
export function accountView(r: AccountRecord, signed_in: boolean, active: boolean): AccountView {
  return { record: r, signed_in, active, capabilities: CAPABILITIES[r.provider], service: SERVICE_NAMES[r.preset] };
}

export function startup(overrides: Partial<Startup> = {}): Startup {
  return { accounts: [], active: null, open_first: null, persists: true, keychain_warning: null, registry_warning: null, sandbox: null, known_balance: null, locale: null, preferences: { theme: "system", check_for_updates: true, update_endpoint: null, refresh_minutes: 15, keep_in_tray: false, close_explained: false }, ...overrides };
}

/** Clara's pricing as the `pricing` command returns it. */
export const PRICING: Pricing = {
  capabilities: CAPABILITIES.clara,
  prices: { currency: "USD", tiers: [{ min: { currency: "USD", minor: 500 }, max: { currency: "USD", minor: 1000000 }, credits_per_unit: "100" }] },
  presets: [500, 1000, 2500, 5000].map((minor) => ({ currency: "USD", minor })),
  min: { currency: "USD", minor: 500 },
  max: { currency: "USD", minor: 1000000 },
};

/** A pending Clara purchase as Rust keeps it. */
export const PENDING: PendingPurchase = {
  account_id: "acct_1",
  reference: { provider: "clara", balance_before: "1000", newest_transaction_id: "tx_9", newest_transaction_at: 1, expected_credits: "500" },
  checkout_url: "https://checkout.stripe.com/c/pay/cs_test_1",
  amount: { currency: "USD", minor: 500 },
  expected_credits: "500",
  started_at: Math.floor(Date.now() / 1000),
  expires_at: null,
};

export function progress(state: WatchState, overrides: Partial<PurchaseProgress> = {}): PurchaseProgress {
  return {
    account_id: "acct_1",
    purchase: PENDING,
    progress: {
      state,
      elapsed_secs: 12,
      attempts: 3,
      next_check_secs: 4,
      last_error: null,
      finished: FINISHED[state.state],
      check_now_gap_secs: 2,
    },
    receipt: null,
    ...overrides,
  };
}

/**
 * What the shell asks in the background, whatever the screen: the update
 * status, which balance it painted, that its first screen is on, a purchase
 * in flight (none). Spread it first into a test's handlers; the test's own win.
 */
export const BACKGROUND: Handlers = {
  update_status: () => ({ state: "idle" }),
  balance_shown: () => undefined,
  first_screen_ready: () => undefined,
  purchase_state: () => null,
  standings: () => [],
  desk_settings: () => DESK,
};

export const DESK: DeskSettings = { refresh_minutes: 15, keep_in_tray: false, start_at_login: false };

/** An account's standing as Rust reports it; low and with a forecast by default. */
export function standing(overrides: Partial<Standing> = {}): Standing {
  return {
    account_id: "acct_1",
    label: "Clara · ada@example.com",
    signed_in: true,
    balance: "900",
    checked_at: 1_800_000_000,
    threshold: "1000",
    low: true,
    forecast: { kind: "days_left", days_left: 9, per_day: "100", window_days: 7, text: "At your pace of the last 7 days, about 9 days left." },
    suggested_threshold: "300",
    last_purchase: null,
    last_amount: "25",
    line: "Clara · ada@example.com — 900 credits (low)",
    ...overrides,
  };
}
