//! Cursor pagination.

use serde::{Deserialize, Serialize};

/// One page of a list. Pass `next_cursor` back as `cursor` to get the next
/// page; it is absent on the last page. Cursors are opaque.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    /// The items of this page, in a stable order.
    pub data: Vec<T>,
    /// The cursor of the next page, or `null` on the last page.
    pub next_cursor: Option<String>,
}
