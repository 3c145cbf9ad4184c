//! Share links: the whole [`State`] as a versioned URL fragment, `#v1=<lz-string>`.
//!
//! `v1` is the state's JSON (short keys, every field defaulted) compressed with lz-string's
//! URI-safe alphabet, so a link needs no escaping and old links open after fields are added.

use crate::model::State;
use std::fmt;

/// The fragment key of the current format.
pub const VERSION_KEY: &str = "v1";

/// Why a fragment could not be turned back into a state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkError {
    /// `#v7=…`: written by a newer playground than this one.
    UnknownVersion(String),
    /// Not `#v<N>=…` at all.
    NotALink,
    /// The compressed text is damaged (cut short when copied?).
    Corrupt,
    /// It decompressed, but is not a state this playground understands.
    BadState(String),
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkError::UnknownVersion(v) => write!(
                f,
                "this link uses format {v}, which this playground does not know; open it with a newer playground"
            ),
            LinkError::NotALink => f.write_str("the address fragment is not a playground link (expected #v1=…)"),
            LinkError::Corrupt => f.write_str("the link is damaged (perhaps cut short when copied); copy it again"),
            LinkError::BadState(e) => write!(f, "the link holds a state this playground cannot read: {e}"),
        }
    }
}

/// `v1=…` (without `#`) for `state`.
pub fn encode(state: &State) -> String {
    // Serializing a plain struct of strings and enums cannot fail; fall back to an empty object anyway.
    let json = serde_json::to_string(state).unwrap_or_else(|_| "{}".to_owned());
    format!(
        "{VERSION_KEY}={}",
        lz_str::compress_to_encoded_uri_component(json.as_str())
    )
}

/// Reads a fragment (with or without the leading `#`). `Ok(None)`: empty fragment, use the default.
pub fn decode(fragment: &str) -> Result<Option<State>, LinkError> {
    let frag = fragment.strip_prefix('#').unwrap_or(fragment);
    if frag.is_empty() {
        return Ok(None);
    }
    let (key, payload) = frag.split_once('=').ok_or(LinkError::NotALink)?;
    let version = key
        .strip_prefix('v')
        .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    match version {
        None => Err(LinkError::NotALink),
        Some("1") => decode_v1(payload).map(Some),
        Some(n) => Err(LinkError::UnknownVersion(format!("v{n}"))),
    }
}

