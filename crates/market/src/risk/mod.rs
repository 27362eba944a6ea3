//! Risk metrics of a return series, as the empyrical library defines them.
