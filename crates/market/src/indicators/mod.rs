//! Technical indicators, exact to TA-Lib, in batch and streaming forms.
