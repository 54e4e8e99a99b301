//! The two-factor step as a person at the keyboard meets it, on the Sandbox's
//! two-factor account behind a custom Clara address: the code is asked for on
//! arrival (once) and the field has the focus; a wrong code is refused and
//! stays selected; the right one typed over it signs in.

use topup_sandbox::{demo, Config, Sandbox};

use crate::harness::{poll_json, wait_until, Kind, Profile, Result, Service};

const TAB: &str = "\u{e004}";
const ENTER: &str = "\u{e007}";

#[tokio::test]
#[ignore = "needs a display, D-Bus and tauri-driver: run `make e2e`"]
async fn a_wrong_code_then_the_right_one_typed_over_it_with_the_keyboard_only() -> Result {
    let sandbox = Sandbox::start(Config::default()).await?;
    let clara = sandbox.urls().clara.clone();
    let admin = sandbox.urls().admin.clone();
    let profile = Profile::new()?;

    profile
        .launch("two_factor_keyboard", &[], async |app| {
            app.choose_service(Service {
                kind: Kind::CustomClara,
                address: &clara,
                public_key: Some(demo::CLARA_PUBLIC_KEY),
                checkout_origin: None,
            })
            .await?;
            app.wait_for_text("#sign-in-title", "Sign in to").await?;

            // From here on, the keyboard only: Tab to the email, type, Tab,
            // the password, Enter.
            wait_until("Tab reaches the email field", async || {
                if app.focused().await? == "email" {
                    return Ok(true);
                }
                app.press(TAB).await?;
                Ok(false)
            })
            .await?;
            app.press(demo::TWO_FA_EMAIL).await?;
            app.press(TAB).await?;
            assert_eq!(app.focused().await?, "password");
            app.press(&format!("{}{ENTER}", demo::PASSWORD)).await?;

            // The code step: the code is on its way, the field has the focus.
            app.wait_for_text("#sign-in-title", "Enter your code")
                .await?;
            app.wait_for_text(
                "form",
                &format!("We sent a six-digit code to {}.", demo::TWO_FA_EMAIL),
            )
            .await?;
            wait_until("the code field has the focus", async || {
                Ok(app.focused().await? == "code-input")
            })
            .await?;
            let code = poll_json(&format!(
                "{admin}/otp?email={}&type=TWO_FACTOR_AUTH",
                demo::TWO_FA_EMAIL
            ))
            .await?;
            let code = code["code"].as_str().ok_or("no code")?.to_owned();
            let wrong = if code == "000000" { "111111" } else { "000000" };

            // A wrong code: refused, kept, selected, the focus still there.
            app.press(wrong).await?;
            app.wait_for_text(
                "[data-testid='sign-in-error']",
                "Check the digits and try again",
            )
            .await?;
            wait_until(
                "the wrong code is selected in the focused field",
                async || {
                    let field = app
                        .eval(
                            "const e = document.activeElement; \
                         return [e.dataset.testid, e.value, e.selectionStart, e.selectionEnd];",
                        )
                        .await?;
                    Ok(field == serde_json::json!(["code-input", wrong, 0, 6]))
                },
            )
            .await?;

            // The right one, typed over it.
            app.press(&code).await?;
            app.wait_for_attr("[data-testid='balance']", "data-value", "1000")
                .await?;

            let asked = poll_json(&format!("{admin}/requests?path=/api/v1/users/*/otp/*")).await?;
            assert_eq!(
                asked.as_array().map(Vec::len),
                Some(1),
                "one code asked for: {asked}"
            );
            let tries = poll_json(&format!(
                "{admin}/requests?path=/api/v1/auth/session&method=POST"
            ))
            .await?;
            assert_eq!(
                tries.as_array().map(Vec::len),
                Some(3),
                "password, the wrong code, the right one: {tries}"
            );
            Ok(())
        })
        .await?;
    sandbox.shutdown().await;
    Ok(())
}
