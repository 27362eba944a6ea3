//! The client's key ring: the key in use, the one that follows it, and
//! where they come from, so a key can be rotated under a running client
//! without a failed call.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

use crate::Error;
use crate::credentials::{Credentials, FromEnv, Loaded, parse_env, parse_file};

/// Looks up an environment variable (or a stand-in for it).
pub(crate) type Lookup = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// Where the ring's keys come from, to read them again.
enum Source {
    /// Given in code: nothing to read again.
    Given,
    /// A credentials file, with the modification time last read.
    File { path: PathBuf, seen: Option<SystemTime> },
    /// Environment variables.
    Env(Lookup),
}

impl fmt::Debug for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Given => f.write_str("Given"),
            Source::File { path, .. } => f.debug_tuple("File").field(path).finish(),
            Source::Env(_) => f.write_str("Env"),
        }
    }
}

/// The key in use, the next one, and their source.
#[derive(Debug)]
pub(crate) struct KeyRing {
    current: Option<Credentials>,
    next: Option<Credentials>,
    /// Counts changes of `current`, so a refusal of a key the ring has
    /// already moved past is not taken for a refusal of the new one.
    generation: u64,
    source: Source,
}

impl KeyRing {
    /// A ring of keys given in code.
    pub(crate) fn given(current: Option<Credentials>) -> KeyRing {
        KeyRing { current, next: None, generation: 0, source: Source::Given }
    }

    /// A ring that reads `path` now and again whenever it changes.
    pub(crate) fn watching(path: &Path) -> Result<KeyRing, Error> {
        let (loaded, seen) = read_file(path)?;
        let mut ring = KeyRing::given(None);
        ring.source = Source::File { path: path.to_owned(), seen };
        ring.apply(loaded);
        Ok(ring)
    }

    /// A ring from the environment: the file it names, or its keys.
    pub(crate) fn from_env(lookup: Lookup) -> Result<KeyRing, Error> {
        match parse_env(&*lookup)? {
            FromEnv::File(path) => KeyRing::watching(&path),
            FromEnv::Keys(loaded) => {
                let mut ring = KeyRing::given(None);
                ring.source = Source::Env(lookup);
                ring.apply(*loaded);
                Ok(ring)
            }
        }
    }

    pub(crate) fn current(&self) -> Option<&Credentials> {
        self.current.as_ref()
    }

    pub(crate) fn generation(&self) -> u64 {
        self.generation
    }

    pub(crate) fn set_next(&mut self, next: Credentials) {
        self.next = Some(next);
    }

    fn switch_to(&mut self, credentials: Credentials) {
        self.current = Some(credentials);
        self.generation += 1;
    }

    /// Takes keys read from the source. A source that still names the key
    /// this ring already moved to as the next one keeps it current.
    fn apply(&mut self, loaded: Loaded) {
        let moved_on = match (&self.current, &loaded.next) {
            (Some(current), Some(next)) => current.same_key(next),
            _ => false,
        };
        if moved_on {
            self.next = None;
        } else {
            self.switch_to(loaded.current);
            self.next = loaded.next;
        }
    }

    /// Rereads the credentials file if its modification time changed. A
    /// file that cannot be read or parsed now (say, half written) leaves the
    /// keys as they are, and is read again on the next call.
    pub(crate) fn reload_if_changed(&mut self) {
        let Source::File { path, seen } = &self.source else { return };
        let modified = modified(path);
        if modified.is_some() && modified == *seen {
            return;
        }
        if let Ok((loaded, modified)) = read_file(path) {
            self.source = Source::File { path: path.clone(), seen: modified };
            self.apply(loaded);
        }
    }

    /// After the server refused the key of `generation` (expired, revoked
    /// or unknown): true when there is another key to try, because the
    /// ring has moved on since, or to the next key it holds.
    pub(crate) fn advance(&mut self, generation: u64) -> bool {
        if generation != self.generation {
            return true;
        }
        match self.next.take() {
            Some(next) => {
                self.switch_to(next);
                true
            }
            None => false,
        }
    }

