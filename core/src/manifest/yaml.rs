//! YAML documents read straight from granit-parser's events into [`Node`]s: one pass, no recursion,
//! every node with its line and column, duplicate keys refused (as kubectl does), merge keys (`<<`)
//! applied, anchors and aliases bounded by the budgets below.
//!
//! Scalars resolve as serde-saphyr (the previous reader, kept as a test oracle) resolves them for
//! an untyped value: YAML 1.1 booleans (`yes`, `on`…), integers in decimal, `0x`, `0o` and `0b`,
//! YAML 1.2 floats, and `null`/`~`/empty as null.

use super::node::{Node, Value};
use super::Piece;
use crate::error::{InputError, Location, Source};
use granit_parser::{Event, Parser, ScalarStyle, ScanError, Span, Tag};
use std::collections::{HashMap, HashSet};

/// Deepest nesting of lists and mappings, aliases expanded. Deep enough for any manifest (a
/// CronJob's affinity terms sit ~15 levels down); the reader itself never recurses.
pub const MAX_DEPTH: usize = 48;
/// A 10,000-pod List is legitimate input; alias bombs and document storms stay bounded.
pub(crate) const MAX_DOCUMENTS: usize = 10_000;
pub(crate) const MAX_NODES: usize = 4_000_000;
pub(crate) const MAX_EVENTS: usize = 8_000_000;
const MAX_ALIASES: usize = 50_000;
pub(crate) const MAX_ANCHORS: usize = 50_000;
pub(crate) const MAX_MERGE_KEYS: usize = 10_000;
/// Events an alias may replay in one document, summed over its aliases.
const MAX_REPLAYED_EVENTS: usize = 1_000_000;
/// Events kept for anchors, summed over the stream.
pub(crate) const MAX_RECORDED_EVENTS: usize = 1_000_000;
pub(crate) const MAX_SCALAR_BYTES: usize = 64 * 1024 * 1024;
/// Many aliases over few anchors is the shape of an alias bomb, whatever its size.
const ALIAS_RATIO_MIN_ALIASES: usize = 100;
const ALIAS_RATIO: usize = 10;

const YAML_TAGS: &str = "tag:yaml.org,2002:";

/// Parses a YAML stream of one or more documents (empty and `null` documents are dropped).
pub fn parse(text: &str) -> Result<Vec<Node>, InputError> {
    let mut docs = Vec::new();
    read(text, |doc| {
        docs.push(doc);
        Ok(())
    })?;
    Ok(docs)
}

/// Reads a YAML stream, handing each non-null document to `each` as soon as it is complete.
pub fn read(text: &str, mut each: impl FnMut(Node) -> Result<(), InputError>) -> Result<(), InputError> {
    read_pieces(text, false, |piece| match piece {
        Piece::Document(doc) => each(doc),
        Piece::Item { .. } => Ok(()),
    })
}

/// Reads a YAML stream piece by piece. With `stream_items`, the elements of each document's
/// top-level `items` list come out one by one (unless the list carries an anchor an alias could
/// replay, in which case it stays in its document).
pub fn read_pieces(
    text: &str,
    stream_items: bool,
    mut each: impl FnMut(Piece) -> Result<(), InputError>,
) -> Result<(), InputError> {
    let options = granit_parser::options! {
        block_nesting_limit: MAX_DEPTH + 1,
        flow_nesting_limit: MAX_DEPTH + 1,
    };
    let mut reader = Reader {
        stream_items,
        ..Reader::default()
    };
    for item in Parser::new_from_str_with_options(text, options) {
        let (event, span) = item.map_err(|e| scan_error(&e))?;
        if let Some(piece) = reader.event(event, span)? {
            each(piece)?;
        }
    }
    reader.finish()
}

/// How much of the budgets a built node spends when it is replayed through an alias.
#[derive(Clone, Copy, Default)]
struct Cost {
    events: usize,
    nodes: usize,
    bytes: usize,
    /// Collections nested inside (0 for a scalar).
    height: usize,
}

impl Cost {
    fn add(&mut self, other: Cost) {
        self.events = self.events.saturating_add(other.events);
        self.nodes = self.nodes.saturating_add(other.nodes);
        self.bytes = self.bytes.saturating_add(other.bytes);
        self.height = self.height.max(other.height.saturating_add(1));
    }
}

/// Errors a node's values could not be read with, each under the path of child indices (list
/// items, mapping entries) it sits at. They are raised only when the value survives into the
/// document: like serde-saphyr, a value a merge skips (the explicit key wins) is never read.
type Deferred = Vec<(Vec<usize>, InputError)>;

fn under(index: usize, errors: Deferred) -> impl Iterator<Item = (Vec<usize>, InputError)> {
    errors.into_iter().map(move |(mut path, e)| {
        path.insert(0, index);
        (path, e)
    })
}

/// A list or mapping being read.
struct Frame {
    location: Option<Location>,
    anchor: usize,
    /// The top-level `items` list whose elements are streamed out.
    stream: bool,
    errors: Deferred,
    cost: Cost,
    kind: FrameKind,
}

