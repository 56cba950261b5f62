//! A software passkey for the tests: 1Password's authenticator (`passkey-authenticator`, user
//! verification always given, a signature counter per credential) behind its WebAuthn client
//! (`passkey-client`), so a test plays a real browser with a real authenticator. Answers go to
//! the server as browsers' `PublicKeyCredential.toJSON()` writes them (bytes as base64url).

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use passkey::{
    authenticator::{
        Authenticator, CredentialStore, DiscoverabilitySupport, StoreInfo, UiHint, UserCheck,
        UserValidationMethod,
    },
    client::{Client, DefaultClientData, DefaultClientDataWithCustomHash, WebauthnError},
    crypto::rust_crypto::RustCryptoBackend,
    types::{
        ctap2::{make_credential, Aaguid, Ctap2Error, StatusCode},
        webauthn::{
            CredentialCreationOptions, CredentialRequestOptions, PublicKeyCredentialDescriptor,
        },
        Passkey,
    },
};
use serde_json::Value;
use sha2::{Digest, Sha256};
use url::Url;

/// The person at the authenticator: always there, always verified (a fingerprint, a PIN).
struct Verified;

#[async_trait::async_trait]
impl UserValidationMethod for Verified {
    type PasskeyItem = Passkey;

    async fn check_user<'a>(
        &self,
        _hint: UiHint<'a, Passkey>,
        _presence: bool,
        _verification: bool,
    ) -> Result<UserCheck, Ctap2Error> {
        Ok(UserCheck {
            presence: true,
            verification: true,
        })
    }

    fn is_verification_enabled(&self) -> Option<bool> {
        Some(true)
    }

    fn is_presence_enabled(&self) -> bool {
        true
    }
}

/// The authenticator's keys: discoverable (an empty allow list offers every key of the RP ID,
/// as a sign-in without an email needs).
#[derive(Clone, Default)]
struct Keys(Vec<Passkey>);

#[async_trait::async_trait]
impl CredentialStore for Keys {
    type PasskeyItem = Passkey;

    async fn find_credentials(
        &self,
        ids: Option<&[PublicKeyCredentialDescriptor]>,
        rp_id: &str,
        _user_handle: Option<&[u8]>,
    ) -> Result<Vec<Passkey>, StatusCode> {
        let allowed = |key: &Passkey| match ids {
            Some(ids) if !ids.is_empty() => ids.iter().any(|d| d.id == key.credential_id),
            _ => true,
        };
        let found: Vec<Passkey> = self
            .0
            .iter()
            .filter(|key| key.rp_id == rp_id && allowed(key))
            .cloned()
            .collect();
        if found.is_empty() {
            return Err(Ctap2Error::NoCredentials.into());
        }
        Ok(found)
    }

    async fn save_credential(
        &mut self,
        key: Passkey,
        _user: make_credential::PublicKeyCredentialUserEntity,
        _rp: make_credential::PublicKeyCredentialRpEntity,
        _options: make_credential::Options,
    ) -> Result<(), StatusCode> {
        self.0.push(key);
        Ok(())
    }

    async fn update_credential(&mut self, key: &Passkey) -> Result<(), StatusCode> {
        for stored in &mut self.0 {
            if stored.credential_id == key.credential_id {
                *stored = key.clone();
            }
        }
        Ok(())
    }

    async fn get_info(&self) -> StoreInfo {
        StoreInfo {
            discoverability: DiscoverabilitySupport::ForcedDiscoverable,
        }
    }
}

/// A browser with a platform authenticator.
pub struct SoftPasskey {
    client: Client<Keys, Verified, RustCryptoBackend, public_suffix::PublicSuffixList, ()>,
}

impl SoftPasskey {
    pub fn new() -> Self {
        Self::with_keys(Keys::default())
    }

    fn with_keys(keys: Keys) -> Self {
        let mut authenticator =
            Authenticator::new(Aaguid::new_empty(), keys, Verified, RustCryptoBackend);
        authenticator.set_make_credentials_with_signature_counter(true);
        Self {
            client: Client::new(authenticator).allows_insecure_localhost(true),
        }
    }

