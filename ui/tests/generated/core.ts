// Generated from topup-core by src-tauri/bindings.rs. Do not edit: run `make bindings`.
import type { Capabilities, Preset, PresetId, ProviderKind, WatchState } from "../../src/lib/bindings";

/** `presets::presets()`, as the UI receives it. */
export const PRESETS: Preset[] = [
  {
    "id": "clara",
    "name": "Clara",
    "summary": "Credits for Clara's AI agents, paid in US dollars.",
    "provider": "clara",
    "base_url": "https://backend.clara.crazi.co/api/v1",
    "currency": "USD",
    "sign_in": [
      "email_password",
      "api_key_token",
      "google"
    ],
    "address": "none",
    "runs_in_app": false,
    "capabilities": {
      "balance": true,
      "price": true,
      "portal": true,
      "history": true,
      "currency": "USD",
      "whole_units_only": true,
      "sign_in": [
        "email_password",
        "api_key_token",
        "google"
      ],
      "enrolment": true
    }
  },
  {
    "id": "dispersed",
    "name": "Dispersed",
    "summary": "Compute credits on Dispersed, paid in euros, with an API key pair.",
    "provider": "dispersed",
    "base_url": "https://api.dispersed.com",
    "currency": "EUR",
    "sign_in": [
      "key_pair"
    ],
    "address": "optional",
    "runs_in_app": false,
    "capabilities": {
      "balance": false,
      "price": false,
      "portal": false,
      "history": true,
      "currency": "EUR",
      "whole_units_only": false,
      "sign_in": [
        "key_pair"
      ],
      "enrolment": false
    }
  },
  {
    "id": "custom_clara",
    "name": "Clara-compatible server",
    "summary": "Any Flask Backend Boilerplate deployment, at an address you enter.",
    "provider": "clara",
    "base_url": null,
    "currency": "USD",
    "sign_in": [
      "email_password",
      "api_key_token",
      "google"
    ],
    "address": "required",
    "runs_in_app": false,
    "capabilities": {
      "balance": true,
      "price": true,
      "portal": true,
      "history": true,
      "currency": "USD",
      "whole_units_only": true,
      "sign_in": [
        "email_password",
        "api_key_token",
        "google"
      ],
      "enrolment": true
    }
  },
  {
    "id": "sandbox",
    "name": "Sandbox",
    "summary": "A built-in practice service: try the whole flow offline with test cards.",
    "provider": "clara",
    "base_url": null,
    "currency": "USD",
    "sign_in": [
      "email_password",
      "api_key_token"
    ],
    "address": "none",
    "runs_in_app": true,
    "capabilities": {
      "balance": true,
      "price": true,
      "portal": true,
      "history": true,
      "currency": "USD",
      "whole_units_only": true,
      "sign_in": [
        "email_password",
        "api_key_token",
        "google"
      ],
      "enrolment": true
    }
  }
];

/** Each provider's `Capabilities`. */
export const CAPABILITIES: Record<ProviderKind, Capabilities> = {
  "clara": {
    "balance": true,
    "currency": "USD",
    "enrolment": true,
    "history": true,
    "portal": true,
    "price": true,
    "sign_in": [
      "email_password",
      "api_key_token",
      "google"
    ],
    "whole_units_only": true
  },
  "dispersed": {
    "balance": false,
    "currency": "EUR",
    "enrolment": false,
    "history": true,
    "portal": false,
    "price": false,
    "sign_in": [
      "key_pair"
    ],
    "whole_units_only": false
  }
};

/** `service::service_name` of each preset. */
export const SERVICE_NAMES: Record<PresetId, string> = {
  "clara": "Clara",
  "custom_clara": "Clara",
  "dispersed": "Dispersed",
  "sandbox": "Sandbox"
};

/** `WatchState::is_final` of each state. */
export const FINISHED: Record<WatchState["state"], boolean> = {
  "cancelled": true,
  "expired": true,
  "failed": true,
  "gave_up": false,
  "landed": true,
  "needs_sign_in": false,
  "trouble": false,
  "waiting": false
};
