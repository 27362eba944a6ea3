//! Portfolios: correlation, concentration, diversification.
