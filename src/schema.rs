//! The vocabulary (`archive-schema/`): indicator catalog, gazetteer, boundaries. Data, not code:
//! users replace the catalog with their own rubric (评分细则).

/// The loaded, validated vocabulary.
#[derive(Debug, Clone, Default)]
pub struct Schema {}
