//! Steps many journeys take the same way, written once: choosing a service on
//! the "Where do you buy credits?" screen and signing in with the Sandbox's
//! demo credentials.

use topup_sandbox::{demo, Urls};

use super::page::App;
use super::wait::Result;

/// A service on the first-run screen, as the person fills it in.
pub struct Service<'a> {
    pub kind: Kind,
    /// Typed as the custom address.
    pub address: &'a str,
    /// Typed into the account's settings where given.
    pub public_key: Option<&'a str>,
    pub checkout_origin: Option<&'a str>,
}

#[derive(Clone, Copy)]
pub enum Kind {
    CustomClara,
    Dispersed,
}

impl Kind {
    fn preset(self) -> &'static str {
        match self {
            Self::CustomClara => "[data-testid='preset-custom_clara']",
            Self::Dispersed => "[data-testid='preset-dispersed']",
        }
    }

    /// A preset with an address of its own folds the custom one away.
    fn address_folded(self) -> bool {
        matches!(self, Self::Dispersed)
    }
}

impl App {
    /// Picks `service`, types its address (waiting until the app says where
    /// it will connect) and settings, and continues to its sign-in form.
    pub async fn choose_service(&self, service: Service<'_>) -> Result {
        self.click(service.kind.preset()).await?;
        if service.kind.address_folded() {
            self.click("details.custom summary").await?;
        }
        self.type_into("#custom-base-url", service.address).await?;
        self.wait_for_text("[data-testid='base-url-status']", "Topup will connect to")
            .await?;
        if let Some(key) = service.public_key {
            self.type_into("#public-key-setting", key).await?;
        }
        if let Some(origin) = service.checkout_origin {
            self.type_into("#checkout-origins-setting", origin).await?;
        }
        self.click("[data-testid='continue']").await
    }

    /// Signs in to Dispersed with the demo public key and `secret_key`.
    pub async fn sign_in_to_dispersed(&self, secret_key: &str) -> Result {
        self.type_into("#public-key", demo::DISPERSED_PUBLIC_KEY)
            .await?;
        self.type_into("#secret-key", secret_key).await?;
        self.click("[data-testid='sign-in-submit']").await
    }

    /// Adds the Sandbox's Clara as a custom server (its checkout pages
    /// allowed) and signs in as the demo user: the home screen shows 1,000
    /// credits.
    pub async fn add_sandbox_clara_and_sign_in(&self, urls: &Urls) -> Result {
        self.choose_service(Service {
            kind: Kind::CustomClara,
            address: &urls.clara,
            public_key: None,
            checkout_origin: Some(&urls.base),
        })
        .await?;
        self.type_into("#email", demo::USER_EMAIL).await?;
        self.type_into("#password", demo::PASSWORD).await?;
        self.click("[data-testid='sign-in-submit']").await?;
        self.wait_for_attr("[data-testid='balance']", "data-value", "1000")
            .await
    }

    /// Adds the Sandbox's Dispersed (its checkout pages allowed) and signs in
    /// with the demo keys.
    pub async fn add_sandbox_dispersed_and_sign_in(&self, urls: &Urls) -> Result {
        self.choose_service(Service {
            kind: Kind::Dispersed,
            address: &urls.dispersed,
            public_key: None,
            checkout_origin: Some(&urls.base),
        })
        .await?;
        self.sign_in_to_dispersed(demo::DISPERSED_SECRET_KEY).await
    }
}