enum FrameKind {
    Seq(Vec<Node>),
    Map(MapFrame),
}

#[derive(Default)]
struct MapFrame {
    entries: Vec<(String, Node)>,
    /// The keys seen, once the mapping is too big for a linear search.
    index: Option<HashSet<String>>,
    key: Option<Key>,
    key_errors: Deferred,
    /// The entries of each `<<`, applied at the end under the explicit keys (YAML merge semantics).
    merges: Vec<Vec<(String, Node, Deferred)>>,
}

enum Key {
    Name(String),
    Merge,
}

impl MapFrame {
    fn has(&self, key: &str) -> bool {
        match &self.index {
            Some(index) => index.contains(key),
            None => self.entries.iter().any(|(k, _)| k == key),
        }
    }

    fn insert(&mut self, key: String, value: Node) {
        if let Some(index) = self.index.as_mut() {
            index.insert(key.clone());
        } else if self.entries.len() >= 16 {
            let mut index: HashSet<String> = self.entries.iter().map(|(k, _)| k.clone()).collect();
            index.insert(key.clone());
            self.index = Some(index);
        }
        self.entries.push((key, value));
    }
}

/// A scalar as the parser hands it over.
struct Scalar<'a> {
    text: &'a str,
    style: ScalarStyle,
    tag: Option<&'a Tag>,
}

#[derive(Default)]
struct Reader {
    stream_items: bool,
    stack: Vec<Frame>,
    /// This document's anchors: the built node and what replaying it costs.
    anchors: HashMap<usize, (Node, Cost, Deferred)>,
    /// Where aliases are written: a copy an alias made keeps standing there inside a merge.
    alias_sites: HashSet<Location>,
    events: usize,
    nodes: usize,
    bytes: usize,
    documents: usize,
    aliases: usize,
    anchors_defined: usize,
    merge_keys: usize,
    replayed: usize,
    recorded: usize,
}

fn location(span: &Span) -> Option<Location> {
    let line = span.start.line();
    (line > 0).then(|| Location {
        line: u32::try_from(line).unwrap_or(u32::MAX),
        column: u32::try_from(span.start.col().saturating_add(1)).unwrap_or(u32::MAX),
    })
}

/// ` at line 2, column 1`, as every YAML message has said (the playground and the CLI rely on it).
fn at_text(at: Option<Location>) -> String {
    at.map(|l| format!(" at {l}")).unwrap_or_default()
}

fn yaml_error(message: impl Into<String>, at: Option<Location>) -> InputError {
    InputError::new(
        Source::Manifest,
        format!("{}{}; fix the YAML there (or give JSON)", message.into(), at_text(at)),
    )
    .at(None, at)
}

fn budget_error(what: &str, at: Option<Location>) -> InputError {
    InputError::new(
        Source::Manifest,
        format!(
            "{what}{}: the document expands past the reader's limits (alias bomb or extreme nesting); remove the aliases",
            at_text(at)
        ),
    )
    .at(None, at)
}

fn scan_error(e: &ScanError) -> InputError {
    let mark = e.marker();
    let at = (mark.line() > 0).then(|| Location {
        line: u32::try_from(mark.line()).unwrap_or(u32::MAX),
        column: u32::try_from(mark.col().saturating_add(1)).unwrap_or(u32::MAX),
    });
    let kind = e.kind().to_string();
    yaml_error(
        if kind.is_empty() {
            "invalid YAML".to_owned()
        } else {
            kind
        },
        at,
    )
}

impl Reader {
    /// Takes one event; returns a document when its root is complete.
    fn event(&mut self, event: Event<'_>, span: Span) -> Result<Option<Piece>, InputError> {
        let at = location(&span);
        self.events += 1;
        if self.events > MAX_EVENTS {
            return Err(budget_error("too many YAML events", at));
        }
        match event {
            Event::DocumentStart(..) => {
                self.documents += 1;
                if self.documents > MAX_DOCUMENTS {
                    return Err(budget_error(&format!("more than {MAX_DOCUMENTS} documents"), at));
                }
                self.anchors.clear();
                self.replayed = 0;
                Ok(None)
            }
            Event::Scalar(text, style, anchor, tag) => {
                let scalar = Scalar {
                    text: &text,
                    style,
                    tag: tag.as_deref(),
                };
                self.scalar(&scalar, anchor, at)
            }
            Event::SequenceStart(_, anchor, tag) => {
                check_tag(tag.as_deref(), NodeKind::Seq, at)?;
                self.start(anchor, at, FrameKind::Seq(Vec::new()))?;
                Ok(None)
            }
            Event::MappingStart(_, anchor, tag) => {
                check_tag(tag.as_deref(), NodeKind::Map, at)?;
                self.start(anchor, at, FrameKind::Map(MapFrame::default()))?;
                Ok(None)
            }
            Event::SequenceEnd | Event::MappingEnd => self.end(at),
            Event::Alias(id) => self.alias(id, at),
            _ => Ok(None),
        }
    }

