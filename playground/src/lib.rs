//! Browser playground (in progress).
