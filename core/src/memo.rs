//! Explaining a manifest again after an edit: the documents whose text, place and index did not
//! change keep their reports, and only those the edit touched are read and explained again (an
//! editor explains on every keystroke; one keystroke touches one document of many).

use crate::error::InputError;
use crate::explain::{prepare, report, Images, Input, PreparedImage};
use crate::manifest::{self, split};
use crate::report::{Report, Skipped, WorkloadReport};

/// What the last explanation found per document, to explain the next version of the manifest.
/// [`Memo::explain`] gives exactly what [`crate::explain()`] gives; it reads the manifest whole
/// whenever reading the documents apart could differ (see `manifest::split`), and on any error.
#[derive(Debug, Default)]
pub struct Memo {
    /// The input the documents were explained with, without its manifests.
    context: Option<Input>,
    documents: Vec<Document>,
    /// Cuts the last call read (`None`: it read the manifest whole).
    read: Option<usize>,
}

/// One cut of the last manifest and what it held.
#[derive(Debug)]
struct Document {
    lines_before: usize,
    /// Index of its first document in the stream.
    index: usize,
    text: String,
    /// Documents it holds (0 for comments only).
    documents: usize,
    workloads: Vec<WorkloadReport>,
    skipped: Vec<Skipped>,
}

impl Memo {
    /// [`crate::explain()`] of `input` (with `image` as [`crate::explain_prepared`] takes it),
    /// reusing what the last call found in the documents that did not change.
    pub fn explain(&mut self, input: &Input, image: Option<&PreparedImage<'_>>) -> Result<Report, InputError> {
        if !self.context.as_ref().is_some_and(|c| same_context(c, input)) {
            self.documents.clear();
            self.context = Some(Input {
                manifests: String::new(),
                ..input.clone()
            });
        }
        self.read = Some(0);
        match self.again(input, image) {
            Some(report) => Ok(report),
            None => {
                self.documents.clear();
                self.read = None;
                report(input, image)
            }
        }
    }

    /// How many documents (cuts of the stream) the last [`Memo::explain`] read; `None` when it read
    /// the manifest whole.
    pub fn last_read(&self) -> Option<usize> {
        self.read
    }

    /// The report from the manifest's cuts, reading only the new ones; `None` when the manifest
    /// must be read whole (it cannot be cut, or a cut fails or finds nothing: the whole stream
    /// then gives the error exactly).
    fn again(&mut self, input: &Input, ready: Option<&PreparedImage<'_>>) -> Option<Report> {
        if manifest::is_json(&input.manifests).unwrap_or(true) {
            return None;
        }
        let cuts = split::cut_documents(&input.manifests)?;
        // The image files are parsed only if a cut must be read.
        let mut images = None;
        // The last cuts, in order; each has a line of its own, so both lists go down the text.
        let mut old = std::mem::take(&mut self.documents).into_iter().peekable();
        let mut index = 0;
        for cut in cuts {
            while old.next_if(|d| d.lines_before < cut.lines_before).is_some() {}
            let document = match old
                .next_if(|d| (d.lines_before, d.index, d.text.as_str()) == (cut.lines_before, index, cut.text))
            {
                Some(d) => d,
                None => {
                    self.read = self.read.map(|n| n + 1);
                    if images.is_none() {
                        images = Some(prepare(input, ready).ok()?);
                    }
                    Document::read(cut, index, images.as_ref()?, input)?
                }
            };
            index += document.documents;
            self.documents.push(document);
        }
        let workloads: Vec<WorkloadReport> = self
            .documents
            .iter()
            .flat_map(|d| d.workloads.iter().cloned())
            .collect();
        if workloads.is_empty() {
            return None;
        }
        Some(Report {
            environment_text: input.environment.to_string(),
            environment: input.environment.clone(),
            workloads,
            skipped: self.documents.iter().flat_map(|d| d.skipped.iter().cloned()).collect(),
        })
    }
}

impl Document {
    /// Reads and explains one cut alone, at its place: its lines keep their numbers (the lines
    /// before it stand as empty lines) and its documents their indexes.
    fn read(cut: split::Cut<'_>, index: usize, images: &Images<'_>, input: &Input) -> Option<Document> {
        let mut text = "\n".repeat(cut.lines_before);
        text.push_str(cut.text);
        let mut workloads = Vec::new();
        let (streamed, _) = manifest::stream_documents(
            &text,
            &mut |spec| images.explain(input, spec),
            &mut |mut w: WorkloadReport| {
                w.document += index;
                workloads.push(w);
            },
        )
        .ok()?;
        let mut skipped = streamed.skipped;
        for s in &mut skipped {
            s.document += index;
        }
        Some(Document {
            lines_before: cut.lines_before,
            index,
            text: cut.text.to_owned(),
            documents: streamed.documents,
            workloads,
            skipped,
        })
    }
}

/// The same input but for the manifests.
fn same_context(a: &Input, b: &Input) -> bool {
    a.image == b.image
        && a.images == b.images
        && a.pv_gid_annotations == b.pv_gid_annotations
        && a.environment == b.environment
}
