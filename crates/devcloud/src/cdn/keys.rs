//! The CloudFront key pair: generated on first start and kept in the data dir, as a real
//! deployment keeps the private key in a secret store and uploads the public key to CloudFront.

use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};

use rsa::RsaPrivateKey;
use rsa::pkcs1::{DecodeRsaPrivateKey as _, EncodeRsaPrivateKey as _};
use rsa::pkcs8::{DecodePrivateKey as _, EncodePublicKey as _, LineEnding};

/// PKCS#1 PEM (`BEGIN RSA PRIVATE KEY`), as `openssl genrsa` writes it for CloudFront.
pub const PRIVATE_KEY_FILE: &str = "cloudfront-private-key.pem";
/// SubjectPublicKeyInfo PEM, the form CloudFront's public-key upload takes.
pub const PUBLIC_KEY_FILE: &str = "cloudfront-public-key.pem";
const KEY_BITS: usize = 2048;

/// Why the key pair could not be loaded or created.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: not an RSA private key in PEM form", path.display())]
    Decode { path: PathBuf },
    #[error("generating the RSA key: {0}")]
    Generate(#[from] rsa::Error),
    #[error("encoding the key: {0}")]
    Encode(String),
}

/// Loads the private key from `data_dir`, or creates the pair there. Blocking (key generation
/// takes a while): call it off the async runtime.
pub fn load_or_create(data_dir: &Path) -> Result<RsaPrivateKey, KeyError> {
    let private_path = data_dir.join(PRIVATE_KEY_FILE);
    match std::fs::read_to_string(&private_path) {
        Ok(pem) => {
            return RsaPrivateKey::from_pkcs1_pem(&pem)
                .or_else(|_| RsaPrivateKey::from_pkcs8_pem(&pem))
                .map_err(|_| KeyError::Decode { path: private_path });
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(source) => {
            return Err(KeyError::Io {
                path: private_path,
                source,
            });
        }
    }
    let key = RsaPrivateKey::new(&mut rand::thread_rng(), KEY_BITS)?;
    let private_pem = key
        .to_pkcs1_pem(LineEnding::LF)
        .map_err(|e| KeyError::Encode(e.to_string()))?;
    let public_pem = key
        .to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| KeyError::Encode(e.to_string()))?;
    write_atomically(
        &data_dir.join(PUBLIC_KEY_FILE),
        public_pem.as_bytes(),
        0o644,
    )?;
    // The private key last: its presence means the pair is complete.
    write_atomically(&private_path, private_pem.as_bytes(), 0o600)?;
    tracing::info!(path = %private_path.display(), "created the CloudFront key pair");
    Ok(key)
}

fn write_atomically(path: &Path, bytes: &[u8], mode: u32) -> Result<(), KeyError> {
    let io = |source| KeyError::Io {
        path: path.to_owned(),
        source,
    };
    let temp = path.with_extension(format!("tmp{}", std::process::id()));
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(mode)
        .open(&temp)
        .map_err(io)?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(io)?;
    std::fs::rename(&temp, path).map_err(io)
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    #[test]
    fn the_pair_is_created_once_then_reused() {
        let dir = tempfile::tempdir().unwrap();
        let first = load_or_create(dir.path()).unwrap();
        let mode = std::fs::metadata(dir.path().join(PRIVATE_KEY_FILE))
            .unwrap()
            .permissions();
        assert_eq!(mode.mode() & 0o777, 0o600);
        let pem = std::fs::read_to_string(dir.path().join(PRIVATE_KEY_FILE)).unwrap();
        assert!(pem.starts_with("-----BEGIN RSA PRIVATE KEY-----"));
        let public = std::fs::read_to_string(dir.path().join(PUBLIC_KEY_FILE)).unwrap();
        assert!(public.starts_with("-----BEGIN PUBLIC KEY-----"));
        let second = load_or_create(dir.path()).unwrap();
        assert_eq!(first, second);
    }
}
