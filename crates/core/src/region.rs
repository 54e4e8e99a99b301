//! The region's format for numbers, money and dates: the locale the person
//! chose for formats, which is not always the language the system speaks.
//! (On Windows and macOS the preferred display language and the regional
//! format are separate settings: an English system set to the German region
//! writes "1.234,50".)
//!
//! Each system names it differently; [`from_posix`] and [`from_apple`] turn
//! those names into BCP 47 tags (`de-DE`), which the UI hands to `Intl`.

/// The system's regional format, as a BCP 47 tag; `None` when it names none
/// (the C locale), and the UI falls back to the webview's language.
pub fn system() -> Option<String> {
    #[cfg(windows)]
    {
        windows::user_default_locale()
    }
    #[cfg(target_os = "macos")]
    {
        use objc2_foundation::NSLocale;
        from_apple(&NSLocale::currentLocale().localeIdentifier().to_string())
    }
    #[cfg(not(any(windows, target_os = "macos")))]
    {
        from_env(|name| std::env::var(name).ok())
    }
}

/// The locale that formats numbers under POSIX rules: `LC_ALL` overrides
/// every category, then `LC_NUMERIC`, then `LANG`.
pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Option<String> {
    ["LC_ALL", "LC_NUMERIC", "LANG"]
        .into_iter()
        .filter_map(var)
        .find(|value| !value.is_empty())
        .and_then(|value| from_posix(&value))
}

/// A POSIX locale name (`de_DE.UTF-8`, `sr_RS@latin`) as a BCP 47 tag.
pub fn from_posix(name: &str) -> Option<String> {
    let (name, modifier) = match name.split_once('@') {
        Some((name, modifier)) => (name, Some(modifier)),
        None => (name, None),
    };
    let name = name.split('.').next().unwrap_or_default();
    if name.is_empty() || name == "C" || name == "POSIX" {
        return None;
    }
    let mut parts = name.split('_');
    let language = parts.next().filter(|l| is_alpha(l, 2..=3))?;
    let region = parts
        .next()
        .filter(|r| is_alpha(r, 2..=2) || is_digits(r, 3));
    // The two modifiers glibc uses for a script or a variant that changes
    // how numbers and dates are written; the others (`euro`, collation) do not.
    let (script, variant) = match modifier {
        Some("latin") => (Some("Latn"), None),
        Some("cyrillic") => (Some("Cyrl"), None),
        Some("valencia") => (None, Some("valencia")),
        _ => (None, None),
    };
    Some(join(language, script, region, variant))
}

/// An Apple locale identifier (`en_DE`, `zh-Hans_CN`, `en_US@rg=dezzzz`) as a
/// BCP 47 tag. A `rg` keyword is the region chosen for formats, apart from
/// the language's own: it wins.
pub fn from_apple(identifier: &str) -> Option<String> {
    let (base, keywords) = match identifier.split_once('@') {
        Some((base, keywords)) => (base, keywords),
        None => (identifier, ""),
    };
    let format_region = keywords
        .split(';')
        .find_map(|k| k.strip_prefix("rg="))
        .filter(|rg| rg.len() == 6 && rg.ends_with("zzzz"))
        .map(|rg| rg[..2].to_ascii_uppercase());
    let (language_part, region) = match base.split_once('_') {
        Some((language, rest)) => (language, rest.split('_').next()),
        None => (base, None),
    };
    let mut subtags = language_part.split('-');
    let language = subtags.next().filter(|l| is_alpha(l, 2..=3))?;
    let script = subtags.next().filter(|s| is_alpha(s, 4..=4));
    let region = format_region.or_else(|| {
        region
            .filter(|r| is_alpha(r, 2..=2) || is_digits(r, 3))
            .map(str::to_owned)
    });
    Some(join(language, script, region.as_deref(), None))
}

