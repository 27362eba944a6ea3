use std::collections::BTreeSet;

use altgate_protocol::{Asset, Category, CategoryList, Consensus};

use crate::helpers::TestApp;

#[tokio::test]
async fn the_catalog_loads_and_every_category_holds_at_least_two_assets() {
    let app = TestApp::spawn().await;
    let assets = app.all_assets("", 250).await;
    assert!(assets.len() >= 60, "{} assets", assets.len());

    let categories: CategoryList = app.get_ok("/v1/categories").await;
    let listed: Vec<Category> = categories.data.iter().map(|c| c.id).collect();
    assert_eq!(listed, Category::ALL, "every category, in taxonomy order");
    for info in &categories.data {
        let holding = assets.iter().filter(|a| a.categories.contains(&info.id)).count() as u64;
        assert_eq!(info.asset_count, holding, "{}", info.id);
        assert!(holding >= 2, "{} holds {holding}", info.id);
        assert!(!info.description.is_empty() && !info.name.is_empty());
    }

    let bitcoin: Asset = app.get_ok("/v1/assets/bitcoin").await;
    assert!(bitcoin.reference_asset);
    assert_eq!(assets.iter().filter(|a| a.reference_asset).count(), 1);
    let ethereum: Asset = app.get_ok("/v1/assets/ethereum").await;
    assert_eq!(Some(&ethereum), assets.iter().find(|a| a.id.as_str() == "ethereum"));
    app.stop().await;
}

/// Each filter combination, checked against the same filter applied to the
/// whole catalog on the client side.
#[tokio::test]
async fn filters_combine_as_a_conjunction() {
    let app = TestApp::spawn().await;
    let all = app.all_assets("", 250).await;
    let ids = |assets: &[Asset]| assets.iter().map(|a| a.id.to_string()).collect::<Vec<_>>();
    let expect = |keep: &dyn Fn(&Asset) -> bool| ids(&all.iter().filter(|a| keep(a)).cloned().collect::<Vec<_>>());

    let cases: Vec<(&str, Vec<String>)> = vec![
        ("category=privacy", expect(&|a| a.categories.contains(&Category::Privacy))),
        (
            "category=privacy&category=proof-of-work",
            expect(&|a| a.categories.contains(&Category::Privacy) && a.categories.contains(&Category::ProofOfWork)),
        ),
        (
            "category=governance&category=energy-efficient&consensus=none",
            expect(&|a| {
                a.categories.contains(&Category::Governance)
                    && a.categories.contains(&Category::EnergyEfficient)
                    && a.consensus == Consensus::None
            }),
        ),
        ("consensus=proof-of-work", expect(&|a| a.consensus == Consensus::ProofOfWork)),
        ("symbol=eth", expect(&|a| a.symbol.eq_ignore_ascii_case("eth"))),
        ("q=coin", expect(&|a| a.name.to_lowercase().contains("coin") || a.symbol.to_lowercase().contains("coin"))),
        (
            "q=BIT&consensus=proof-of-work",
            expect(&|a| {
                (a.name.to_lowercase().contains("bit") || a.symbol.to_lowercase().contains("bit"))
                    && a.consensus == Consensus::ProofOfWork
            }),
        ),
        ("category=stablecoin&category=proof-of-work", vec![]),
    ];
    for (query, expected) in cases {
        let got = ids(&app.all_assets(query, 250).await);
        assert_eq!(got, expected, "{query}");
        if query != "category=stablecoin&category=proof-of-work" {
            assert!(!got.is_empty(), "{query} should match something in the shipped catalog");
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn pagination_walks_the_whole_catalog_exactly_once() {
    let app = TestApp::spawn().await;
    let reference: Vec<String> = app.all_assets("", 250).await.iter().map(|a| a.id.to_string()).collect();
    let mut sorted = reference.clone();
    sorted.sort();
    assert_eq!(reference, sorted, "pages are ordered by id");

    for limit in [1, 7, 100] {
        let walked: Vec<String> = app.all_assets("", limit).await.iter().map(|a| a.id.to_string()).collect();
        assert_eq!(walked, reference, "limit {limit}");
        let unique: BTreeSet<_> = walked.iter().collect();
        assert_eq!(unique.len(), walked.len(), "no repeats at limit {limit}");
    }
    let filtered = app.all_assets("category=governance", 3).await;
    assert_eq!(filtered.len(), app.all_assets("category=governance", 250).await.len(), "filters hold across pages");
    app.stop().await;
}
