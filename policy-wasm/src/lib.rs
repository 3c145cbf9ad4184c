//! Admission policy for Kubewarden and OPA/Gatekeeper Wasm hosts (in progress).
