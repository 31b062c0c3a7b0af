//! A request's parameters: the query string and, for a form POST (the `formPost`
//! extension), the body's fields, in order. Subsonic repeats a name for a list (`songId`).

use std::str::FromStr;

use super::envelope::{Code, SubsonicError};

/// Every `name=value` of a request, in order.
#[derive(Debug, Clone, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    #[must_use]
    pub fn new(pairs: Vec<(String, String)>) -> Self {
        Self(pairs)
    }

    /// The first value of `name`, if given.
    #[must_use]
    pub fn one(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Whether `name` is given at all (even empty).
    #[must_use]
    pub fn has(&self, name: &str) -> bool {
        self.one(name).is_some()
    }

    /// Every value of `name`, in order.
    #[must_use]
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .collect()
    }

    /// The value of `name`, or error 10.
    pub fn required(&self, name: &str) -> Result<&str, SubsonicError> {
        self.one(name)
            .filter(|value| !value.is_empty())
            .ok_or_else(|| SubsonicError::missing(name))
    }

    /// `name` read as a number or a boolean; absent or empty is `None`, anything else
    /// unreadable is error 0 naming it.
    pub fn parsed<T: FromStr>(&self, name: &str) -> Result<Option<T>, SubsonicError> {
        self.one(name)
            .filter(|value| !value.is_empty())
            .map(|value| {
                value.parse().map_err(|_| {
                    SubsonicError::new(
                        Code::Generic,
                        format!("Parameter '{name}' has a value devcloud cannot read: {value:?}."),
                    )
                })
            })
            .transpose()
    }

    /// Every value of `name`, each read as [`Self::parsed`] reads one.
    pub fn all_parsed<T: FromStr>(&self, name: &str) -> Result<Vec<T>, SubsonicError> {
        self.all(name)
            .into_iter()
            .map(|value| {
                value.parse().map_err(|_| {
                    SubsonicError::generic(format!(
                        "Parameter '{name}' has a value devcloud cannot read: {value:?}."
                    ))
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        Params::new(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn repeated_names_are_lists_and_the_first_wins_for_one() {
        let p = params(&[("songId", "a"), ("id", "x"), ("songId", "b")]);
        assert_eq!(p.all("songId"), ["a", "b"]);
        assert_eq!(p.one("songId"), Some("a"));
        assert_eq!(p.required("id").unwrap(), "x");
        assert_eq!(p.required("c").unwrap_err().code, Code::MissingParameter);
    }

    #[test]
    fn numbers_are_read_or_refused() {
        let p = params(&[("size", "5"), ("offset", ""), ("count", "many")]);
        assert_eq!(p.parsed::<usize>("size").unwrap(), Some(5));
        assert_eq!(p.parsed::<usize>("offset").unwrap(), None);
        assert_eq!(p.parsed::<usize>("absent").unwrap(), None);
        assert_eq!(p.parsed::<usize>("count").unwrap_err().code, Code::Generic);
    }
}