    /// Checks what only the whole stream shows: many aliases over few anchors.
    fn finish(&self) -> Result<(), InputError> {
        if self.aliases >= ALIAS_RATIO_MIN_ALIASES
            && (self.anchors_defined == 0 || self.aliases > ALIAS_RATIO.saturating_mul(self.anchors_defined))
        {
            return Err(budget_error(
                &format!("{} aliases over {} anchors", self.aliases, self.anchors_defined),
                None,
            ));
        }
        Ok(())
    }

    fn count_node(&mut self, bytes: usize, at: Option<Location>) -> Result<(), InputError> {
        self.nodes += 1;
        self.bytes = self.bytes.saturating_add(bytes);
        if self.nodes > MAX_NODES {
            return Err(budget_error("too many YAML nodes", at));
        }
        if self.bytes > MAX_SCALAR_BYTES {
            return Err(budget_error("too much scalar text", at));
        }
        Ok(())
    }

    fn define_anchor(&mut self, anchor: usize, at: Option<Location>) -> Result<(), InputError> {
        if anchor != 0 {
            self.anchors_defined += 1;
            if self.anchors_defined > MAX_ANCHORS {
                return Err(budget_error("too many anchors", at));
            }
        }
        Ok(())
    }

    /// Whether the next node completes a mapping key.
    fn in_key_position(&self) -> bool {
        matches!(self.stack.last(), Some(Frame { kind: FrameKind::Map(m), .. }) if m.key.is_none())
    }

    fn scalar(&mut self, s: &Scalar<'_>, anchor: usize, at: Option<Location>) -> Result<Option<Piece>, InputError> {
        let tag_len = s.tag.map_or(0, |t| t.handle().len() + t.suffix().len());
        self.count_node(s.text.len().saturating_add(tag_len), at)?;
        self.define_anchor(anchor, at)?;
        let cost = Cost {
            events: 1,
            nodes: 1,
            bytes: s.text.len(),
            height: 0,
        };
        if self.in_key_position() && is_merge_key(s) {
            self.merge_keys += 1;
            if self.merge_keys > MAX_MERGE_KEYS {
                return Err(budget_error("too many merge keys", at));
            }
            if let Some(Frame {
                kind: FrameKind::Map(m),
                cost: frame_cost,
                ..
            }) = self.stack.last_mut()
            {
                m.key = Some(Key::Merge);
                frame_cost.add(cost);
            }
            // An alias of an anchored `<<` stands for the text `<<`, as serde-saphyr read it.
            let text = Node::new(Value::Str(s.text.to_owned()), at);
            self.keep_anchor(anchor, &text, cost, &Vec::new(), at)?;
            return Ok(None);
        }
        let (value, errors) = match resolve(s, at) {
            Ok(value) => (value, Vec::new()),
            // A key keeps its text so a merge can still compare it.
            Err(e) if self.in_key_position() => (Value::Str(s.text.to_owned()), vec![(Vec::new(), e)]),
            Err(e) => (Value::Null, vec![(Vec::new(), e)]),
        };
        self.complete(Node::new(value, at), cost, anchor, errors, at)
    }

    fn start(&mut self, anchor: usize, at: Option<Location>, kind: FrameKind) -> Result<(), InputError> {
        self.count_node(0, at)?;
        if self.stack.len() >= MAX_DEPTH {
            return Err(budget_error(
                &format!("lists and mappings nested more than {MAX_DEPTH} deep"),
                at,
            ));
        }
        self.define_anchor(anchor, at)?;
        let stream = self.stream_items
            && anchor == 0
            && matches!(kind, FrameKind::Seq(_))
            && matches!(self.stack.as_slice(), [Frame { kind: FrameKind::Map(MapFrame { key: Some(Key::Name(k)), .. }), .. }] if k == "items");
        self.stack.push(Frame {
            location: at,
            anchor,
            stream,
            errors: Vec::new(),
            cost: Cost {
                events: 2,
                nodes: 1,
                bytes: 0,
                height: 0,
            },
            kind,
        });
        Ok(())
    }

    fn end(&mut self, at: Option<Location>) -> Result<Option<Piece>, InputError> {
        let Some(frame) = self.stack.pop() else {
            return Err(yaml_error("a list or mapping ends that never started", at));
        };
        let mut errors = frame.errors;
        let value = match frame.kind {
            FrameKind::Seq(items) => Value::Seq(items),
            FrameKind::Map(mut m) => {
                for batch in std::mem::take(&mut m.merges) {
                    for (key, value, deferred) in batch {
                        if !m.has(&key) {
                            errors.extend(under(m.entries.len(), deferred));
                            m.insert(key, value);
                        }
                    }
                }
                Value::Map(m.entries)
            }
        };
        self.complete(Node::new(value, frame.location), frame.cost, frame.anchor, errors, at)
    }

