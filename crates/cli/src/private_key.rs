//! Ed25519 private key files: one line holding the key's 32-byte seed in
//! base64url without padding (the alphabet of public keys), mode 0600.

use std::fmt;
use std::path::{Path, PathBuf};

use altgate_protocol::signing::PublicKey;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;

use crate::failure::Failure;
use crate::login::say;
use crate::output::{Format, Table, print};
use crate::secure_file;

/// An Ed25519 seed. `Debug` does not show it.
pub(crate) struct Seed([u8; 32]);

impl Seed {
    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    fn parse(text: &str) -> Option<Seed> {
        let bytes = URL_SAFE_NO_PAD.decode(text.trim()).ok()?;
        <[u8; 32]>::try_from(bytes.as_slice()).ok().map(Seed)
    }

    fn render(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0) + "\n"
    }
}

impl fmt::Debug for Seed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Seed(…)")
    }
}

/// Reads the private key file at `path`; one open to group or others is
/// refused.
pub(crate) fn read(path: &Path) -> Result<Seed, Failure> {
    let text = secure_file::read_private(path)?
        .ok_or_else(|| Failure::Local(format!("the private key file {} does not exist", path.display())))?;
    Seed::parse(&text).ok_or_else(|| {
        Failure::Local(format!(
            "{} is not an Ed25519 private key file (one line: 32 bytes in base64url without padding)",
            path.display()
        ))
    })
}

/// A new key pair, as `altgate keys keygen` prints it.
#[derive(Debug, Serialize)]
struct Generated {
    private_key: PathBuf,
    public_key: PublicKey,
}

/// `altgate keys keygen --out PATH`: writes a new private key to `out`
/// (never over an existing file) and prints the public key to register.
pub(crate) fn keygen(out: &Path, format: Format) -> Result<(), Failure> {
    let (seed, public_key) = altgate_client::generate_ed25519()?;
    secure_file::write_new_private(out, Seed(seed).render().as_bytes())?;
    let private_key = std::path::absolute(out).unwrap_or_else(|_| out.to_owned());
    let generated = Generated { private_key, public_key };
    match format {
        Format::Json => print(format, &generated, Table::default),
        Format::Table => {
            let (path, key) = (generated.private_key.display(), &generated.public_key);
            say(&format!(
                "Private key: {path} (mode 0600; keep it secret)\nPublic key:  {key}\n\
                 Register it: altgate keys create --name NAME --scopes read --ed25519-public-key {key}"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_round_trips_through_its_line_and_nothing_else_parses() {
        let seed = Seed([42; 32]);
        let line = seed.render();
        assert_eq!(line.trim_end().len(), 43);
        assert_eq!(Seed::parse(&line).map(|s| s.0), Some([42; 32]));
        assert!(Seed::parse(&line[..40]).is_none(), "too short");
        assert!(Seed::parse(&format!("{}=", line.trim_end())).is_none(), "padding");
        assert!(!format!("{seed:?}").contains(line.trim_end()));
    }
}
