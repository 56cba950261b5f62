//! "Continue with …" (DESIGN "Continue with an external OpenID Connect provider") against a real
//! OpenID Provider (`oidc_provider`): who a round trip signs in as (a known subject; otherwise
//! only a provider-verified email, linked only to a verified local account), two-factor still
//! asked, connecting and disconnecting, and every failure landing on a page in words.

use serde_json::Value;

use crate::{
    helpers::{post_form, unique_email, PASSWORD},
    oidc_provider::{location_of, OidcWorld, NAME},
    two_factor::{code, user_with_two_factor},
};

async fn session_of(world: &OidcWorld, browser: &reqwest::Client) -> Value {
    let response = post_form(browser, &format!("{}/api/auth/session", world.site), &[]).await;
    response.json().await.unwrap()
}

/// Where the callback sent the browser.
fn landed(response: &reqwest::Response, world: &OidcWorld) -> String {
    let location = location_of(response, &world.site).expect("the callback redirects");
    location.trim_start_matches(&world.site).to_owned()
}

fn signs_in(response: &reqwest::Response) -> bool {
    response
        .cookies()
        .any(|c| c.name() == "badge_session" && !c.value().is_empty())
}

async fn count(world: &OidcWorld, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql)
        .fetch_one(&world.app.db().await)
        .await
        .unwrap();
    n
}

async fn mark_verified(world: &OidcWorld, email: &str) {
    sqlx::query("UPDATE users SET email_verified_at = 1 WHERE email = $1")
        .bind(email)
        .execute(&world.app.db().await)
        .await
        .unwrap();
}

/// Starts a round trip in `browser` (its cookie set) and returns the `state` sent to the
/// provider.
async fn start_in(world: &OidcWorld, browser: &reqwest::Client) -> String {
    let started = browser
        .get(format!("{}/api/auth/oidc/test/start", world.site))
        .send()
        .await
        .unwrap();
    query_value(&location_of(&started, &world.site).unwrap(), "state")
}

fn query_value(url: &str, name: &str) -> String {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
        .unwrap_or_else(|| panic!("no {name} in {url}"))
}