    /// Another authenticator holding copies of this one's keys as they are now, counters
    /// included: what cloning a security key gives an attacker.
    pub fn clone_keys(&self) -> Self {
        Self::with_keys(self.client.authenticator().store().clone())
    }

    /// The same keys, made (as a misbehaving authenticator would) for `rp_id` instead.
    pub fn keys_moved_to(&self, rp_id: &str) -> Self {
        let mut keys = self.client.authenticator().store().clone();
        for key in &mut keys.0 {
            key.rp_id = rp_id.to_owned();
        }
        Self::with_keys(keys)
    }

    /// `navigator.credentials.create()` at `origin` with the server's options (`{"publicKey":
    /// …}`): the credential JSON to post back.
    pub async fn create(&mut self, origin: &str, options: &Value) -> Result<String, WebauthnError> {
        let options: CredentialCreationOptions =
            serde_json::from_value(options.clone()).expect("creation options as WebAuthn JSON");
        let created = self
            .client
            .register(&url(origin), options, DefaultClientData)
            .await?;
        Ok(browser_json(serde_json::to_value(created).expect("JSON")).to_string())
    }

    /// `navigator.credentials.get()` at `origin` with the server's options.
    pub async fn get(&mut self, origin: &str, options: &Value) -> Result<String, WebauthnError> {
        let options: CredentialRequestOptions =
            serde_json::from_value(options.clone()).expect("request options as WebAuthn JSON");
        let asserted = self
            .client
            .authenticate(&url(origin), options, DefaultClientData)
            .await?;
        Ok(browser_json(serde_json::to_value(asserted).expect("JSON")).to_string())
    }

    /// A lying browser at `browser_origin` that signs (for the RP ID its options name) a
    /// `clientDataJSON` claiming `claimed_origin`: the assertion carries that client data.
    pub async fn get_claiming(
        &mut self,
        browser_origin: &str,
        claimed_origin: &str,
        options: &Value,
    ) -> String {
        let challenge = options["publicKey"]["challenge"]
            .as_str()
            .expect("a challenge");
        let client_data = serde_json::json!({
            "type": "webauthn.get",
            "challenge": challenge,
            "origin": claimed_origin,
            "crossOrigin": false,
        })
        .to_string();
        let hash = Sha256::digest(client_data.as_bytes()).to_vec();
        let options: CredentialRequestOptions =
            serde_json::from_value(options.clone()).expect("request options as WebAuthn JSON");
        let asserted = self
            .client
            .authenticate(
                &url(browser_origin),
                options,
                DefaultClientDataWithCustomHash(hash),
            )
            .await
            .expect("the authenticator signs");
        let mut json = browser_json(serde_json::to_value(asserted).expect("JSON"));
        json["response"]["clientDataJSON"] = Value::String(URL_SAFE_NO_PAD.encode(client_data));
        json.to_string()
    }
}

fn url(origin: &str) -> Url {
    Url::parse(origin).expect("an origin")
}

/// passkey-types writes bytes as arrays of numbers; browsers' `toJSON()` as base64url strings.
fn browser_json(value: Value) -> Value {
    match value {
        Value::Array(items) if is_bytes(&items) => {
            let bytes: Vec<u8> = items
                .iter()
                .filter_map(Value::as_u64)
                .filter_map(|n| u8::try_from(n).ok())
                .collect();
            Value::String(URL_SAFE_NO_PAD.encode(bytes))
        }
        Value::Array(items) => Value::Array(items.into_iter().map(browser_json).collect()),
        Value::Object(fields) => Value::Object(
            fields
                .into_iter()
                .map(|(name, value)| (name, browser_json(value)))
                .collect(),
        ),
        other => other,
    }
}

fn is_bytes(items: &[Value]) -> bool {
    !items.is_empty() && items.iter().all(|i| i.as_u64().is_some_and(|n| n < 256))
}
