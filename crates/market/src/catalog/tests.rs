use super::*;

fn asset<'a>(catalog: &'a Catalog, id: &str) -> &'a Asset {
    catalog.assets().iter().find(|a| a.id.as_str() == id).unwrap_or_else(|| panic!("{id}"))
}

const MINI: &str = r#"
[[asset]]
id = "ethereum"
symbol = "ETH"
name = "Ethereum"
categories = ["utility"]
consensus = "proof-of-stake"
native_chain = "Ethereum"
launch_year = 2015
description = "A chain."

[[asset]]
id = "powcoin"
symbol = "POW"
name = "Pow"
categories = []
consensus = "proof-of-work"
native_chain = "Pow"
launch_year = 2014
description = "A mined chain."

[[asset]]
id = "stable"
symbol = "STB"
name = "Stable"
categories = []
consensus = "none"
platform = "ethereum"
standard = "ERC-20"
peg = { target = "USD", kind = "fiat-backed" }
launch_year = 2018
description = "A token."

[[asset]]
id = "powtoken"
symbol = "PT"
name = "Pow token"
categories = []
consensus = "none"
platform = "powcoin"
standard = "PRC-1"
launch_year = 2019
description = "A token on a mined chain."
"#;

#[test]
fn builtin_catalog_is_consistent_and_covers_the_taxonomy() {
    let catalog = Catalog::parse(BUILTIN).unwrap();
    let assets = catalog.assets();
    assert!(assets.len() >= 60, "only {} assets", assets.len());

    let ids: BTreeSet<_> = assets.iter().map(|a| &a.id).collect();
    assert_eq!(ids.len(), assets.len(), "ids are unique");
    for a in assets {
        if let Some(parent) = &a.fork_of {
            assert!(ids.contains(parent), "{} forks unknown {parent}", a.id);
        }
        if let Chain::Token { platform, .. } = &a.chain {
            assert!(ids.contains(platform), "{} hosted on unknown {platform}", a.id);
        }
        assert!(a.categories.windows(2).all(|w| w[0] < w[1]), "{} categories sorted", a.id);
    }
    for &category in Category::ALL {
        let n = assets.iter().filter(|a| a.categories.contains(&category)).count();
        assert!(n >= 2, "category {category} has {n} assets");
    }
    let references: Vec<_> = assets.iter().filter(|a| a.reference_asset).collect();
    assert_eq!(references.len(), 1);
    assert_eq!(references[0].id.as_str(), "bitcoin");

    let symbols: BTreeSet<_> = assets.iter().map(|a| a.symbol.as_str()).collect();
    for required in [
        "ETH", "XRP", "LTC", "ADA", "BCH", "ETC", "XMR", "ZEC", "USDT", "USDC", "DAI", "BNB", "UNI", "AAVE", "MKR",
        "AXS", "SAND", "MANA", "DOT", "ATOM", "LINK", "SOL", "DOGE", "FIL",
    ] {
        assert!(symbols.contains(required), "{required} is missing");
    }
}

#[test]
fn derived_categories_follow_from_the_facts() {
    let catalog = Catalog::parse(MINI).unwrap();
    assert_eq!(
        asset(&catalog, "ethereum").categories,
        [Category::Utility, Category::EnergyEfficient, Category::ProofOfStake]
    );
    assert_eq!(asset(&catalog, "powcoin").categories, [Category::ProofOfWork]);
    // A token inherits energy efficiency from its host chain.
    assert_eq!(asset(&catalog, "stable").categories, [Category::Stablecoin, Category::EnergyEfficient]);
    assert_eq!(asset(&catalog, "powtoken").categories, []);
}

#[test]
fn an_override_beats_the_energy_rule() {
    let text = MINI.replace("launch_year = 2018", "launch_year = 2018\nenergy_efficient = false");
    let catalog = Catalog::parse(&text).unwrap();
    assert_eq!(asset(&catalog, "stable").categories, [Category::Stablecoin]);
}

fn refused(text: &str) -> String {
    Catalog::parse(text).unwrap_err().to_string()
}

#[test]
fn broken_entries_are_refused_with_the_asset_named() {
    let hand_derived = MINI.replace("categories = [\"utility\"]", "categories = [\"proof-of-stake\"]");
    assert_eq!(
        refused(&hand_derived),
        "asset `ethereum`: category `proof-of-stake` is derived from the facts; remove it"
    );

    let unknown_platform = MINI.replace("platform = \"powcoin\"", "platform = \"nowhere\"");
    assert_eq!(refused(&unknown_platform), "asset `powtoken`: platform `nowhere` is not in the catalog");

    let bad_fork = MINI.replace("launch_year = 2014", "launch_year = 2014\nfork_of = \"ghost\"");
    assert!(refused(&bad_fork).starts_with("asset `powcoin`: fork_of `ghost`"));

    let token_with_consensus = MINI.replace(
        "consensus = \"none\"\nplatform = \"powcoin\"",
        "consensus = \"proof-of-work\"\nplatform = \"powcoin\"",
    );
    assert_eq!(refused(&token_with_consensus), "asset `powtoken`: a token's consensus must be none");

    let duplicate = MINI.replace("id = \"powtoken\"", "id = \"stable\"");
    assert_eq!(refused(&duplicate), "asset `stable`: the id appears more than once");

    let bad_peg = MINI.replace("target = \"USD\"", "target = \"dollars\"");
    assert!(refused(&bad_peg).contains("not an ISO 4217 code"));

    let unknown_key = MINI.replace("launch_year = 2014", "launch_year = 2014\nprice = 3");
    assert!(refused(&unknown_key).contains("unknown field `price`"));
}
