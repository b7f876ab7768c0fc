//! The issuer's side of keyhound keys: the key store (digests only, never a key) and the
//! HTTP receiver that revokes keys a scanner reports leaked. The scanner never needs this
//! module; `keys` (the format) and `revoke` (the message) are what both ends share.

pub mod serve;
pub mod store;
