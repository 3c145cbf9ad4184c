//! What the tab reads of the app's state: the share link's JSON (`playground/src/model.rs`, keys
//! `m`, `u`, `us`, `pol`), every field defaulted as the app defaults it. `pol` is the tab's own inputs
//! as JSON text, which the app carries without reading: this module owns their shape.

use serde::Deserialize;

/// The app's state, the parts the policy tab needs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct TabInput {
    /// The manifest being edited: YAML or JSON, several documents allowed.
    #[serde(rename = "m")]
    pub manifest: String,
    /// The image config's `USER` as typed in the Image panel.
    #[serde(rename = "u")]
    pub image_user: String,
    /// `true`/absent: `USER` as typed; `null`: "I don't know the image".
    #[serde(rename = "us", default = "known")]
    pub user_known: Option<bool>,
    /// The tab's inputs, [`PolicyInput`] as JSON text (empty: the defaults).
    #[serde(rename = "pol")]
    pub policy: String,
}

fn known() -> Option<bool> {
    Some(true)
}

/// The tab's own inputs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct PolicyInput {
    /// The policy's settings, YAML or JSON (empty: the defaults).
    #[serde(rename = "s")]
    pub settings: String,
    #[serde(rename = "op")]
    pub operation: Operation,
    /// The request's namespace; empty: the object's `metadata.namespace`, else `default`.
    #[serde(rename = "ns")]
    pub namespace: String,
    /// For UPDATE: the objects as they were (YAML or JSON); empty: no old object.
    #[serde(rename = "old")]
    pub old: String,
}

/// The admission operations a policy sees for objects that start containers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Operation {
    #[default]
    Create,
    Update,
}

impl Operation {
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Create => "CREATE",
            Operation::Update => "UPDATE",
        }
    }
}

impl TabInput {
    /// The tab's inputs, or why the text the controls wrote cannot be read.
    pub fn policy(&self) -> Result<PolicyInput, String> {
        if self.policy.trim().is_empty() {
            return Ok(PolicyInput::default());
        }
        serde_json::from_str(&self.policy).map_err(|e| format!("the policy tab's inputs cannot be read: {e}"))
    }

    /// The image `USER` the Image panel gives, `None` when the user does not know it.
    pub fn image_user(&self) -> Option<&str> {
        match self.user_known {
            Some(true) => Some(self.image_user.as_str()),
            // "has none": the same as unset.
            Some(false) => Some(""),
            None => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use podgroups_playground::model::Known;

    /// The app's own state type, serialized as the app sends it, read here.
    #[test]
    fn reads_the_app_s_state_as_the_app_writes_it() {
        let mut s = podgroups_playground::examples::blog_merge();
        s.image_user = "10001".into();
        let read = |s: &podgroups_playground::model::State| -> TabInput {
            serde_json::from_str(&serde_json::to_string(s).unwrap()).unwrap()
        };
        let input = read(&s);
        assert_eq!(input.manifest, s.manifest);
        assert_eq!(input.image_user(), Some("10001"));
        assert_eq!(input.policy(), Ok(PolicyInput::default()));
        // What policy.js writes for its controls.
        s.policy = r#"{"s":"mutate: false","op":"UPDATE","ns":"shop","old":"kind: Pod"}"#.into();
        s.user_known = Known::Unknown;
        let input = read(&s);
        assert_eq!(
            input.policy(),
            Ok(PolicyInput {
                settings: "mutate: false".into(),
                operation: Operation::Update,
                namespace: "shop".into(),
                old: "kind: Pod".into(),
            })
        );
        assert_eq!(input.image_user(), None);
        s.user_known = Known::Absent;
        assert_eq!(read(&s).image_user(), Some(""));
        s.policy = r#"{"op":"DELETE"}"#.into();
        assert!(read(&s).policy().is_err());
    }
}
