//! Register, Google sign-in, OTPs, activation, password change and 2FA
//! (§8.1.1–2, §8.1.5–9).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde_json::{json, Value};

use super::auth::{
    authenticate, check_otp, consume_otp, issue_token, key_holder, send_otp, user_or_private,
    Caller, CodeCheck,
};
use super::billing::stripe_post;
use super::reply::{
    created, failure, forbidden, json_body, no_content, not_found_resource, ok, schema_error,
    string_fields, unauthorized, unauthorized_2fa,
};
use super::store::{add_transaction, capitalise, find_by_email, App, Kind, OtpType, User, World};
use crate::config::Quirks;
use crate::ids;
use crate::reply::Reply;
use crate::state::Email;

pub async fn register(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Reply {
    {
        let world = app.world();
        key_holder(&app, &world, &headers)?;
    }
    let body = json_body(&headers, &body)?;
    string_fields(
        &body,
        &["first_name", "last_name", "email", "password"],
        &[],
    )?;
    let field = |k: &str| {
        body.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let (first, last, email, password) = (
        capitalise(&field("first_name")),
        capitalise(&field("last_name")),
        field("email"),
        field("password"),
    );
    if password.chars().count() < 8 || !email.contains('@') {
        return Err(schema_error());
    }
    if find_by_email(&app.world(), &email).is_some() {
        return Err(failure(
            StatusCode::BAD_REQUEST,
            "User with the given identifier already exists.",
        ));
    }
    let customer = stripe_post(
        &app,
        "/v1/customers",
        &json!({"email": email, "name": format!("{first} {last}")}),
    )
    .await?["id"]
        .as_str()
        .map(str::to_owned);
    let mut world = app.world();
    if find_by_email(&world, &email).is_some() {
        return Err(failure(
            StatusCode::BAD_REQUEST,
            "User with the given identifier already exists.",
        ));
    }
    let now = world.clock.now();
    let id = ids::clara("user");
    let signup_credits = if app.config.quirks == Quirks::Boilerplate {
        100.0
    } else {
        0.0
    };
    world.clara.users.insert(
        id.clone(),
        User {
            id: id.clone(),
            email: email.clone(),
            password,
            first_name: Some(first),
            last_name: Some(last),
            credits: signup_credits,
            is_active: false,
            is_2fa_enabled: false,
            is_dark_mode: true,
            created_at: now,
            updated_at: now,
            stripe_customer_id: customer,
            google_user_id: None,
        },
    );
    if signup_credits > 0.0 {
        add_transaction(
            &mut world,
            &id,
            Kind::Credit,
            "Free credits on signup.".to_owned(),
            100.0,
            1.0,
            None,
        );
    }
    let token = issue_token(&app, &mut world, &id);
    send_otp(&app, &mut world, &id, OtpType::Activation);
    if let Some(code) = world
        .clara
        .otps
        .get(&(id.clone(), OtpType::Activation))
        .map(|o| o.code.clone())
    {
        let link = format!(
            "{}/client/auth/email/activate?email={email}&code={code}&user_id={id}",
            app.base
        );
        app.send_email(Email::notice(
            email.clone(),
            "Activate your account",
            format!("Activate your account: {link}"),
            world.clock.unix(),
        ));
    }
    Ok(created(
        "User registered successfully.",
        signed_in(&world, &id, &token),
    ))
}

pub async fn google(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Reply {
    let body = json_body(&headers, &body)?;
    string_fields(&body, &["id_token"], &[])?;
    let id_token = body
        .get("id_token")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let claims = {
        let world = app.world();
        super::google::verify_id_token(&world, id_token)
    };
    let Some(claims) = claims else {
        return Err(unauthorized());
    };
    let email = claims["email"].as_str().unwrap_or_default().to_owned();
    let google_id = claims["sub"].as_str().unwrap_or_default().to_owned();
    let name = claims["name"].as_str().unwrap_or("Google User").to_owned();

    let existing = find_by_email(&app.world(), &email).map(|u| u.id.clone());
    if let Some(id) = existing {
        let mut world = app.world();
        let now = world.clock.now();
        if let Some(user) = world.clara.users.get_mut(&id) {
            if user.google_user_id.is_none() {
                user.google_user_id = Some(google_id);
                user.is_active = true;
                user.updated_at = now;
            }
        }
        let token = issue_token(&app, &mut world, &id);
        return Err(created(
            "User logged in successfully.",
            signed_in(&world, &id, &token),
        ));
    }
    let customer = stripe_post(
        &app,
        "/v1/customers",
        &json!({"email": email, "name": name}),
    )
    .await?["id"]
        .as_str()
        .map(str::to_owned);
    let mut world = app.world();
    let now = world.clock.now();
    let id = ids::clara("user");
    let password = ids::secret(16);
    world.clara.users.insert(
        id.clone(),
        User {
            id: id.clone(),
            email: email.clone(),
            password: password.clone(),
            first_name: Some(name),
            last_name: None,
            credits: if app.config.quirks == Quirks::Boilerplate {
                100.0
            } else {
                0.0
            },
            is_active: true,
            is_2fa_enabled: false,
            is_dark_mode: true,
            created_at: now,
            updated_at: now,
            stripe_customer_id: customer,
            google_user_id: Some(google_id),
        },
    );
    app.send_email(Email::notice(
        email,
        "Your password",
        format!("Your account was created with Google. Your password is {password}."),
        world.clock.unix(),
    ));
    let token = issue_token(&app, &mut world, &id);
    Ok(created(
        "User registered successfully.",
        signed_in(&world, &id, &token),
    ))
}

pub async fn request_otp(
    State(app): State<App>,
    Path((email, otp_type)): Path<(String, String)>,
    headers: HeaderMap,
) -> Reply {
    let mut world = app.world();
    key_holder(&app, &world, &headers)?;
    let Some(kind) = OtpType::parse(&otp_type) else {
        return Err(schema_error());
    };
    let Some(user_id) = find_by_email(&world, &email).map(|u| u.id.clone()) else {
        return Err(not_found_resource("User"));
    };
    send_otp(&app, &mut world, &user_id, kind);
    Ok(created("OTP sent successfully.", Value::Null))
}

pub async fn activate(
    State(app): State<App>,
    Path(email): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let mut world = app.world();
    key_holder(&app, &world, &headers)?;
    let body = json_body(&headers, &body)?;
    string_fields(&body, &["code"], &[])?;
    let Some(user_id) = find_by_email(&world, &email).map(|u| u.id.clone()) else {
        return Err(not_found_resource("User"));
    };
    let code = body.get("code").and_then(Value::as_str).unwrap_or_default();
    if !matches!(
        check_otp(&world, &user_id, OtpType::Activation, code),
        CodeCheck::Valid
    ) {
        return Err(unauthorized());
    }
    consume_otp(&mut world, &user_id, OtpType::Activation);
    let now = world.clock.now();
    let Some(user) = world.clara.users.get_mut(&user_id) else {
        return Err(not_found_resource("User"));
    };
    user.is_active = true;
    user.updated_at = now;
    Ok(ok("User activated successfully.", user.to_json()))
}

pub async fn change_password(
    State(app): State<App>,
    Path(email): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let mut world = app.world();
    let caller = authenticate(&app, &world, &headers)?;
    if matches!(caller, Caller::ApiKey { .. }) {
        return Err(forbidden());
    }
    let body = json_body(&headers, &body)?;
    string_fields(&body, &["password", "code"], &[])?;
    let Some(user_id) = find_by_email(&world, &email).map(|u| u.id.clone()) else {
        return Err(if matches!(caller, Caller::User { .. }) {
            forbidden()
        } else {
            not_found_resource("User")
        });
    };
    if let Caller::User { user_id: me, .. } = &caller {
        if *me != user_id {
            return Err(forbidden());
        }
    }
    let code = body.get("code").and_then(Value::as_str).unwrap_or_default();
    match check_otp(&world, &user_id, OtpType::ChangePassword, code) {
        CodeCheck::Valid => {}
        CodeCheck::NeverRequested => return Err(schema_error()),
        CodeCheck::Wrong | CodeCheck::Expired => return Err(unauthorized()),
    }
    consume_otp(&mut world, &user_id, OtpType::ChangePassword);
    let keep = match &caller {
        Caller::User { token, .. } => Some(token.clone()),
        _ => None,
    };
    for (token, record) in world.clara.tokens.iter_mut() {
        if record.user_id == user_id && Some(token) != keep.as_ref() {
            record.revoked = true;
        }
    }
    let now = world.clock.now();
    if let Some(user) = world.clara.users.get_mut(&user_id) {
        user.password = body
            .get("password")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        user.updated_at = now;
    }
    Ok(ok("User password changed successfully.", Value::Null))
}

async fn toggle_2fa(
    app: App,
    user: String,
    headers: HeaderMap,
    body: Bytes,
    enable: bool,
) -> Reply {
    let mut world = app.world();
    let user_id = user_or_private(&app, &world, &headers, &user, true)?;
    let code = match json_body(&headers, &body) {
        Ok(b) => match b.get("code") {
            Some(Value::String(c)) if b.len() == 1 => c.clone(),
            _ => return Err(schema_error()),
        },
        // No JSON body is answered like a wrong code here (§8.1.8).
        Err(_) => return Err(unauthorized_2fa()),
    };
    match check_otp(&world, &user_id, OtpType::TwoFactorAuth, &code) {
        CodeCheck::Valid => {}
        CodeCheck::Expired => return Err(unauthorized()),
        CodeCheck::Wrong | CodeCheck::NeverRequested => return Err(unauthorized_2fa()),
    }
    consume_otp(&mut world, &user_id, OtpType::TwoFactorAuth);
    let now = world.clock.now();
    if let Some(u) = world.clara.users.get_mut(&user_id) {
        u.is_2fa_enabled = enable;
        u.updated_at = now;
    }
    Ok(if enable {
        ok("User 2FA enabled successfully.", Value::Null)
    } else {
        no_content()
    })
}

pub async fn enable_2fa(
    State(app): State<App>,
    Path(user): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    toggle_2fa(app, user, headers, body, true).await
}

pub async fn disable_2fa(
    State(app): State<App>,
    Path(user): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    toggle_2fa(app, user, headers, body, false).await
}

/// The user and its new token, as registration and sign-in answer.
fn signed_in(world: &World, id: &str, token: &str) -> Value {
    world
        .clara
        .users
        .get(id)
        .map_or(Value::Null, |u| u.with_token(token))
}
