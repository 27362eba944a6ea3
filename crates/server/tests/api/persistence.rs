use altgate_protocol::Asset;
use altgate_server::store::{CatalogStore, DATABASE_FILE, SqliteStore};

use crate::helpers::TestApp;

#[tokio::test]
async fn a_restart_keeps_the_data_and_a_second_load_duplicates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let first = TestApp::spawn_in(dir.path()).await;
    let before = first.all_assets("", 250).await;
    first.stop().await;

    let second = TestApp::spawn_in(dir.path()).await;
    let after = second.all_assets("", 250).await;
    assert_eq!(after, before, "the same catalog, once");
    second.stop().await;

    // Catalog merges write no audit events, so any MAC will do here.
    let store = SqliteStore::open(dir.path(), std::sync::Arc::new(|_: &[u8]| [0u8; 32])).await.unwrap();
    let catalog = altgate_market::Catalog::builtin();
    let report = store.merge_catalog(catalog.assets(), 0).await.unwrap();
    assert_eq!(report.inserted, 0);
    assert_eq!(report.updated, 0);
    assert_eq!(report.unchanged as usize, catalog.assets().len());
}

#[tokio::test]
async fn catalog_loads_never_clobber_an_operator_edit_but_do_add_and_correct() {
    let dir = tempfile::tempdir().unwrap();
    let app = TestApp::spawn_in(dir.path()).await;
    app.stop().await;

    // An operator renames Litecoin; a release also changed Dogecoin's text
    // and dropped nothing.
    let db =
        sqlx::SqlitePool::connect(&format!("sqlite://{}", dir.path().join(DATABASE_FILE).display())).await.unwrap();
    sqlx::query("UPDATE assets SET name = 'Litecoin (operator)', edited_at = 1 WHERE id = 'litecoin'")
        .execute(&db)
        .await
        .unwrap();
    sqlx::query("UPDATE assets SET description = 'stale text' WHERE id = 'dogecoin'").execute(&db).await.unwrap();
    sqlx::query("DELETE FROM assets WHERE id = 'monero'").execute(&db).await.unwrap();
    db.close().await;

    let app = TestApp::spawn_in(dir.path()).await;
    let litecoin: Asset = app.get_ok("/v1/assets/litecoin").await;
    assert_eq!(litecoin.name, "Litecoin (operator)", "the edit survives the load");
    let dogecoin: Asset = app.get_ok("/v1/assets/dogecoin").await;
    assert_ne!(dogecoin.description, "stale text", "unedited rows follow the catalog");
    let monero: Asset = app.get_ok("/v1/assets/monero").await;
    assert!(monero.categories.contains(&altgate_protocol::Category::Privacy), "missing rows come back whole");
    app.stop().await;
}