    fn alias(&mut self, id: usize, at: Option<Location>) -> Result<Option<Piece>, InputError> {
        self.aliases += 1;
        if self.aliases > MAX_ALIASES {
            return Err(budget_error("too many aliases", at));
        }
        let Some((node, cost, deferred)) = self.anchors.get(&id) else {
            return Err(yaml_error(
                "this alias refers to the node that contains it (a recursive alias)",
                at,
            ));
        };
        let (cost, deferred) = (*cost, deferred.clone());
        let mut node = node.clone();
        self.replayed = self.replayed.saturating_add(cost.events);
        if self.replayed > MAX_REPLAYED_EVENTS {
            return Err(budget_error(
                &format!("aliases replay more than {MAX_REPLAYED_EVENTS} events (alias budget)"),
                at,
            ));
        }
        if self.stack.len().saturating_add(cost.height) > MAX_DEPTH {
            return Err(budget_error(
                &format!("lists and mappings nested more than {MAX_DEPTH} deep through an alias"),
                at,
            ));
        }
        self.events = self.events.saturating_add(cost.events);
        self.nodes = self.nodes.saturating_add(cost.nodes);
        self.bytes = self.bytes.saturating_add(cost.bytes);
        if self.events > MAX_EVENTS || self.nodes > MAX_NODES || self.bytes > MAX_SCALAR_BYTES {
            return Err(budget_error("aliases expand past the budget", at));
        }
        relocate(&mut node, at);
        if let Some(site) = at {
            self.alias_sites.insert(site);
        }
        self.complete(node, cost, 0, deferred, at)
    }

    /// Keeps a copy of an anchored node for the aliases that replay it.
    fn keep_anchor(
        &mut self,
        anchor: usize,
        node: &Node,
        cost: Cost,
        errors: &Deferred,
        at: Option<Location>,
    ) -> Result<(), InputError> {
        if anchor != 0 {
            self.recorded = self.recorded.saturating_add(cost.events);
            if self.recorded > MAX_RECORDED_EVENTS {
                return Err(budget_error("anchors hold too many events", at));
            }
            self.anchors.insert(anchor, (node.clone(), cost, errors.clone()));
        }
        Ok(())
    }

    /// A node is complete: keep it for its anchor and hand it to its parent (or return the document).
    fn complete(
        &mut self,
        node: Node,
        cost: Cost,
        anchor: usize,
        errors: Deferred,
        at: Option<Location>,
    ) -> Result<Option<Piece>, InputError> {
        self.keep_anchor(anchor, &node, cost, &errors, at)?;
        let Some(parent) = self.stack.last_mut() else {
            if let Some((_, e)) = errors.into_iter().next() {
                return Err(e);
            }
            return Ok((node.value != Value::Null).then_some(Piece::Document(node)));
        };
        parent.cost.add(cost);
        if parent.stream {
            if let Some((_, e)) = errors.into_iter().next() {
                return Err(e);
            }
            let kind = self.stack.first().and_then(|root| match &root.kind {
                FrameKind::Map(m) => m
                    .entries
                    .iter()
                    .find(|(k, _)| k == "kind")
                    .and_then(|(_, v)| v.as_str().map(str::to_owned)),
                FrameKind::Seq(_) => None,
            });
            return Ok(Some(Piece::Item { node, kind }));
        }
        match &mut parent.kind {
            FrameKind::Seq(items) => {
                parent.errors.extend(under(items.len(), errors));
                items.push(node);
            }
            FrameKind::Map(m) => match m.key.take() {
                None => {
                    let key = key_text(node)?;
                    if m.has(&key) {
                        return Err(yaml_error(
                            format!("duplicate key {key:?} in this mapping (kubectl refuses it too)"),
                            at,
                        ));
                    }
                    m.key = Some(Key::Name(key));
                    m.key_errors = errors;
                }
                Some(Key::Name(key)) => {
                    let index = m.entries.len();
                    parent.errors.extend(under(index, std::mem::take(&mut m.key_errors)));
                    parent.errors.extend(under(index, errors));
                    m.insert(key, node);
                }
                Some(Key::Merge) => m.merges.push(merge_entries(node, errors, &self.alias_sites)?),
            },
        }
        Ok(None)
    }
}

/// Every node of an alias's copy stands where the alias is written.
fn relocate(node: &mut Node, at: Option<Location>) {
    let mut pending = vec![node];
    while let Some(n) = pending.pop() {
        n.location = at;
        match &mut n.value {
            Value::Seq(items) => pending.extend(items.iter_mut()),
            Value::Map(entries) => pending.extend(entries.iter_mut().map(|(_, v)| v)),
            _ => {}
        }
    }
}

/// [`relocate`], leaving alone the copies aliases made (nodes standing at an alias).
fn relocate_except(node: &mut Node, at: Option<Location>, alias_sites: &HashSet<Location>) {
    let mut pending = vec![node];
    while let Some(n) = pending.pop() {
        if n.location.is_some_and(|l| alias_sites.contains(&l)) {
            continue;
        }
        n.location = at;
        match &mut n.value {
            Value::Seq(items) => pending.extend(items.iter_mut()),
            Value::Map(entries) => pending.extend(entries.iter_mut().map(|(_, v)| v)),
            _ => {}
        }
    }
}

