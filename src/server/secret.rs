//! The shared signing secret (`AUTH_SECRET`): validated when given, generated and persisted
//! once when not, and never printed (`secrecy` redacts it in `Debug`).

use std::{fs, io::Write, path::Path, sync::Arc};

use secrecy::{ExposeSecret, SecretSlice};

use crate::domain::random_token;

/// HS256 wants at least as many key bytes as the hash output (RFC 7518 §3.2).
pub const MIN_SECRET_BYTES: usize = 32;

/// Why no usable secret could be had; the configuration names the variable.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error(
        "must be at least {MIN_SECRET_BYTES} bytes (got {0}); generate one with `openssl rand -base64 32`"
    )]
    TooShort(usize),
    #[error(
        "is not set and no generated secret is at {path} (run this where the server runs, or \
         set AUTH_SECRET and DATABASE_URL)"
    )]
    Missing { path: String },
    #[error("is not set and {action} {path} failed: {source}")]
    Io {
        action: &'static str,
        path: String,
        source: std::io::Error,
    },
}

/// The secret bytes exactly as configured, so other backends can use the same string.
#[derive(Clone, Debug)]
pub struct AuthSecret(Arc<SecretSlice<u8>>);

impl AuthSecret {
    pub fn parse(value: String) -> Result<Self, SecretError> {
        if value.len() < MIN_SECRET_BYTES {
            return Err(SecretError::TooShort(value.len()));
        }
        if value.trim() != value {
            // Used as given: the spaces are part of the secret every verifier must hold.
            tracing::warn!(
                "the secret begins or ends with whitespace; it is used byte for byte, so every \
                 backend verifying badges must use exactly the same bytes"
            );
        }
        Ok(Self(Arc::new(value.into_bytes().into())))
    }

    /// Reads the secret generated on an earlier start; never creates one.
    pub fn load_existing(path: &Path) -> Result<Self, SecretError> {
        match fs::read_to_string(path) {
            Ok(stored) => Self::parse(stored.trim().to_owned()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(SecretError::Missing {
                path: std::path::absolute(path)
                    .unwrap_or_else(|_| path.to_owned())
                    .display()
                    .to_string(),
            }),
            Err(e) => Err(SecretError::Io {
                action: "reading",
                path: path.display().to_string(),
                source: e,
            }),
        }
    }

    /// Reads the secret generated on an earlier start, or creates one (mode 0600) with a warning.
    pub fn load_or_generate(path: &Path) -> Result<Self, SecretError> {
        let io_error = |action, source| SecretError::Io {
            action,
            path: path.display().to_string(),
            source,
        };
        match fs::read_to_string(path) {
            Ok(stored) => {
                if open_to_others(path) {
                    tracing::warn!(
                        path = %path.display(),
                        "the stored AUTH_SECRET file can be read or changed by other users; \
                         run `chmod 600 {}`",
                        path.display()
                    );
                }
                return Self::parse(stored.trim().to_owned());
            }
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(io_error("reading", e))
            }
            Err(_) => {}
        }
        let secret = random_token();
        if let Some(dir) = path.parent() {
            create_private_dir(dir).map_err(|e| io_error("creating the folder of", e))?;
        }
        write_private(path, secret.as_bytes()).map_err(|e| io_error("writing", e))?;
        tracing::warn!(
            path = %path.display(),
            "AUTH_SECRET is not set: generated a random one and stored it; set AUTH_SECRET \
             (the same on every instance and verifying backend) for production"
        );
        Self::parse(secret)
    }

    pub fn expose(&self) -> &[u8] {
        self.0.expose_secret()
    }
}

/// True when the group or other users have any access to the file (`chmod 600` ends that).
#[cfg(unix)]
fn open_to_others(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o077 != 0)
}

#[cfg(not(unix))]
fn open_to_others(_path: &Path) -> bool {
    false
}

/// Creates `dir` and any missing parents with mode 0700; folders that exist keep their mode.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
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
    fn a_short_secret_is_refused_saying_how_long_it_must_be() {
        let err = AuthSecret::parse("short".into()).unwrap_err();
        assert!(err.to_string().contains("32 bytes"), "{err}");
    }

    #[test]
    fn a_generated_secret_is_private_and_stable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data/auth-secret");
        let first = AuthSecret::load_or_generate(&path).unwrap();
        let second = AuthSecret::load_or_generate(&path).unwrap();
        assert_eq!(first.expose(), second.expose());
        assert!(first.expose().len() >= MIN_SECRET_BYTES);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[cfg(unix)]
    #[test]
    fn the_folder_made_for_a_generated_secret_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data/auth-secret");

        AuthSecret::load_or_generate(&path).unwrap();

        let mode = fs::metadata(dir.path().join("data"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700);
    }

    #[cfg(unix)]
    #[test]
    fn only_a_secret_file_other_users_can_read_or_change_is_reported() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("auth-secret");
        fs::write(&path, "s".repeat(40)).unwrap();
        let cases = [
            (0o600, false),
            (0o400, false),
            (0o640, true),
            (0o604, true),
            (0o620, true),
        ];
        for (mode, exposed) in cases {
            fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
            assert_eq!(open_to_others(&path), exposed, "{mode:o}");
        }
    }

    #[test]
    fn debug_output_hides_the_secret() {
        let secret = AuthSecret::parse("s".repeat(40)).unwrap();
        assert!(!format!("{secret:?}").contains("sss"));
    }
}
