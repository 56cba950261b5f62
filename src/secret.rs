//! The shared signing secret (`AUTH_SECRET`): validated when given, generated and persisted
//! once when not, and never printed.

use std::{fmt, fs, io::Write, path::Path, sync::Arc};

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use rand::RngCore;

use crate::config::ConfigError;

/// HS256 wants at least as many key bytes as the hash output (RFC 7518 §3.2).
pub const MIN_SECRET_BYTES: usize = 32;

/// The secret bytes exactly as configured, so other backends can use the same string.
#[derive(Clone)]
pub struct AuthSecret(Arc<[u8]>);

impl fmt::Debug for AuthSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuthSecret(<redacted>)")
    }
}

impl AuthSecret {
    pub fn parse(var: &'static str, value: String) -> Result<Self, ConfigError> {
        if value.len() < MIN_SECRET_BYTES {
            return Err(ConfigError {
                var,
                problem: format!(
                    "must be at least {MIN_SECRET_BYTES} bytes (got {}); generate one with `openssl rand -base64 32`",
                    value.len()
                ),
            });
        }
        Ok(Self(value.into_bytes().into()))
    }

    /// Reads the secret generated on an earlier start, or creates one (mode 0600) with a warning.
    pub fn load_or_generate(path: &Path) -> Result<Self, ConfigError> {
        let io_error = |action: &str, e: std::io::Error| ConfigError {
            var: "AUTH_SECRET",
            problem: format!("is not set and {} {action} failed: {e}", path.display()),
        };
        match fs::read_to_string(path) {
            Ok(stored) => return Self::parse("AUTH_SECRET", stored.trim().to_owned()),
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(io_error("reading", e))
            }
            Err(_) => {}
        }
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let secret = URL_SAFE_NO_PAD.encode(bytes);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| io_error("creating the folder of", e))?;
        }
        write_private(path, secret.as_bytes()).map_err(|e| io_error("writing", e))?;
        tracing::warn!(
            path = %path.display(),
            "AUTH_SECRET is not set: generated a random one and stored it; set AUTH_SECRET \
             (the same on every instance and verifying backend) for production"
        );
        Ok(Self(secret.into_bytes().into()))
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_secret_is_refused_with_its_variable_name() {
        let err = AuthSecret::parse("AUTH_SECRET", "short".into()).unwrap_err();
        assert!(err.to_string().contains("AUTH_SECRET") && err.to_string().contains("32 bytes"));
    }

    #[test]
    fn a_generated_secret_is_private_and_stable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data/auth-secret");
        let first = AuthSecret::load_or_generate(&path).unwrap();
        let second = AuthSecret::load_or_generate(&path).unwrap();
        assert_eq!(first.as_bytes(), second.as_bytes());
        assert!(first.as_bytes().len() >= MIN_SECRET_BYTES);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn debug_output_hides_the_secret() {
        let secret = AuthSecret::parse("AUTH_SECRET", "s".repeat(40)).unwrap();
        assert!(!format!("{secret:?}").contains("sss"));
    }
}
