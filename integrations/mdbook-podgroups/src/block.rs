//! One example as an author writes it: attributes (`runtime`, `version`, `user`, `on-error`) and a
//! body holding the manifest, then optionally the image's files after `==> /etc/passwd <==` and
//! `==> /etc/group <==` lines (the header `head` prints between files; it cannot be a YAML line).

use podgroups_core::{Environment, Image, Input, Runtime};

/// What to do when an example cannot be explained.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnError {
    /// Fail the site build, naming the file and line.
    Fail,
    /// Render the error in place of the answer.
    Show,
}

impl OnError {
    pub fn parse(s: &str) -> Result<OnError, String> {
        match s {
            "fail" => Ok(OnError::Fail),
            "show" => Ok(OnError::Show),
            other => Err(format!("on-error={other:?}: expected \"fail\" or \"show\"")),
        }
    }
}

/// An example: the author's attributes and the three texts of its body.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Example {
    /// `runtime=`: `containerd-2`, `containerd-1.7`, `crio`… (absent: the engine's default).
    pub runtime: Option<String>,
    /// `version=`: the Kubernetes version, `1.33` (absent: the engine's default).
    pub version: Option<String>,
    /// `user=`: the image config's `USER` (absent: unset).
    pub user: String,
    /// `on-error=` given on this example (absent: the site's setting).
    pub on_error: Option<OnError>,
    pub manifest: String,
    pub passwd: Option<String>,
    pub group: Option<String>,
    /// 1-based line of the body where the manifest, passwd and group texts start.
    pub starts: [usize; 3],
}

const PASSWD: &str = "==> /etc/passwd <==";
const GROUP: &str = "==> /etc/group <==";

impl Example {
    /// Sets one attribute; unknown names are errors, never silently ignored.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), String> {
        match name {
            "runtime" => self.runtime = Some(value.to_owned()),
            "version" => self.version = Some(value.to_owned()),
            "user" => self.user = value.to_owned(),
            "on-error" => self.on_error = Some(OnError::parse(value)?),
            other => {
                return Err(format!(
                    "unknown attribute {other:?}; podgroups examples take runtime, version, user and on-error"
                ))
            }
        }
        Ok(())
    }

    /// Splits a body into manifest, `/etc/passwd` and `/etc/group`.
    pub fn set_body(&mut self, body: &str) -> Result<(), String> {
        let mut parts: [Option<String>; 3] = [Some(String::new()), None, None];
        let mut current = 0;
        for (i, line) in body.lines().enumerate() {
            let next = match line.trim_end() {
                PASSWD => Some(1),
                GROUP => Some(2),
                _ => None,
            };
            if let Some(n) = next {
                if parts.get(n).is_some_and(Option::is_some) {
                    return Err(format!("line {}: {} appears twice", i + 1, line.trim_end()));
                }
                current = n;
                if let (Some(slot), Some(start)) = (parts.get_mut(n), self.starts.get_mut(n)) {
                    *slot = Some(String::new());
                    *start = i + 2;
                }
                continue;
            }
            if let Some(Some(text)) = parts.get_mut(current) {
                text.push_str(line);
                text.push('\n');
            }
        }
        let [manifest, passwd, group] = parts;
        self.manifest = manifest.unwrap_or_default();
        self.passwd = passwd;
        self.group = group;
        self.starts[0] = 1;
        Ok(())
    }

    /// The engine's input; an unknown runtime or version is an error naming the attribute.
    pub fn input(&self) -> Result<Input, String> {
        let mut environment = Environment::default();
        if let Some(r) = &self.runtime {
            environment.runtime = r.parse::<Runtime>().map_err(|e| format!("runtime={r:?}: {e}"))?;
        }
        if let Some(v) = &self.version {
            environment.kubernetes_minor =
                Environment::parse_kubernetes_version(v).map_err(|e| format!("version={v:?}: {e}"))?;
        }
        Ok(Input {
            manifests: self.manifest.clone(),
            // Every part is known: a file left out of the example is absent from the image.
            image: Image::known(self.user.clone(), self.passwd.clone(), self.group.clone()),
            environment,
            ..Input::default()
        })
    }

    /// The body line (1-based) of `line` inside the text `source` names (0 manifest, 1 passwd, 2 group).
    pub fn body_line(&self, part: usize, line: usize) -> usize {
        self.starts.get(part).copied().unwrap_or(1) + line.saturating_sub(1)
    }
}

/// Parses `name=value name="a value"` attributes (as in a fence's info string or a shortcode call).
pub fn attributes(s: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let mut rest = s.trim_start();
    while !rest.is_empty() {
        let eq = rest.find('=').ok_or_else(|| {
            format!(
                "attribute {:?}: expected name=value",
                rest.split_whitespace().next().unwrap_or(rest)
            )
        })?;
        let name = rest.get(..eq).unwrap_or("").trim();
        if name.is_empty() || name.contains(char::is_whitespace) {
            return Err(format!(
                "attribute {:?}: expected name=value",
                rest.get(..eq).unwrap_or(rest)
            ));
        }
        let after = rest.get(eq + 1..).unwrap_or("");
        let (value, tail) = if let Some(quoted) = after.strip_prefix('"') {
            let end = quoted
                .find('"')
                .ok_or_else(|| format!("attribute {name}: unclosed quote"))?;
            (quoted.get(..end).unwrap_or(""), quoted.get(end + 1..).unwrap_or(""))
        } else {
            let end = after.find(char::is_whitespace).unwrap_or(after.len());
            (after.get(..end).unwrap_or(""), after.get(end..).unwrap_or(""))
        };
        out.push((name.to_owned(), value.to_owned()));
        rest = tail.trim_start();
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_splits_at_file_headers_and_keeps_yaml_separators() {
        let mut e = Example::default();
        e.set_body("kind: Pod\n---\nkind: Pod\n==> /etc/passwd <==\nu:x:1:1::/:/bin/sh\n==> /etc/group <==\ng:x:5:u\n")
            .unwrap();
        assert_eq!(e.manifest, "kind: Pod\n---\nkind: Pod\n");
        assert_eq!(e.passwd.as_deref(), Some("u:x:1:1::/:/bin/sh\n"));
        assert_eq!(e.group.as_deref(), Some("g:x:5:u\n"));
        assert_eq!(e.starts, [1, 5, 7]);
        assert_eq!(e.body_line(2, 1), 7);
    }

    #[test]
    fn absent_files_stay_absent_and_repeats_are_errors() {
        let mut e = Example::default();
        e.set_body("kind: Pod\n").unwrap();
        assert_eq!((e.passwd, e.group), (None, None));
        let err = Example::default()
            .set_body("==> /etc/group <==\n==> /etc/group <==\n")
            .unwrap_err();
        assert!(err.contains("line 2"), "{err}");
    }

    #[test]
    fn attributes_quoted_bare_and_unknown() {
        let a = attributes(r#"runtime=crio version="1.33" user="app user""#).unwrap();
        assert_eq!(a[2], ("user".into(), "app user".into()));
        let mut e = Example::default();
        for (n, v) in &a {
            e.set(n, v).unwrap();
        }
        assert_eq!(e.input().unwrap().environment.kubernetes_minor, 33);
        assert!(e.set("image", "x").unwrap_err().contains("unknown attribute"));
        assert!(attributes("runtime").is_err());
        assert!(attributes(r#"user="open"#).is_err());
        e.set("runtime", "docker").unwrap();
        assert!(e.input().unwrap_err().contains("runtime=\"docker\""));
    }
}
