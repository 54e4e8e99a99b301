//! The application layer every front end shares, against the Sandbox: the
//! store opened as the window and the CLI open it, the account that opens at
//! start, and a purchase watched by the supervisor from Buy to its receipt.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use topup_core::pending::PendingPurchase;
use topup_core::purchases::BuyOutcome;
use topup_core::secrets::{MemoryStore, SecretStore};
use topup_core::service::NewAccount;
use topup_core::sign_in::{SignInInput, SignInStep};
use topup_core::store::{OpenOptions, SandboxLink, SecretsChoice, Store};
use topup_core::watch::{quick_schedule, PurchaseProgress, Receipt, Supervisor, WatchSink};
use topup_core::BaseUrl;
use topup_sandbox::demo;

/// Opens the store in `dir` as the window does, with `env`'s Sandbox.
async fn open(env: &Env, dir: &std::path::Path, secrets: &Arc<dyn SecretStore>) -> Store {
    let mut options = OpenOptions::new(dir.to_path_buf());
    options.secrets = SecretsChoice::Given(Arc::clone(secrets));
    options.find_kept_sign_ins = true;
    options.sandbox = Some(SandboxLink {
        origin: BaseUrl::parse(&env.sandbox.urls().base).unwrap(),
        account: NewAccount {
            public_api_key: Some(demo::CLARA_PUBLIC_KEY.into()),
            ..NewAccount::default()
        },
    });
    Store::open(options).await.unwrap()
}

fn demo_input() -> SignInInput {
    SignInInput::EmailPassword {
        // As pasted: the spaces go, the password stays as typed.
        email: format!("  {}\n", demo::USER_EMAIL),
        password: demo::PASSWORD.into(),
        code: None,
    }
}

#[tokio::test]
async fn the_account_opened_at_start_is_one_with_a_kept_sign_in() {
    let env = start().await;
    let tmp = tempdir("application");
    let dir = tmp.path();
    let secrets: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());

    let first = open(&env, dir, &secrets).await;
    let list = first.accounts.list();
    assert_eq!(list.len(), 1, "the Sandbox account is there from the start");
    let sandbox_id = list[0].record.id.clone();
    assert_eq!(list[0].service, "Sandbox");
    assert_eq!(
        first.accounts.account_to_open().unwrap(),
        Some(sandbox_id.clone()),
        "with a Sandbox running, its prefilled sign-in opens"
    );
    let work = first
        .accounts
        .add(NewAccount {
            preset: Some(topup_core::presets::PresetId::CustomClara),
            base_url: Some(env.sandbox.urls().clara.clone()),
            public_api_key: Some(format!(" {} ", demo::CLARA_PUBLIC_KEY)),
            label: Some("  Work  ".into()),
            ..NewAccount::default()
        })
        .unwrap();
    assert_eq!(
        (work.public_api_key.as_deref(), work.label.as_str()),
        (Some(demo::CLARA_PUBLIC_KEY), "Work"),
        "a pasted key and a typed name are trimmed"
    );
    let step = first
        .accounts
        .sign_in_with(&work.id, demo_input().into())
        .await
        .unwrap();
    assert!(matches!(step, SignInStep::SignedIn { .. }), "{step:?}");
    first.accounts.switch(&sandbox_id).unwrap();
    drop(first);

    // The next start: the active account is signed out, the other is not.
    let again = open(&env, dir, &secrets).await;
    assert_eq!(again.accounts.active(), Some(sandbox_id.clone()));
    assert_eq!(
        again.accounts.account_to_open().unwrap(),
        Some(work.id.clone())
    );
    assert_eq!(
        again.accounts.active(),
        Some(work.id.clone()),
        "the account opened became the active one"
    );
    assert_eq!(again.accounts.list()[1].service, "Clara");

    // Signed out of every account: the Sandbox's prefilled sign-in again.
    again.accounts.sign_out(&work.id).await.unwrap();
    again.accounts.switch(&sandbox_id).unwrap();
    assert_eq!(again.accounts.account_to_open().unwrap(), Some(sandbox_id));
}

/// What a front end heard from the supervisor.
#[derive(Default)]
struct Heard {
    steps: Mutex<Vec<PurchaseProgress>>,
    landed: Mutex<Vec<Receipt>>,
}

struct Sink(Arc<Heard>);

