//! Reads an image's config `User`, `/etc/passwd` and `/etc/group` straight from an image archive
//! (docker save, OCI image layout), as the runtime would see them (Spec 8.11).
