//! The hosted pages a browser sees: Checkout (`/stripe/c/pay/{id}`) and the
//! billing portal (`/stripe/p/session/{id}`). Plain HTML forms, no scripts,
//! so any browser — or an HTTP form post in a test — can pay.

use axum::extract::{Form, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use super::{delivery, App, Payment, Session, Status};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/c/pay/{id}", get(checkout_page).post(submit_payment))
        .route("/p/session/{id}", get(portal_page))
}

#[derive(Debug, Deserialize)]
pub struct PaymentForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub card_number: String,
    #[serde(default)]
    pub expiry: String,
    #[serde(default)]
    pub cvc: String,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// `12.34` style major units for a minor-unit amount.
pub fn money(minor: i64, currency: &str) -> String {
    let symbol = match currency {
        "usd" => "$",
        "eur" => "€",
        "gbp" => "£",
        _ => "",
    };
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    let text = format!("{sign}{symbol}{}.{:02}", abs / 100, abs % 100);
    if symbol.is_empty() {
        format!("{text} {}", currency.to_uppercase())
    } else {
        text
    }
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;background:#f6f9fc;color:#1a1f36;margin:0}\
main{max-width:28rem;margin:3rem auto;background:#fff;border-radius:12px;box-shadow:0 4px 24px #0001;padding:2rem}\
h1{font-size:1.1rem;margin:0 0 .25rem}.amount{font-size:2rem;font-weight:700;margin:.25rem 0 1rem}\
label{display:block;font-size:.85rem;margin:.75rem 0 .25rem;color:#425466}\
input{width:100%;box-sizing:border-box;padding:.6rem;border:1px solid #d5dbe1;border-radius:6px;font-size:1rem}\
.row{display:flex;gap:.75rem}.row>div{flex:1}button{margin-top:1.25rem;width:100%;padding:.8rem;border:0;border-radius:6px;background:#635bff;color:#fff;font-size:1rem;font-weight:600;cursor:pointer}\
.error{background:#fdecea;color:#b3261e;padding:.6rem;border-radius:6px;margin-top:1rem}.muted{color:#697386;font-size:.85rem}\
.line{display:flex;justify-content:space-between;border-bottom:1px solid #eef1f5;padding:.5rem 0}a{color:#635bff}\
.badge{display:inline-block;background:#ffde92;color:#6b4a00;border-radius:4px;padding:0 .4rem;font-size:.75rem;font-weight:600}";

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
<title>{}</title><style>{STYLE}</style></head><body><main>{body}</main></body></html>",
        escape(title)
    ))
}

fn checkout_html(
    session: &Session,
    merchant: &str,
    email: &str,
    error: Option<&str>,
) -> Html<String> {
    let total = money(session.amount_total(), &session.currency);
    let lines: String = session
        .line_items
        .iter()
        .map(|l| {
            format!(
                "<div class=\"line\"><span>{} × {}</span><span>{}</span></div>",
                escape(&l.name),
                l.quantity,
                money(l.unit_amount * l.quantity, &session.currency)
            )
        })
        .collect();
    let back = session
        .cancel_url
        .as_deref()
        .map(|u| {
            format!(
                "<p><a id=\"back\" href=\"{}\">← Back to {}</a></p>",
                escape(u),
                escape(merchant)
            )
        })
        .unwrap_or_default();
    let error = error
        .map(|e| {
            format!(
                "<div class=\"error\" id=\"card-error\" role=\"alert\">{}</div>",
                escape(e)
            )
        })
        .unwrap_or_default();
    page(
        &format!("Pay {merchant}"),
        &format!(
            "{back}<span class=\"badge\">TEST MODE</span><h1 id=\"merchant\">Pay {merchant}</h1>\
<div class=\"amount\" id=\"amount\">{total}</div>{lines}\
<form method=\"post\" action=\"/stripe/c/pay/{id}\">\
<label for=\"email\">Email</label><input id=\"email\" name=\"email\" type=\"email\" value=\"{email}\" autocomplete=\"email\">\
<label for=\"card_number\">Card number</label><input id=\"card_number\" name=\"card_number\" inputmode=\"numeric\" placeholder=\"1234 1234 1234 1234\" autocomplete=\"cc-number\">\
<div class=\"row\"><div><label for=\"expiry\">Expiry</label><input id=\"expiry\" name=\"expiry\" placeholder=\"MM / YY\" autocomplete=\"cc-exp\"></div>\
<div><label for=\"cvc\">CVC</label><input id=\"cvc\" name=\"cvc\" placeholder=\"CVC\" autocomplete=\"cc-csc\"></div></div>\
<label for=\"name\">Name on card</label><input id=\"name\" name=\"name\" autocomplete=\"cc-name\">\
{error}<button id=\"pay\" type=\"submit\">Pay {total}</button></form>\
<p class=\"muted\">Sandbox checkout. Test cards: 4242 4242 4242 4242 pays; 4000 0000 0000 0002 is declined; 4000 0000 0000 9995 has insufficient funds.</p>",
            merchant = escape(merchant),
            id = escape(&session.id),
            email = escape(email),
        ),
    )
}

fn merchant(session: &Session) -> &'static str {
    if session.currency == "eur" {
        "Dispersed"
    } else {
        "Clara"
    }
}

fn closed_page(session: &Session) -> Response {
    let (title, text) = match session.status {
        Status::Complete => (
            "Payment complete",
            "This checkout has already been paid. You can close this tab.",
        ),
        _ => (
            "Checkout expired",
            "This checkout session has expired. Start a new purchase from the app.",
        ),
    };
    let mut r = page(
        title,
        &format!("<h1 id=\"status\">{title}</h1><p>{text}</p>"),
    )
    .into_response();
    if session.status == Status::Expired {
        *r.status_mut() = StatusCode::GONE;
    }
    r
}

async fn checkout_page(State(app): State<App>, Path(id): Path<String>) -> Response {
    let world = app.world();
    let Some(session) = world.stripe.sessions.get(&id) else {
        return (
            StatusCode::NOT_FOUND,
            page(
                "Not found",
                "<h1>Something went wrong</h1><p>This checkout link is not valid.</p>",
            ),
        )
            .into_response();
    };
    let expired_by_time =
        session.status == Status::Open && world.clock.unix() >= session.expires_at;
    if session.status != Status::Open || expired_by_time {
        let mut s = session.clone();
        if expired_by_time {
            s.status = Status::Expired;
        }
        return closed_page(&s);
    }
    let email = session
        .customer
        .as_ref()
        .and_then(|c| world.stripe.customers.get(c))
        .and_then(|c| c.email.clone())
        .or_else(|| session.customer_email.clone())
        .unwrap_or_default();
    checkout_html(session, merchant(session), &email, None).into_response()
}

fn valid_expiry(expiry: &str, now_year: i32, now_month: u8) -> bool {
    let digits: String = expiry.chars().filter(char::is_ascii_digit).collect();
    if digits.len() != 4 {
        return false;
    }
    let (Ok(mm), Ok(yy)) = (digits[..2].parse::<u8>(), digits[2..].parse::<i32>()) else {
        return false;
    };
    let year = 2000 + yy;
    (1..=12).contains(&mm) && (year > now_year || (year == now_year && mm >= now_month))
}

async fn submit_payment(
    State(app): State<App>,
    Path(id): Path<String>,
    Form(form): Form<PaymentForm>,
) -> Response {
    let outcome = {
        let mut world = app.world();
        // Due expiries first, so an expired session can never be paid.
        let events = super::expire_due(&app, &mut world);
        let Some(session) = world.stripe.sessions.get(&id).cloned() else {
            return (
                StatusCode::NOT_FOUND,
                page("Not found", "<h1>This checkout link is not valid.</h1>"),
            )
                .into_response();
        };
        let now = time::OffsetDateTime::from_unix_timestamp(world.clock.unix())
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
        let form_error = if !valid_expiry(&form.expiry, now.year(), u8::from(now.month())) {
            Some("Your card's expiration date is incomplete or in the past.")
        } else if !(3..=4).contains(&form.cvc.trim().len())
            || !form.cvc.trim().chars().all(|c| c.is_ascii_digit())
        {
            Some("Your card's security code is incomplete.")
        } else {
            None
        };
        let result = match form_error {
            Some(e) if session.status == Status::Open => Ok(Payment::Declined(e.to_owned())),
            _ => super::pay(
                &app,
                &mut world,
                &id,
                &form.card_number,
                Some(form.email.trim()),
            ),
        };
        (events, result, session)
    };
    let (events, result, session) = outcome;
    for e in events {
        delivery::deliver(&app, e);
    }
    match result {
        Ok(Payment::Paid { event }) => {
            delivery::deliver(&app, event);
            match &session.success_url {
                Some(url) => {
                    Redirect::to(&url.replace("{CHECKOUT_SESSION_ID}", &session.id)).into_response()
                }
                None => page(
                    "Payment complete",
                    "<h1 id=\"status\">Payment complete</h1><p>Thanks! You can close this tab.</p>",
                )
                .into_response(),
            }
        }
        Ok(Payment::Declined(reason)) => (
            StatusCode::PAYMENT_REQUIRED,
            checkout_html(&session, merchant(&session), &form.email, Some(&reason)),
        )
            .into_response(),
        Ok(Payment::NotOpen(status)) => {
            let mut s = session;
            s.status = status;
            closed_page(&s)
        }
        Err(message) => (
            StatusCode::NOT_FOUND,
            page("Not found", &format!("<h1>{}</h1>", escape(&message))),
        )
            .into_response(),
    }
}

async fn portal_page(State(app): State<App>, Path(id): Path<String>) -> Response {
    let world = app.world();
    let Some(portal) = world.stripe.portals.get(&id) else {
        return (
            StatusCode::NOT_FOUND,
            page("Not found", "<h1>This portal link is not valid.</h1>"),
        )
            .into_response();
    };
    let email = world
        .stripe
        .customers
        .get(&portal.customer)
        .and_then(|c| c.email.clone())
        .unwrap_or_else(|| portal.customer.clone());
    let back = portal
        .return_url
        .as_deref()
        .map(|u| {
            format!(
                "<p><a id=\"return\" href=\"{}\">← Return</a></p>",
                escape(u)
            )
        })
        .unwrap_or_default();
    let paid: Vec<String> = world
        .stripe
        .sessions
        .values()
        .filter(|s| s.customer.as_deref() == Some(&portal.customer) && s.paid)
        .map(|s| {
            format!(
                "<div class=\"line\"><span>{}</span><span>{}</span></div>",
                escape(&s.id[..20.min(s.id.len())]),
                money(s.amount_total(), &s.currency)
            )
        })
        .collect();
    let history = if paid.is_empty() {
        "<p class=\"muted\">No payments yet.</p>".to_owned()
    } else {
        paid.join("")
    };
    let html = page(
        "Billing portal",
        &format!("{back}<span class=\"badge\">TEST MODE</span><h1 id=\"portal\">Billing portal</h1><p id=\"customer\">{}</p><h2 style=\"font-size:1rem\">Payment history</h2>{history}", escape(&email)),
    );
    ([(header::CACHE_CONTROL, "no-store")], html).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_in_major_units() {
        assert_eq!(money(500, "usd"), "$5.00");
        assert_eq!(money(2501, "eur"), "€25.01");
        assert_eq!(money(7, "jpy"), "0.07 JPY");
    }

    #[test]
    fn expiry_dates() {
        assert!(valid_expiry("12 / 34", 2026, 11));
        assert!(valid_expiry("11/26", 2026, 11));
        assert!(!valid_expiry("10/26", 2026, 11));
        assert!(!valid_expiry("13/30", 2026, 1));
        assert!(!valid_expiry("1/3", 2026, 1));
    }

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
