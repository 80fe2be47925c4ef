//! Coverage ledger.