/// `<<` written plain without a tag, or tagged `!!merge`.
fn is_merge_key(s: &Scalar<'_>) -> bool {
    s.text == "<<"
        && match s.tag {
            None => s.style == ScalarStyle::Plain,
            Some(tag) => tag.suffix_in_namespace(YAML_TAGS).is_some_and(|n| n == "merge"),
        }
}

/// The entries a `<<` brings, each with its unread values' errors: a mapping's, or those of a
/// list of mappings in order (null: none).
fn merge_entries(
    node: Node,
    errors: Deferred,
    alias_sites: &HashSet<Location>,
) -> Result<Vec<(String, Node, Deferred)>, InputError> {
    let not_mergeable = |at| yaml_error("a merge key (`<<`) takes a mapping or a list of mappings", at);
    if let Some((_, e)) = errors.iter().find(|(path, _)| path.is_empty()) {
        return Err(e.clone());
    }
    // Merged values stand where the mapping they come from is written, except what an alias copied,
    // which stands at the alias (as serde-saphyr placed them).
    let entries_at = |entries: Vec<(String, Node)>, at: Option<Location>, errors: &Deferred, prefix: &[usize]| {
        entries
            .into_iter()
            .enumerate()
            .map(|(i, (key, mut value))| {
                relocate_except(&mut value, at, alias_sites);
                let mine = errors
                    .iter()
                    .filter(|(path, _)| {
                        path.len() > prefix.len() && path.starts_with(prefix) && path.get(prefix.len()) == Some(&i)
                    })
                    .map(|(path, e)| (path.iter().skip(prefix.len() + 1).copied().collect(), e.clone()))
                    .collect();
                (key, value, mine)
            })
            .collect::<Vec<_>>()
    };
    match node.value {
        Value::Null => Ok(Vec::new()),
        Value::Map(entries) => Ok(entries_at(entries, node.location, &errors, &[])),
        Value::Seq(items) => {
            let mut all = Vec::new();
            for (k, item) in items.into_iter().enumerate() {
                match item.value {
                    Value::Map(entries) => all.extend(entries_at(entries, item.location, &errors, &[k])),
                    // A null in the list merges nothing (serde-saphyr skipped it too), unless it
                    // stands for a scalar that could not be read.
                    Value::Null => {
                        if let Some((_, e)) = errors.iter().find(|(path, _)| path.as_slice() == [k]) {
                            return Err(e.clone());
                        }
                    }
                    _ => return Err(not_mergeable(item.location)),
                }
            }
            Ok(all)
        }
        _ => Err(not_mergeable(node.location)),
    }
}

/// A mapping key as text (Kubernetes keys are strings; `1: x` is kept as "1").
fn key_text(node: Node) -> Result<String, InputError> {
    match node.value {
        Value::Str(s) => Ok(s),
        Value::Null => Ok("null".to_owned()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Int(i) => Ok(i.to_string()),
        Value::Float(f) => Ok(f.to_string()),
        Value::Seq(_) | Value::Map(_) => Err(yaml_error(
            format!("a mapping key must be a scalar, found {}", node.value.kind_name()),
            node.location,
        )),
    }
}

/// What an explicit tag asks for (the tags serde-saphyr knew, read the same way).
#[derive(Clone, Copy, PartialEq)]
enum TagKind {
    /// No tag.
    None,
    /// `!`: the text as written.
    NonSpecific,
    /// An application tag (`!custom`): ignored, the value resolves as if untagged.
    Other,
    Str,
    Null,
    Bool,
    Int,
    Float,
    Seq,
    Map,
    /// Base64 of UTF-8 text.
    Binary,
    /// `!!timestamp`: no manifest field takes one.
    Timestamp,
    /// `!time`, `!degrees`, `!radians`: unit conversions this reader does not do.
    Unit,
    /// `!!merge`, `!!value`, `!include`: scalars that resolve as if untagged.
    ScalarOnly,
}

/// The node a tag belongs on.
#[derive(Clone, Copy, PartialEq)]
enum NodeKind {
    Scalar,
    Seq,
    Map,
}

impl TagKind {
    fn of(tag: Option<&Tag>) -> TagKind {
        let Some(tag) = tag else {
            return TagKind::None;
        };
        let include = ["!include", "tag:yaml.org,2002:include", "tag:yaml.org,2002:!include"]
            .iter()
            .any(|p| {
                tag.suffix_in_namespace(p)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('#'))
            });
        if include {
            return TagKind::ScalarOnly;
        }
        if let Some(name) = tag.core_suffix() {
            return TagKind::named(name);
        }
        if let Some(name) = tag.suffix_in_namespace(YAML_TAGS) {
            if name == "merge" || name == "value" {
                return TagKind::ScalarOnly;
            }
            return TagKind::named(name.strip_prefix('!').unwrap_or(&name));
        }
        let Some(local) = tag.suffix_in_namespace("!") else {
            return TagKind::Other;
        };
        match local.as_ref() {
            "" | "!" => TagKind::NonSpecific,
            "!timestamp" => TagKind::Timestamp,
            "!binary" => TagKind::Binary,
            name => match name.strip_prefix('!') {
                Some(core) => match core {
                    "null" | "bool" | "int" | "float" | "map" | "seq" | "str" => TagKind::named(core),
                    _ => TagKind::Other,
                },
                None => TagKind::named(name),
            },
        }
    }

    fn named(name: &str) -> TagKind {
        match name {
            "str" => TagKind::Str,
            "null" => TagKind::Null,
            "bool" => TagKind::Bool,
            "int" => TagKind::Int,
            "float" => TagKind::Float,
            "seq" => TagKind::Seq,
            "map" => TagKind::Map,
            "binary" => TagKind::Binary,
            "timestamp" => TagKind::Timestamp,
            "time" | "degrees" | "radians" => TagKind::Unit,
            "include" => TagKind::ScalarOnly,
            _ => TagKind::Other,
        }
    }

    /// The node this tag may stand on (`None`: any).
    fn requires(self) -> Option<NodeKind> {
        match self {
            TagKind::None | TagKind::NonSpecific | TagKind::Other => None,
            TagKind::Seq => Some(NodeKind::Seq),
            TagKind::Map => Some(NodeKind::Map),
            _ => Some(NodeKind::Scalar),
        }
    }
}

