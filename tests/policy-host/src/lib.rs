//! waPC host for the podgroups Kubewarden policy (in progress).
