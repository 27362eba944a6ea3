//! Strict query-string parsing: every parameter is named in its error, and
//! unknown or repeated parameters are refused rather than silently ignored.

use std::borrow::Cow;
use std::fmt::Display;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::error::ApiError;

/// The parameters of one query string, consumed by name.
#[derive(Debug)]
pub(crate) struct QueryParams<'q> {
    pairs: Vec<(Cow<'q, str>, Cow<'q, str>)>,
    taken: Vec<bool>,
    known: Vec<&'static str>,
}

impl<'q> QueryParams<'q> {
    /// Splits a raw query (`a=1&b=2`) into decoded pairs.
    pub(crate) fn parse(query: Option<&'q str>) -> Self {
        let pairs: Vec<_> = form_urlencoded::parse(query.unwrap_or_default().as_bytes()).collect();
        let taken = vec![false; pairs.len()];
        QueryParams { pairs, taken, known: Vec::new() }
    }

    /// The value of a parameter that may appear at most once.
    pub(crate) fn one<T, E: Display>(
        &mut self,
        name: &'static str,
        parse: impl Fn(&str) -> Result<T, E>,
    ) -> Result<Option<T>, ApiError> {
        let mut values = self.take(name);
        let Some(first) = values.next() else {
            return Ok(None);
        };
        if values.next().is_some() {
            return Err(ApiError::invalid_parameter(name, "may be given only once"));
        }
        parse(&first).map(Some).map_err(|e| ApiError::invalid_parameter(name, e))
    }

    /// Every value of a repeatable parameter, in order.
    pub(crate) fn all<T, E: Display>(
        &mut self,
        name: &'static str,
        parse: impl Fn(&str) -> Result<T, E>,
    ) -> Result<Vec<T>, ApiError> {
        let values: Vec<_> = self.take(name).collect();
        values.iter().map(|v| parse(v).map_err(|e| ApiError::invalid_parameter(name, e))).collect()
    }

    /// Fails on the first parameter no one asked for.
    pub(crate) fn finish(self) -> Result<(), ApiError> {
        let unknown = self.pairs.iter().zip(&self.taken).find(|(_, taken)| !**taken);
        match unknown {
            None => Ok(()),
            Some(((name, _), _)) if self.known.is_empty() => {
                Err(ApiError::invalid_parameter(name, "is not accepted; this endpoint takes no parameters"))
            }
            Some(((name, _), _)) => Err(ApiError::invalid_parameter(
                name,
                format_args!("is not accepted; expected one of: {}", self.known.join(", ")),
            )),
        }
    }

    fn take(&mut self, name: &'static str) -> impl Iterator<Item = Cow<'q, str>> + '_ {
        self.known.push(name);
        self.pairs.iter().zip(self.taken.iter_mut()).filter(move |((n, _), _)| n == name).map(|((_, value), taken)| {
            *taken = true;
            value.clone()
        })
    }
}

/// An extractor for endpoints that take no query parameters: any given is
/// refused, so a typo never passes silently.
#[derive(Debug)]
pub(crate) struct NoParams;

impl<S: Send + Sync> FromRequestParts<S> for NoParams {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        QueryParams::parse(parts.uri.query()).finish().map(|()| NoParams)
    }
}

/// Parses an integer within `min..=max`, with a message that says so.
pub(crate) fn int_in_range(min: u32, max: u32) -> impl Fn(&str) -> Result<u32, String> {
    move |s| match s.parse::<u32>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(format!("must be an integer from {min} to {max}, got `{s}`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detail(e: &ApiError) -> String {
        format!("{e:?}")
    }

    #[test]
    fn repeated_unknown_and_bad_values_name_the_parameter() {
        let mut q = QueryParams::parse(Some("limit=5&category=a&category=b&q=x+y%21"));
        assert_eq!(q.one("limit", int_in_range(1, 10)).unwrap(), Some(5));
        assert_eq!(q.all("category", |s| Ok::<_, String>(s.to_owned())).unwrap(), ["a", "b"]);
        assert_eq!(q.one("q", |s| Ok::<_, String>(s.to_owned())).unwrap().as_deref(), Some("x y!"));
        assert!(q.finish().is_ok());

        let mut q = QueryParams::parse(Some("limit=5&limit=6"));
        assert!(detail(&q.one("limit", int_in_range(1, 10)).unwrap_err()).contains("only once"));

        let mut q = QueryParams::parse(Some("limit=0"));
        let err = detail(&q.one("limit", int_in_range(1, 10)).unwrap_err());
        assert!(err.contains("`limit`") && err.contains("from 1 to 10"), "{err}");

        let mut q = QueryParams::parse(Some("limt=5"));
        assert_eq!(q.one("limit", int_in_range(1, 10)).unwrap(), None);
        let err = detail(&q.finish().unwrap_err());
        assert!(err.contains("`limt`") && err.contains("limit"), "{err}");
    }
}