/// Refuses a tag on the wrong kind of node (`!!int` on a mapping).
fn check_tag(tag: Option<&Tag>, node: NodeKind, at: Option<Location>) -> Result<TagKind, InputError> {
    let kind = TagKind::of(tag);
    match (kind.requires(), tag) {
        (Some(required), Some(tag)) if required != node => Err(yaml_error(
            format!("the tag `{}` does not fit this node; remove the tag", tag.original()),
            at,
        )),
        _ => Ok(kind),
    }
}

/// YAML's padding around a typed scalar.
fn trim(s: &str) -> &str {
    s.trim_matches([' ', '\t', '\r', '\n'])
}

/// A scalar's value: its tag decides, else (plain scalars only) null, boolean, integer, float, text.
fn resolve(s: &Scalar<'_>, at: Option<Location>) -> Result<Value, InputError> {
    let invalid = |what: &str| yaml_error(format!("{:?} is not {what}", s.text), at);
    let tag = check_tag(s.tag, NodeKind::Scalar, at)?;
    match tag {
        TagKind::Null => return Ok(Value::Null),
        TagKind::Bool => return yaml11_bool(s.text).map(Value::Bool).ok_or_else(|| invalid("a boolean")),
        TagKind::Int => {
            return integer(trim(s.text))
                .map(Value::Int)
                .ok_or_else(|| invalid("an integer"))
        }
        TagKind::Float => {
            return finite_float(s.text, at)?
                .map(Value::Float)
                .ok_or_else(|| invalid("a number"))
        }
        TagKind::Unit => return Err(invalid("a plain number (unit tags are not read)")),
        _ => {}
    }
    let plain = s.style == ScalarStyle::Plain;
    let implicit = matches!(tag, TagKind::None | TagKind::Other | TagKind::ScalarOnly);
    if implicit && plain && matches!(s.text, "" | "~" | "null" | "Null" | "NULL") {
        return Ok(Value::Null);
    }
    match tag {
        TagKind::Binary => {
            return base64_text(s.text)
                .map(Value::Str)
                .ok_or_else(|| invalid("base64 of UTF-8 text"))
        }
        TagKind::Timestamp | TagKind::Seq | TagKind::Map => {
            return Err(yaml_error("this tag is not read in a manifest; remove the tag", at))
        }
        _ if !implicit || !plain => return Ok(Value::Str(s.text.to_owned())),
        _ => {}
    }
    if let Some(b) = yaml11_bool(s.text) {
        return Ok(Value::Bool(b));
    }
    let t = trim(s.text);
    // A word (every key, most names) reads as no number: skip trying (Rust's float parser takes
    // only `inf`/`nan` among words, and those are not finite).
    if t.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Ok(Value::Str(s.text.to_owned()));
    }
    let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
    if matches!(unsigned.as_bytes(), [b'0', b'X' | b'O' | b'B', ..]) || is_nan_spelling(unsigned) && unsigned != t {
        return Ok(Value::Str(s.text.to_owned()));
    }
    let leading_zero = unsigned.len() > 1 && unsigned.starts_with('0') && unsigned.bytes().all(|b| b.is_ascii_digit());
    if !(t.starts_with('-') && leading_zero) {
        if let Some(i) = integer(t) {
            return Ok(Value::Int(i));
        }
    }
    if let Some(f) = finite_float(s.text, at)? {
        return Ok(Value::Float(f));
    }
    Ok(Value::Str(s.text.to_owned()))
}

