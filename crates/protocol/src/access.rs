//! Scopes and plans: what a key may do, and how much.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A permission a key carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Scope {
    /// Market data: catalog, prices, history, analytics.
    Read,
    /// Orders and other trading operations.
    Trade,
    /// Managing the keys of the key's own account.
    Keys,
    /// Everything, on every account.
    Admin,
}

impl Scope {
    /// Every scope.
    pub const ALL: [Scope; 4] = [Scope::Read, Scope::Trade, Scope::Keys, Scope::Admin];

    /// The scope as it appears on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Trade => "trade",
            Scope::Keys => "keys",
            Scope::Admin => "admin",
        }
    }

    const fn bit(self) -> u8 {
        1 << self as u8
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Scope {
    type Err = crate::UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Scope::ALL.into_iter().find(|scope| scope.as_str() == s).ok_or_else(|| crate::UnknownValue {
            kind: "scope",
            value: s.to_owned(),
            expected: &["read", "trade", "keys", "admin"],
        })
    }
}

/// A set of scopes. `admin` grants every other scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(from = "Vec<Scope>", into = "Vec<Scope>")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = Vec<Scope>))]
pub struct Scopes(u8);

impl Scopes {
    /// The empty set.
    pub const NONE: Scopes = Scopes(0);

    /// A set of the given scopes.
    pub fn of(scopes: &[Scope]) -> Scopes {
        Scopes(scopes.iter().fold(0, |bits, s| bits | s.bit()))
    }

    /// Whether the set grants `scope` (directly, or through `admin`).
    pub const fn grants(self, scope: Scope) -> bool {
        self.0 & (scope.bit() | Scope::Admin.bit()) != 0
    }

    /// Whether every scope of `other` is granted by this set: the rule for a
    /// key creating another key (least privilege).
    pub fn covers(self, other: Scopes) -> bool {
        other.iter().all(|scope| self.grants(scope))
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The scopes in the set, in [`Scope::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Scope> {
        Scope::ALL.into_iter().filter(move |s| self.0 & s.bit() != 0)
    }
}

impl From<Vec<Scope>> for Scopes {
    fn from(scopes: Vec<Scope>) -> Self {
        Scopes::of(&scopes)
    }
}

impl From<Scopes> for Vec<Scope> {
    fn from(scopes: Scopes) -> Self {
        scopes.iter().collect()
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<_> = self.iter().map(Scope::as_str).collect();
        f.write_str(&names.join(","))
    }
}

/// An account's plan: its default rate limit and monthly quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Plan {
    /// The self-service plan.
    Free,
    /// The first paid tier.
    Silver,
    /// The second paid tier.
    Gold,
    /// The highest tier.
    Platinum,
}

impl Plan {
    /// Every plan, cheapest first.
    pub const ALL: [Plan; 4] = [Plan::Free, Plan::Silver, Plan::Gold, Plan::Platinum];

    /// The plan as it appears on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Plan::Free => "free",
            Plan::Silver => "silver",
            Plan::Gold => "gold",
            Plan::Platinum => "platinum",
        }
    }
}

impl FromStr for Plan {
    type Err = crate::UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Plan::ALL.into_iter().find(|p| p.as_str() == s).ok_or_else(|| crate::UnknownValue {
            kind: "plan",
            value: s.to_owned(),
            expected: &["free", "silver", "gold", "platinum"],
        })
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_grants_everything_and_covers_is_least_privilege() {
        let admin = Scopes::of(&[Scope::Admin]);
        assert!(Scope::ALL.iter().all(|&s| admin.grants(s)));
        let keys_read = Scopes::of(&[Scope::Keys, Scope::Read]);
        assert!(keys_read.covers(Scopes::of(&[Scope::Read])));
        assert!(!keys_read.covers(Scopes::of(&[Scope::Trade])));
        assert!(!keys_read.covers(admin));
        assert!(admin.covers(keys_read));
        assert_eq!(serde_json::to_string(&keys_read).unwrap(), r#"["read","keys"]"#);
        assert_eq!(serde_json::from_str::<Scopes>(r#"["keys","read","keys"]"#).unwrap(), keys_read);
        assert!(serde_json::from_str::<Scopes>(r#"["root"]"#).is_err());
    }
}