impl WatchSink for Sink {
    fn progress(&self, event: &PurchaseProgress) {
        self.0.steps.lock().unwrap().push(event.clone());
    }
    fn landed(&self, _purchase: &PendingPurchase, receipt: &Receipt) {
        self.0.landed.lock().unwrap().push(receipt.clone());
    }
}

#[tokio::test]
async fn a_supervised_purchase_ends_with_one_receipt_and_is_forgotten() {
    let env = start().await;
    let tmp = tempdir("application");
    let dir = tmp.path();
    let secrets: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
    let store = open(&env, dir, &secrets).await;
    let accounts = Arc::clone(&store.accounts);
    let id = accounts.list()[0].record.id.clone();
    let heard = Arc::new(Heard::default());
    let supervisor = Supervisor::new(
        Arc::clone(&accounts),
        Arc::new(Sink(Arc::clone(&heard))),
        tokio::runtime::Handle::current(),
        quick_schedule(Duration::from_millis(40), Duration::from_secs(60)),
    );
    assert!(matches!(
        supervisor.sign_in(&id, demo_input().into()).await.unwrap(),
        SignInStep::SignedIn { .. }
    ));
    assert_eq!(
        painted_at_start_after_a_read(&accounts, &supervisor, &id)
            .await
            .as_deref(),
        Some("1000"),
        "nothing to show but the home: its last balance read"
    );
    accounts.pricing(&id).await.unwrap();
    let BuyOutcome::Started { purchase } = accounts.buy(&id, "$5").await.unwrap() else {
        panic!("started")
    };
    assert_eq!(
        supervisor.balance_to_paint_at_start(&id).unwrap(),
        None,
        "a start with a purchase in flight opens on it, not on a balance"
    );
    let mut watching = supervisor.watching();
    supervisor.start(&id).unwrap();
    supervisor.start(&id).unwrap();
    assert_eq!(*watching.borrow_and_update(), 1, "one watch, started twice");
    let url = url::Url::parse(&purchase.checkout_url).unwrap();
    assert_eq!(env.pay(&session_id(&url), "4242424242424242").await, 200);

    // The count drops only once the purchase's end is written down.
    tokio::time::timeout(Duration::from_secs(20), watching.wait_for(|n| *n == 0))
        .await
        .expect("the watch ended within 20 s")
        .unwrap();

    let landed = heard.landed.lock().unwrap().clone();
    assert_eq!(landed.len(), 1, "one receipt: {landed:?}");
    assert_eq!(
        landed[0].credits.map(|c| c.to_string()).as_deref(),
        Some("500")
    );
    assert_eq!(
        landed[0].balance.map(|c| c.to_string()).as_deref(),
        Some("1500")
    );
    assert_eq!(
        landed[0].sentence(),
        "500 credits for $5.00 arrived. New balance: 1500."
    );
    assert_eq!(
        accounts.pending_purchase(&id).unwrap(),
        None,
        "a landed purchase is forgotten"
    );
    // A screen drawn now still finds how it ended, until it is dismissed.
    let view = supervisor.view(&id).unwrap().expect("the last report");
    let last = view.last.expect("a report");
    assert!(last.progress.finished);
    assert_eq!(last.receipt.as_ref(), Some(&landed[0]));
    assert_eq!(
        heard
            .steps
            .lock()
            .unwrap()
            .last()
            .map(|p| p.receipt.is_some()),
        Some(true)
    );
    supervisor.dismiss(&id);
    assert_eq!(supervisor.view(&id).unwrap(), None);
    assert_eq!(
        painted_at_start_after_a_read(&accounts, &supervisor, &id)
            .await
            .as_deref(),
        Some("1500"),
        "once dismissed, a start paints the last balance read"
    );
    assert!(supervisor.check_now(&id).is_err(), "nothing left to check");
}

/// The balance a start would paint at once, after the balance has been read
/// (as the background refresh or the home does).
async fn painted_at_start_after_a_read(
    accounts: &topup_core::service::Accounts,
    supervisor: &topup_core::watch::Supervisor,
    id: &str,
) -> Option<String> {
    accounts
        .standing(id, topup_core::alerts::Read::Fresh)
        .await
        .unwrap();
    supervisor
        .balance_to_paint_at_start(id)
        .unwrap()
        .map(|o| o.balance.to_string())
}