/// YAML 1.1 booleans, as kubectl's YAML library reads them too (`yes`, `on`, `n`…).
fn yaml11_bool(s: &str) -> Option<bool> {
    let t = trim(s);
    if t.len() > "false".len() {
        return None;
    }
    let is = |words: &[&str]| words.iter().any(|w| t.eq_ignore_ascii_case(w));
    if is(&["true", "yes", "y", "on"]) {
        Some(true)
    } else if is(&["false", "no", "n", "off"]) {
        Some(false)
    } else {
        None
    }
}

/// Strict base64 (whitespace ignored, padding only at the end, no stray bits) of UTF-8 text.
fn base64_text(s: &str) -> Option<String> {
    let sextet = |b: u8| -> Option<u32> {
        Some(u32::from(match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        }))
    };
    let clean: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if !clean.len().is_multiple_of(4) {
        return None;
    }
    let chunks = clean.len() / 4;
    let mut out = Vec::with_capacity(chunks * 3);
    for (i, chunk) in clean.chunks_exact(4).enumerate() {
        let pad = chunk.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && i + 1 != chunks) {
            return None;
        }
        let mut triple = 0u32;
        for (j, &c) in chunk.iter().enumerate() {
            let v = if j >= 4 - pad { 0 } else { sextet(c)? };
            triple = (triple << 6) | v;
        }
        if (pad == 2 && triple & 0xFFFF != 0) || (pad == 1 && triple & 0xFF != 0) {
            return None;
        }
        let bytes = triple.to_be_bytes();
        out.extend(bytes.iter().skip(1).take(3 - pad));
    }
    String::from_utf8(out).ok()
}

fn is_nan_spelling(s: &str) -> bool {
    matches!(s, ".nan" | ".NaN" | ".NAN")
}

/// An integer that fits in 64 bits (signed when negative): decimal without leading zeros, or
/// `0x`/`0o`/`0b`, `_` allowed between digits.
fn integer(t: &str) -> Option<i128> {
    let (negative, rest) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (radix, digits) = if let Some(d) = rest.strip_prefix("0x").or_else(|| rest.strip_prefix("0X")) {
        (16, d)
    } else if let Some(d) = rest.strip_prefix("0o").or_else(|| rest.strip_prefix("0O")) {
        (8, d)
    } else if let Some(d) = rest.strip_prefix("0b").or_else(|| rest.strip_prefix("0B")) {
        (2, d)
    } else {
        if rest.starts_with('0') && rest != "0" {
            return None;
        }
        (10, rest)
    };
    let bytes = digits.as_bytes();
    let mut magnitude: u128 = 0;
    let mut any = false;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'_' {
            let before = i > 0 && bytes.get(i - 1) != Some(&b'_');
            let after = bytes.get(i + 1).is_some_and(|&n| n != b'_');
            if !before || !after {
                return None;
            }
            continue;
        }
        let d = char::from(b).to_digit(radix)?;
        magnitude = magnitude.checked_mul(u128::from(radix))?.checked_add(u128::from(d))?;
        any = true;
    }
    if !any {
        return None;
    }
    if negative {
        let v = i128::try_from(magnitude).ok()?.checked_neg()?;
        i64::try_from(v).ok().map(i128::from)
    } else {
        u64::try_from(magnitude).ok().map(i128::from)
    }
}

/// A YAML 1.2 float; `.inf`, `.nan` and overflowing literals are refused (no manifest field takes them).
fn finite_float(s: &str, at: Option<Location>) -> Result<Option<f64>, InputError> {
    let t = trim(s);
    let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
    let non_finite = is_nan_spelling(unsigned) || matches!(unsigned, ".inf" | ".Inf" | ".INF");
    let parsed = t.parse::<f64>();
    let overflow =
        unsigned.as_bytes().first().is_some_and(u8::is_ascii_digit) && parsed.as_ref().is_ok_and(|f| f.is_infinite());
    if non_finite || overflow {
        return Err(yaml_error(
            format!("{t:?} is not a finite number; write a finite number or quote it"),
            at,
        ));
    }
    Ok(parsed.ok().filter(|f| f.is_finite()))
}

#[cfg(test)]
mod tests {
    use super::super::saphyr;
    use super::*;