    /// Reads the source again, whatever the file's time says, and switches
    /// to the first key it names that is not the refused current one. False
    /// when it names no other key or cannot be read.
    pub(crate) fn reread(&mut self) -> bool {
        let loaded = match &self.source {
            Source::Given => return false,
            Source::File { path, .. } => match read_file(path) {
                Ok((loaded, modified)) => {
                    self.source = Source::File { path: path.clone(), seen: modified };
                    loaded
                }
                Err(_) => return false,
            },
            Source::Env(lookup) => match parse_env(&**lookup) {
                Ok(FromEnv::Keys(loaded)) => *loaded,
                Ok(FromEnv::File(path)) => match read_file(&path) {
                    Ok((loaded, seen)) => {
                        self.source = Source::File { path, seen };
                        loaded
                    }
                    Err(_) => return false,
                },
                Err(_) => return false,
            },
        };
        let current = self.current.as_ref();
        let refused = |c: &Credentials| current.is_some_and(|current| current.same_key(c));
        let (current_refused, next_refused) = (refused(&loaded.current), loaded.next.as_ref().map(refused));
        match (current_refused, loaded.next, next_refused) {
            (false, next, _) => {
                self.switch_to(loaded.current);
                self.next = next;
                true
            }
            (true, Some(next), Some(false)) => {
                self.switch_to(next);
                true
            }
            _ => false,
        }
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Reads and parses the credentials file, with its modification time.
fn read_file(path: &Path) -> Result<(Loaded, Option<SystemTime>), Error> {
    let seen = modified(path);
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::Config(format!("credentials file {}: {e}", path.display())))?;
    let loaded = parse_file(&text).map_err(|e| match e {
        Error::Config(message) => Error::Config(format!("credentials file {}: {message}", path.display())),
        other => other,
    })?;
    Ok((loaded, seen))
}

/// Locks the ring; a poisoned lock still holds usable credentials.
pub(crate) fn lock(ring: &Mutex<KeyRing>) -> MutexGuard<'_, KeyRing> {
    ring.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::sync::RwLock;

    use super::*;
    use crate::test_keys::{id, key};

    fn current_id(ring: &KeyRing) -> Option<String> {
        ring.current().and_then(Credentials::key_id).map(|k| k.as_str().to_owned())
    }

    #[test]
    fn a_refusal_of_a_key_already_replaced_only_retries() {
        let mut ring = KeyRing::given(Some(Credentials::hmac(&id(1), &key(1)).unwrap()));
        ring.set_next(Credentials::hmac(&id(2), &key(2)).unwrap());
        let first = ring.generation();
        assert!(ring.advance(first));
        assert_eq!(current_id(&ring), Some(id(2)));
        // A second call refused with the first key, concurrently: it retries
        // with the second, which is not dropped.
        assert!(ring.advance(first));
        assert_eq!(current_id(&ring), Some(id(2)));
        assert!(!ring.advance(ring.generation()), "no key after the second");
        assert!(!ring.reread(), "keys given in code have nowhere to be read from");
    }

    #[test]
    fn the_environment_is_read_again_and_only_a_different_key_counts() {
        let vars = Arc::new(RwLock::new(vec![(KEY_ID, id(1)), (KEY, key(1))]));
        let shared = Arc::clone(&vars);
        let lookup: Lookup =
            Arc::new(move |name| shared.read().unwrap().iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone()));
        let mut ring = KeyRing::from_env(lookup).unwrap();
        assert_eq!(current_id(&ring), Some(id(1)));
        assert!(!ring.reread(), "the environment still names the refused key");
        *vars.write().unwrap() = vec![(KEY_ID, id(2)), (KEY, key(2))];
        assert!(ring.reread());
        assert_eq!(current_id(&ring), Some(id(2)));
        *vars.write().unwrap() = vec![(KEY_ID, id(2)), (KEY, key(2)), (NEXT_KEY_ID, id(3)), (NEXT_KEY, key(3))];
        assert!(ring.reread(), "the next key is taken when the current one is the refused one");
        assert_eq!(current_id(&ring), Some(id(3)));
    }

    #[test]
    fn a_file_still_naming_the_key_moved_to_as_next_keeps_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("altgate.toml");
        let text = format!(
            "key_id = \"{}\"\nkey = \"{}\"\nnext_key_id = \"{}\"\nnext_key = \"{}\"\n",
            id(1),
            key(1),
            id(2),
            key(2)
        );
        std::fs::write(&path, &text).unwrap();
        let mut ring = KeyRing::watching(&path).unwrap();
        assert!(ring.advance(ring.generation()));
        assert_eq!(current_id(&ring), Some(id(2)));
        let (loaded, _) = read_file(&path).unwrap();
        ring.apply(loaded);
        assert_eq!(current_id(&ring), Some(id(2)));
        // Half written: the keys stay.
        std::fs::write(&path, "key_id = \"").unwrap();
        ring.reload_if_changed();
        assert_eq!(current_id(&ring), Some(id(2)));
    }

    const KEY_ID: &str = crate::credentials::KEY_ID_VAR;
    const KEY: &str = crate::credentials::KEY_VAR;
    const NEXT_KEY_ID: &str = crate::credentials::NEXT_KEY_ID_VAR;
    const NEXT_KEY: &str = crate::credentials::NEXT_KEY_VAR;
}