fn join(
    language: &str,
    script: Option<&str>,
    region: Option<&str>,
    variant: Option<&str>,
) -> String {
    let mut tag = language.to_ascii_lowercase();
    if let Some(script) = script {
        let mut chars = script.chars();
        if let Some(first) = chars.next() {
            tag.push('-');
            tag.push(first.to_ascii_uppercase());
            tag.push_str(&chars.as_str().to_ascii_lowercase());
        }
    }
    if let Some(region) = region {
        tag.push('-');
        tag.push_str(&region.to_ascii_uppercase());
    }
    if let Some(variant) = variant {
        tag.push('-');
        tag.push_str(variant);
    }
    tag
}

fn is_alpha(s: &str, len: std::ops::RangeInclusive<usize>) -> bool {
    len.contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphabetic())
}

fn is_digits(s: &str, len: usize) -> bool {
    s.len() == len && s.chars().all(|c| c.is_ascii_digit())
}

#[cfg(windows)]
mod windows {
    use windows_sys::Win32::Globalization::GetUserDefaultLocaleName;

    /// `LOCALE_NAME_MAX_LENGTH`, in UTF-16 units with the terminating nul.
    const MAX: usize = 85;

    /// The "Regional format" of Settings (not the display language): already
    /// a BCP 47 tag such as `de-DE`.
    pub fn user_default_locale() -> Option<String> {
        let mut buffer = [0u16; MAX];
        // SAFETY: the buffer is writable and its length is passed with it.
        let written = unsafe { GetUserDefaultLocaleName(buffer.as_mut_ptr(), MAX as i32) };
        let len = usize::try_from(written).ok()?.checked_sub(1)?;
        let name = String::from_utf16(buffer.get(..len)?).ok()?;
        (!name.is_empty()).then_some(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posix_names_become_tags() {
        for (name, tag) in [
            ("de_DE.UTF-8", Some("de-DE")),
            ("de_CH.utf8", Some("de-CH")),
            ("en_GB", Some("en-GB")),
            ("fr", Some("fr")),
            ("es_419.UTF-8", Some("es-419")),
            ("sr_RS.UTF-8@latin", Some("sr-Latn-RS")),
            ("sr_RS@latin", Some("sr-Latn-RS")),
            ("ca_ES.UTF-8@valencia", Some("ca-ES-valencia")),
            ("de_DE@euro", Some("de-DE")),
            ("C", None),
            ("C.UTF-8", None),
            ("POSIX", None),
            ("", None),
            ("not a locale", None),
        ] {
            assert_eq!(from_posix(name).as_deref(), tag, "{name}");
        }
    }

    #[test]
    fn the_numeric_category_wins_over_the_language() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        assert_eq!(
            from_env(env(&[
                ("LANG", "en_US.UTF-8"),
                ("LC_NUMERIC", "de_DE.UTF-8")
            ]))
            .as_deref(),
            Some("de-DE")
        );
        assert_eq!(
            from_env(env(&[
                ("LANG", "en_US.UTF-8"),
                ("LC_NUMERIC", "de_DE.UTF-8"),
                ("LC_ALL", "fr_CH.UTF-8")
            ]))
            .as_deref(),
            Some("fr-CH")
        );
        assert_eq!(
            from_env(env(&[("LANG", "en_GB.UTF-8"), ("LC_ALL", "")])).as_deref(),
            Some("en-GB"),
            "an empty variable counts as unset"
        );
        assert_eq!(from_env(env(&[("LANG", "C.UTF-8")])), None);
        assert_eq!(from_env(env(&[])), None);
    }

    #[test]
    fn apple_identifiers_become_tags_with_the_format_region() {
        for (identifier, tag) in [
            ("en_DE", Some("en-DE")),
            ("de_CH", Some("de-CH")),
            ("en_US@rg=dezzzz", Some("en-DE")),
            ("en_US@calendar=gregorian;rg=chzzzz", Some("en-CH")),
            ("zh-Hans_CN", Some("zh-Hans-CN")),
            ("zh-Hant_TW@rg=hkzzzz", Some("zh-Hant-HK")),
            ("es_419", Some("es-419")),
            ("fr", Some("fr")),
            ("", None),
        ] {
            assert_eq!(from_apple(identifier).as_deref(), tag, "{identifier}");
        }
    }
}