    /// Inputs where the reader must give exactly what serde-saphyr gave (values and positions).
    const SAME_AS_ORACLE: &[&str] = &[
        "kind: Pod\nmetadata: {name: p}\nspec:\n  securityContext: {runAsUser: 1000, supplementalGroups: [4000, 0x10, 0o17, 1_0, +5, -0]}\n  containers: [{name: c, image: 'app:1'}]\n",
        "a: yes\nb: No\nc: y\nd: ON\ne: ~\nf:\ng: null\nh: 1.5\ni: 1e3\nj: 017\nk: -017\nl: 0X1F\nm: -.nan\nn: .5\no: 99999999999999999999\np: -9223372036854775808\nq: 18446744073709551615\nr: 'yes'\ns: \"1\"\nt: |\n  x\n  y\nu: >-\n  folded\n  text\n",
        "a: !!str 1\nb: !!int '7'\nc: !!float 2\nd: !!bool yes\ne: !!null x\nf: ! 5\ng: !custom 5\nh: !!str\n",
        "base: &base {x: 1, y: 2}\nm:\n  <<: *base\n  y: 3\nn:\n  <<: [*base, {z: 4, x: 9}]\n  w: 0\no: {<<: {k: v}, j: 1}\np: {<<: null, q: 1}\n",
        "a: &a [1, {b: 2}]\nc: *a\nd: [*a, *a]\n",
        "---\nkind: Pod\n---\n# nothing\n---\n~\n---\nkind: Service\n...\n",
        "1: one\ntrue: t\nnull: n\n1.5: f\n0x10: h\n",
        // Words are text, also those Rust's float parser would take.
        "a: inf\nb: NaN\nc: Infinity\nd: e5\ne: x1\nf: falsey\ng: Yes\n",
        "- a\n- - b\n  - c\n- {d: e}\n",
        // A merged value the explicit key or an earlier merge overrides is never read.
        "a: {<<: [{p: 1}, {p: 21e999, q: 3}]}\nb: {<<: {p: .inf, r: !!int x}, p: 1, r: 2}\n",
        "c: {<<: [{p: 1}, &n , ~, {q: 3}]}\n",
        // An anchored merge key merges, and its alias is the text `<<`.
        "b: &b {x: 1}\nm:\n  &a <<: *b\n  y: 2\nn: *a\n",
        "x: &x 5\nd:\n  <<:\n  - {p: *x, q: [*x, 6]}\n  - r: 1\n",
        "",
        "# only a comment\n",
        "just text",
    ];

    #[test]
    fn reads_what_the_oracle_reads() {
        for text in SAME_AS_ORACLE {
            let new = parse(text);
            let old = saphyr::parse(text);
            match (&new, &old) {
                (Ok(n), Ok(o)) => assert_eq!(n, o, "{text}"),
                _ => panic!("{text}\nnew: {new:?}\nold: {old:?}"),
            }
        }
    }

    /// Inputs both readers refuse, each with a position.
    const REFUSED: &[&str] = &[
        "a: 1\na: 2\n",
        "a: 1\n\"a\": 2\n",
        "kind: Pod\nspec: [\n",
        "a: .inf\n",
        "a: 1e999\n",
        "a: !!int x\n",
        "a: !!float x\n",
        "a: !!bool maybe\n",
        "a: {<<: 5}\n",
        "a: {<<: [5]}\n",
        "a: {<<: .inf}\n",
        "a: {<<: [.inf]}\n",
        "a: {<<: {p: .inf}}\n",
        "a: {<<: [{p: 1}, {q: 1e999}]}\n",
        "a: *nothing\n",
        "? [a]\n: b\n",
        "a: !!timestamp 2001-12-14\n",
    ];

    #[test]
    fn refuses_what_the_oracle_refuses_and_says_where() {
        for text in REFUSED {
            let new = parse(text).expect_err(text);
            assert!(saphyr::parse(text).is_err(), "{text}");
            assert!(new.location.is_some(), "{text}: {new}");
            assert!(new.message.contains("fix the YAML"), "{text}: {new}");
        }
    }

    #[test]
    fn syntax_errors_read_as_before() {
        for text in [
            "kind: Pod\nspec:\n  containers: [\n    {name: a\n",
            "a: b: c\n",
            "a: [1, 2}\n",
            "- a\nb: c\n",
        ] {
            assert_eq!(parse(text).unwrap_err(), saphyr::parse(text).unwrap_err(), "{text}");
        }
    }

    #[test]
    fn duplicate_keys_name_the_key_and_its_line() {
        let e = parse("kind: Pod\nspec:\n  containers: []\n  containers: []\n").unwrap_err();
        assert!(e.message.contains("duplicate key \"containers\""), "{e}");
        assert_eq!(e.location.map(|l| (l.line, l.column)), Some((4, 3)));
    }

    #[test]
    fn alias_bombs_depth_and_ratio_are_bounded() {
        let e = parse(include_str!("../../tests/fixtures/alias-bomb.yaml")).unwrap_err();
        assert!(e.message.contains("alias"), "{e}");
        let deep = format!("{}1{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert!(parse(&deep).unwrap_err().message.contains("nested more than 48"));
        let ok = format!("{}1{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(&ok).is_ok());
        let through_alias = format!(
            "a: &a {}1{}\nb: [*a]\n",
            "[".repeat(MAX_DEPTH - 1),
            "]".repeat(MAX_DEPTH - 1)
        );
        assert!(saphyr::parse(&through_alias).is_err());
        assert!(parse(&through_alias).unwrap_err().message.contains("through an alias"));
        let many = format!("a: &a x\nb: [{}]\n", vec!["*a"; 100].join(", "));
        assert!(saphyr::parse(&many).is_err());
        assert!(parse(&many).unwrap_err().message.contains("100 aliases over 1 anchors"));
        assert!(parse("a: &a [*a]\n").is_err());
    }
}
