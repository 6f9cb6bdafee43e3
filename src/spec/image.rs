//! Reading an image reference: its tag, which becomes the `app.kubernetes.io/version` label
//! and the release `status` and `check` compare across components.

/// The tag of an image, if it is a valid label value.
pub fn version_of(image: &str) -> Option<String> {
    let without_digest = image.split('@').next()?;
    let last = without_digest.rsplit('/').next()?;
    let tag = last.split_once(':')?.1;
    let valid = !tag.is_empty()
        && tag.len() <= 63
        && tag
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && tag.chars().next()?.is_ascii_alphanumeric()
        && tag.chars().last()?.is_ascii_alphanumeric();
    valid.then(|| tag.to_string())
}

#[cfg(test)]
mod tests {
    use super::version_of;

    #[test]
    fn versions_come_from_tags() {
        assert_eq!(
            version_of("skyfloaiagent/ui:v0.7.0").as_deref(),
            Some("v0.7.0")
        );
        assert_eq!(version_of("localhost:5000/ui").as_deref(), None);
        assert_eq!(version_of("redis").as_deref(), None);
    }
}