#[tokio::test]
async fn a_new_person_continues_with_the_provider_and_is_signed_in_without_a_password() {
    let world = OidcWorld::start().await;
    let page = world.app.page("/sign-in").await;
    assert!(page.contains(&format!("Continue with {NAME}")), "{page}");
    assert!(page.contains(&format!("{}/api/auth/oidc/test/start", world.site)));

    let email = unique_email();
    let browser = world.browser();
    let (answer, _) = world
        .continue_with(
            &browser,
            "start?next=%2Faccount",
            &format!("s-{email}|{email}|true"),
        )
        .await;
    assert_eq!(landed(&answer, &world), "/account");
    assert!(signs_in(&answer));
    let session = session_of(&world, &browser).await;
    assert_eq!(session["email"], email);
    assert_eq!(session["email_verified"], true);
    assert_eq!(session["amr"], serde_json::json!(["fed"]));

    // No password was made: none signs in.
    let refused = post_form(
        &world.browser(),
        &format!("{}/api/auth/sign-in", world.site),
        &[("email", &email), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(refused.status(), 401);
}

#[tokio::test]
async fn a_known_subject_signs_in_again_after_its_email_changed_at_the_provider() {
    let world = OidcWorld::start().await;
    let (first, changed) = (unique_email(), unique_email());
    let browser = world.browser();
    world
        .continue_with(&browser, "start", &format!("subject-1|{first}|true"))
        .await;
    let before = session_of(&world, &browser).await;

    let again = world.browser();
    let (answer, _) = world
        .continue_with(&again, "start", &format!("subject-1|{changed}|true"))
        .await;
    assert!(signs_in(&answer));
    let after = session_of(&world, &again).await;
    assert_eq!(after["id"], before["id"]);
    assert_eq!(after["email"], first, "the account's own email stays");
    assert_eq!(count(&world, "SELECT COUNT(*) FROM users").await, 1);
}

#[tokio::test]
async fn a_verified_provider_email_does_not_take_over_a_local_account_whose_email_is_unverified() {
    let world = OidcWorld::start().await;
    // Someone registered this address with a password and never verified it.
    let email = world.app.signed_up_user().await;
    let victim = world.browser();
    let (answer, _) = world
        .continue_with(&victim, "start", &format!("victim|{email}|true"))
        .await;
    assert_eq!(
        landed(&answer, &world),
        "/sign-in?provider_problem=link_refused"
    );
    assert!(!signs_in(&answer));
    assert_eq!(session_of(&world, &victim).await, Value::Null);
    assert_eq!(
        count(&world, "SELECT COUNT(*) FROM external_identities").await,
        0
    );
    let page = world
        .app
        .page("/sign-in?provider_problem=link_refused")
        .await;
    assert!(
        page.contains("connect the provider on your account page"),
        "{page}"
    );
}

#[tokio::test]
async fn a_verified_provider_email_links_a_local_account_whose_email_is_verified_too() {
    let world = OidcWorld::start().await;
    let email = world.app.signed_up_user().await;
    mark_verified(&world, &email).await;
    let owner = world.app.session().await;
    let browser = world.browser();
    let (answer, _) = world
        .continue_with(&browser, "start", &format!("owner|{email}|true"))
        .await;
    assert!(signs_in(&answer));
    assert_eq!(session_of(&world, &browser).await["id"], owner["id"]);
}

#[tokio::test]
async fn an_unverified_provider_email_makes_and_links_no_account() {
    let world = OidcWorld::start().await;
    let email = unique_email();
    let browser = world.browser();
    let (answer, _) = world
        .continue_with(&browser, "start", &format!("unverified|{email}|false"))
        .await;
    assert_eq!(
        landed(&answer, &world),
        "/sign-in?provider_problem=email_unverified"
    );
    assert_eq!(count(&world, "SELECT COUNT(*) FROM users").await, 0);
    assert_eq!(
        count(&world, "SELECT COUNT(*) FROM external_identities").await,
        0
    );
}

#[tokio::test]
async fn two_factor_is_still_asked_after_the_provider_when_it_is_on() {
    let world = OidcWorld::start().await;
    let (email, secret, _) = user_with_two_factor(&world.app).await;
    mark_verified(&world, &email).await;
    let browser = world.browser();
    let (answer, _) = world
        .continue_with(&browser, "start", &format!("with-2fa|{email}|true"))
        .await;
    assert_eq!(landed(&answer, &world), "/sign-in/two-factor");
    assert!(!signs_in(&answer));
    assert!(answer.cookies().any(|c| c.name() == "badge_2fa"));
    let verified = post_form(
        &browser,
        &format!("{}/api/auth/two-factor/verify", world.site),
        &[("code", &code(&secret, 1))],
    )
    .await;
    assert_eq!(verified.status(), 200);
    let session = session_of(&world, &browser).await;
    assert_eq!(session["amr"], serde_json::json!(["fed", "otp", "mfa"]));
}

#[tokio::test]
async fn a_callback_with_another_state_fails_in_words() {
    let world = OidcWorld::start().await;
    let browser = world.browser();
    let email = unique_email();
    // The provider's answer, with its `state` swapped for another (a forged callback).
    let callback = world
        .to_callback(&world.browser(), "start", &format!("s|{email}|true"))
        .await;
    start_in(&world, &browser).await;
    let forged = browser.get(&callback).send().await.unwrap();
    assert_eq!(
        landed(&forged, &world),
        "/sign-in?provider_problem=state_mismatch"
    );
    assert!(!signs_in(&forged));
    let page = world
        .app
        .page("/sign-in?provider_problem=state_mismatch")
        .await;
    assert!(page.contains("did not start in this browser"));
}

#[tokio::test]
async fn a_replayed_callback_fails_in_words_and_opens_nothing() {
    let world = OidcWorld::start().await;
    let email = unique_email();
    let browser = world.browser();
    let (answer, callback) = world
        .continue_with(&browser, "start", &format!("s|{email}|true"))
        .await;
    assert!(signs_in(&answer));
    for replayer in [world.browser(), browser] {
        let replayed = replayer.get(&callback).send().await.unwrap();
        assert_eq!(
            landed(&replayed, &world),
            "/sign-in?provider_problem=expired"
        );
        assert!(!signs_in(&replayed));
    }
}

#[tokio::test]
async fn a_code_made_for_another_round_trip_is_refused() {
    let world = OidcWorld::start().await;
    let email = unique_email();
    let stolen = world
        .to_callback(&world.browser(), "start", &format!("s|{email}|true"))
        .await;
    // The attacker's own round trip, finished with the victim's code: its PKCE verifier and
    // nonce are not the ones the code was issued for.
    let attacker = world.browser();
    let state = start_in(&world, &attacker).await;
    let mut forged = url::Url::parse(&stolen).unwrap();
    let code = query_value(&stolen, "code");
    forged
        .query_pairs_mut()
        .clear()
        .append_pair("code", &code)
        .append_pair("state", &state);
    let refused = attacker.get(forged.as_str()).send().await.unwrap();
    assert_eq!(
        landed(&refused, &world),
        "/sign-in?provider_problem=provider_error"
    );
    assert!(!signs_in(&refused));
    assert_eq!(count(&world, "SELECT COUNT(*) FROM users").await, 0);
}

#[tokio::test]
async fn cancelling_at_the_provider_lands_on_the_sign_in_page_in_words() {
    let world = OidcWorld::start().await;
    let browser = world.browser();
    let state = start_in(&world, &browser).await;
    let cancelled = browser
        .get(format!(
            "{}/api/auth/oidc/test/callback?error=access_denied&state={state}",
            world.site
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        landed(&cancelled, &world),
        "/sign-in?provider_problem=cancelled"
    );
}

#[tokio::test]
async fn connect_and_disconnect_from_the_account_page() {
    let world = OidcWorld::start().await;
    let browser = world.browser();
    let email = unique_email();
    let signed_up = post_form(
        &browser,
        &format!("{}/api/auth/sign-up", world.site),
        &[("email", &email), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(signed_up.status(), 200);
    let owner = session_of(&world, &browser).await;

    // Connected, with another email at the provider: the subject is what links.
    let other = unique_email();
    let (answer, _) = world
        .continue_with(&browser, "connect", &format!("linked|{other}|true"))
        .await;
    assert_eq!(
        landed(&answer, &world),
        "/account?notice=provider-connected#connected-title"
    );
    let listed: Value = post_form(
        &browser,
        &format!("{}/api/auth/connected-accounts", world.site),
        &[],
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        listed,
        serde_json::json!([{ "provider": "test", "email": other }])
    );
    let elsewhere = world.browser();
    world
        .continue_with(&elsewhere, "start", &format!("linked|{other}|true"))
        .await;
    assert_eq!(session_of(&world, &elsewhere).await["id"], owner["id"]);

    let disconnected = post_form(
        &browser,
        &format!("{}/api/auth/oidc/disconnect", world.site),
        &[("provider", "test")],
    )
    .await;
    assert_eq!(disconnected.status(), 200);
    let again = world.browser();
    let (answer, _) = world
        .continue_with(&again, "start", &format!("linked|{other}|true"))
        .await;
    let session = session_of(&world, &again).await;
    assert!(
        signs_in(&answer),
        "a new account for the provider's own (verified) email"
    );
    assert_ne!(session["id"], owner["id"]);
}

#[tokio::test]
async fn the_last_way_in_cannot_be_disconnected() {
    let world = OidcWorld::start().await;
    let browser = world.browser();
    let email = unique_email();
    world
        .continue_with(&browser, "start", &format!("only|{email}|true"))
        .await;
    let refused = post_form(
        &browser,
        &format!("{}/api/auth/oidc/disconnect", world.site),
        &[("provider", "test")],
    )
    .await;
    assert_eq!(refused.status(), 409);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"], "last_way_in");
    assert_eq!(
        count(&world, "SELECT COUNT(*) FROM external_identities").await,
        1
    );
}

#[tokio::test]
async fn an_unreachable_provider_is_an_unavailable_button_never_a_failed_start_or_page() {
    let closed = crate::process::free_port();
    let app = crate::helpers::spawn_app_with(|vars| {
        vars.insert("OIDC_PROVIDERS", "test".into());
        vars.insert("OIDC_TEST_ISSUER", format!("http://localhost:{closed}"));
        vars.insert("OIDC_TEST_CLIENT_ID", "badge".into());
        vars.insert("OIDC_TEST_CLIENT_SECRET", "secret".into());
    })
    .await;
    let page = app.page("/sign-in").await;
    assert!(
        page.contains("Continue with test (unavailable right now)"),
        "{page}"
    );
    let started = app.get("/api/auth/oidc/test/start").await;
    assert_eq!(
        started.headers()["location"],
        "/sign-in?provider_problem=unavailable"
    );
    let unknown = app.get("/api/auth/oidc/nope/start").await;
    assert_eq!(
        unknown.headers()["location"],
        "/sign-in?provider_problem=unavailable"
    );
}