fn decode_v1(payload: &str) -> Result<State, LinkError> {
    let wide = lz_str::decompress_from_encoded_uri_component(payload).ok_or(LinkError::Corrupt)?;
    let json = String::from_utf16(&wide).map_err(|_| LinkError::Corrupt)?;
    if json.is_empty() {
        return Err(LinkError::Corrupt);
    }
    serde_json::from_str(&json).map_err(|e| LinkError::BadState(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::examples::EXAMPLES;
    use crate::model::{Gate, Known, PolicyView};
    use podgroups_core::RuntimeKind;

    #[test]
    fn every_example_round_trips() {
        for ex in EXAMPLES {
            let state = (ex.state)();
            let link = encode(&state);
            assert!(link.starts_with("v1="));
            assert_eq!(decode(&format!("#{link}")), Ok(Some(state)), "{}", ex.id);
        }
    }

    #[test]
    fn round_trip_keeps_options_and_odd_text() {
        let mut s = State {
            manifest: "kind: Pod # ünïcödé, emoji 🐳, tabs\t and \r\n endings\n---\n{}".into(),
            group_known: Known::Absent,
            user_known: Known::Unknown,
            image_user: "app:staff".into(),
            ..State::default()
        };
        s.options.runtime = RuntimeKind::Crio;
        s.options.kubernetes_minor = 31;
        s.options.feature_gate = Gate::Off;
        s.options.view = PolicyView::Strict;
        let link = encode(&s);
        assert!(
            link.bytes().all(|b| b.is_ascii_alphanumeric() || b"+-$=".contains(&b)),
            "{link}"
        );
        assert_eq!(decode(&link), Ok(Some(s)));
    }

    #[test]
    fn the_policy_tab_s_settings_and_request_round_trip() {
        let mut s = crate::examples::blog_merge();
        s.policy_open = true;
        s.policy = serde_json::json!({
            "s": "mutate: false\nexempt_images: [\"ghcr.io/tools/*\"]\nrun_as_user: {rule: MustRunAsNonRoot}\n",
            "op": "UPDATE", "ns": "shop", "old": "kind: Pod # ünï\n",
        })
        .to_string();
        assert_eq!(decode(&encode(&s)), Ok(Some(s.clone())));
        s.policy_open = false;
        assert_eq!(decode(&encode(&s)), Ok(Some(s.clone())));
        // A state that never touched the tab writes neither key: its link is as before the tab.
        s.policy = String::new();
        let json = serde_json::to_string(&s).unwrap();
        assert!(!json.contains("\"pol\"") && !json.contains("\"pt\""), "{json}");
    }

    #[test]
    fn a_link_from_before_the_policy_tab_opens_with_its_defaults() {
        // Written by the playground before the tab existed (b034329).
        let old = r#"{"m":"kind: Pod","g":"","p":"","gp":true,"pp":true,"u":"","us":true,"o":{"rt":"containerd-2","k8s":33,"gate":"default","view":"as-written"}}"#;
        let link = format!("v1={}", lz_str::compress_to_encoded_uri_component(old));
        let s = decode(&link).unwrap().unwrap();
        assert_eq!(s.manifest, "kind: Pod");
        assert_eq!((s.policy.as_str(), s.policy_open), ("", false));
    }

    #[test]
    fn empty_fragment_means_default() {
        assert_eq!(decode(""), Ok(None));
        assert_eq!(decode("#"), Ok(None));
    }

    #[test]
    fn an_older_v1_link_without_newer_fields_opens_with_defaults() {
        // A v1 link written before `view` and `gate` existed.
        let old = r#"{"m":"kind: Pod","g":"","p":"","gp":true,"pp":false,"u":"app","o":{"rt":"crio","k8s":33}}"#;
        let link = format!("v1={}", lz_str::compress_to_encoded_uri_component(old));
        let s = decode(&link).unwrap().unwrap();
        assert_eq!(s.manifest, "kind: Pod");
        // Written before "I don't know the image": booleans, and USER as typed.
        assert_eq!(
            (s.group_known, s.passwd_known, s.user_known),
            (Known::Present, Known::Absent, Known::Present)
        );
        assert_eq!(s.image().user.as_deref(), Some("app"));
        assert_eq!(s.options.runtime, RuntimeKind::Crio);
        assert_eq!(s.options.feature_gate, Gate::Default);
        assert_eq!(s.options.view, PolicyView::AsWritten);
    }

    #[test]
    fn a_link_missing_fields_gets_neutral_values_never_an_example_s() {
        let blog = crate::examples::blog_merge();
        for json in [r#"{}"#, r#"{"m":"kind: Pod"}"#, r#"{"o":{"rt":"crio"}}"#] {
            let link = format!("v1={}", lz_str::compress_to_encoded_uri_component(json));
            let s = decode(&link).unwrap().unwrap();
            assert!(
                s.group.is_empty() && s.passwd.is_empty() && s.image_user.is_empty(),
                "{json}: {s:?}"
            );
            assert!(!s.manifest.contains("runAsGroup"), "{json}");
            assert_ne!(s.group, blog.group);
            // What the link does not say about the image's files is unknown, not a guess.
            assert_eq!(
                (s.group_known, s.passwd_known),
                (Known::Unknown, Known::Unknown),
                "{json}"
            );
            assert_eq!(s.options.kubernetes_minor, State::default().options.kubernetes_minor);
        }
    }

    #[test]
    fn newer_versions_are_named_not_misread() {
        let err = decode("#v2=abc").unwrap_err();
        assert_eq!(err, LinkError::UnknownVersion("v2".into()));
        assert!(err.to_string().contains("newer playground"));
    }

    #[test]
    fn garbage_is_an_error_never_a_panic() {
        for g in [
            "#hello",
            "#v=abc",
            "#vx=1",
            "#v1",
            "#v1=",
            "#v1=%%%%",
            "#v1=!!",
            "#v1=AAAA",
            "#v1=N4Ig",
            "#=",
            "#v1=€€€",
        ] {
            assert!(decode(g).is_err(), "{g}");
        }
        // Truncated real links, cut at every length.
        let link = encode(&crate::examples::blog_merge());
        for cut in 3..link.len() {
            if let Some(prefix) = link.get(..cut) {
                let _ = decode(prefix);
            }
        }
    }

    #[test]
    fn valid_compression_of_wrong_json_is_bad_state() {
        let link = format!("v1={}", lz_str::compress_to_encoded_uri_component(r#"{"m": 5}"#));
        assert!(matches!(decode(&link), Err(LinkError::BadState(_))));
    }
}
