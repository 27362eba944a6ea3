//! The taxonomy of altcoin types: a name and a description per category.

use altgate_protocol::Category;
use serde::Deserialize;

/// The taxonomy shipped with this release.
const BUILTIN: &str = include_str!("../data/categories.toml");

/// A category's display name and description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryDoc {
    /// The category.
    pub id: Category,
    /// A short display name.
    pub name: String,
    /// What the category is and what risks a holder should know.
    pub description: String,
}

/// Every category of [`Category::ALL`], documented exactly once.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    docs: Vec<CategoryDoc>,
}

/// Why a taxonomy file was refused.
#[derive(Debug, thiserror::Error)]
pub enum TaxonomyError {
    /// The file is not valid TOML of the expected shape.
    #[error("taxonomy file: {0}")]
    Syntax(#[from] toml::de::Error),
    /// A category appears twice.
    #[error("taxonomy file: category `{0}` is described twice")]
    Duplicate(Category),
    /// A category has no entry.
    #[error("taxonomy file: category `{0}` is not described")]
    Missing(Category),
    /// A category has an empty name or description.
    #[error("taxonomy file: category `{0}` has an empty name or description")]
    Empty(Category),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TaxonomyFile {
    category: Vec<CategoryEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CategoryEntry {
    id: Category,
    name: String,
    description: String,
}

impl Taxonomy {
    /// The taxonomy compiled into this release.
    ///
    /// # Panics
    /// Never at run time: a test proves the built-in file parses.
    pub fn builtin() -> Taxonomy {
        Taxonomy::parse(BUILTIN).expect("the built-in taxonomy is checked by a test")
    }

    /// Parses a taxonomy file, requiring one entry per category.
    pub fn parse(text: &str) -> Result<Taxonomy, TaxonomyError> {
        let file: TaxonomyFile = toml::from_str(text)?;
        let mut docs: Vec<CategoryDoc> = Vec::with_capacity(Category::ALL.len());
        for entry in file.category {
            if docs.iter().any(|d| d.id == entry.id) {
                return Err(TaxonomyError::Duplicate(entry.id));
            }
            let name = entry.name.trim();
            let description = entry.description.split_whitespace().collect::<Vec<_>>().join(" ");
            if name.is_empty() || description.is_empty() {
                return Err(TaxonomyError::Empty(entry.id));
            }
            docs.push(CategoryDoc { id: entry.id, name: name.to_owned(), description });
        }
        if let Some(&missing) = Category::ALL.iter().find(|c| !docs.iter().any(|d| d.id == **c)) {
            return Err(TaxonomyError::Missing(missing));
        }
        docs.sort_by_key(|d| d.id);
        Ok(Taxonomy { docs })
    }

    /// The documentation of one category.
    pub fn doc(&self, category: Category) -> &CategoryDoc {
        // `parse` guarantees exactly one entry per category, sorted in
        // declaration order, so the discriminant is the index.
        &self.docs[category as usize]
    }

    /// All categories, in taxonomy order.
    pub fn iter(&self) -> impl Iterator<Item = &CategoryDoc> {
        self.docs.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_taxonomy_documents_every_category() {
        let taxonomy = Taxonomy::parse(BUILTIN).unwrap();
        for &category in Category::ALL {
            let doc = taxonomy.doc(category);
            assert_eq!(doc.id, category);
            assert!(doc.description.len() > 200, "{category} needs a real paragraph");
        }
    }

    #[test]
    fn a_missing_or_repeated_category_is_refused() {
        let one = "[[category]]\nid = \"privacy\"\nname = \"Privacy\"\ndescription = \"x\"\n";
        assert!(matches!(Taxonomy::parse(one), Err(TaxonomyError::Missing(_))));
        let twice = format!("{one}{one}");
        assert!(matches!(Taxonomy::parse(&twice), Err(TaxonomyError::Duplicate(Category::Privacy))));
    }
}
