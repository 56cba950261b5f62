//! The server functions, declared once for both builds: the browser calls them, the server
//! runs them. Their bodies are thin: parse input into domain types, call the services in
//! `server::accounts`, and let `server::http::server_fn::respond` answer the outcome.

mod account_fns;
mod connected_apps_fns;
mod consent_fns;
mod mail_fns;
mod passkey_fns;
mod provider_fns;
mod server_fns;
mod two_factor_fns;

pub use account_fns::{
    change_password, delete_account, list_sessions, revoke_other_sessions, revoke_session,
    ChangePassword, DeleteAccount, ListSessions, RevokeOtherSessions, RevokeSession,
    PASSWORD_CHANGED_PATH,
};
pub use connected_apps_fns::{
    connected_apps, revoke_connected_app, ConnectedApps, RevokeConnectedApp,
};
pub use consent_fns::{allow_form_to_app, consent_prompt, AllowFormToApp, ConsentPrompt};
pub use mail_fns::{
    request_password_reset, reset_link_is_live, reset_password, send_verification_email,
    verify_email, RequestPasswordReset, ResetLinkIsLive, ResetPassword, SendVerificationEmail,
    VerifyEmail, EMAIL_VERIFIED_NOTICE, PASSWORD_RESET_PATH, RESET_REQUESTED_PATH,
};
pub use passkey_fns::{
    list_passkeys, passkey_register_options, passkey_sign_in_options, register_passkey,
    remove_passkey, sign_in_with_passkey, ListPasskeys, PasskeyRegisterOptions,
    PasskeySignInOptions, RegisterPasskey, RemovePasskey, SignInWithPasskey,
};
pub use provider_fns::{
    connected_accounts, disconnect_provider, ConnectedAccounts, DisconnectProvider,
};
#[cfg(feature = "ssr")]
pub use server_fns::two_factor_page;
pub use server_fns::{
    current_user, sign_in, sign_out, sign_up, CurrentUser, SignIn, SignOut, SignUp,
    TWO_FACTOR_PATH, VERIFY_FIRST_PATH,
};
pub use two_factor_fns::{
    disable_two_factor, enable_two_factor, new_backup_codes, set_up_two_factor, two_factor_status,
    verify_two_factor, DisableTwoFactor, EnableTwoFactor, NewBackupCodes, SetUpTwoFactor,
    TwoFactorStatus, VerifyTwoFactor,
};
