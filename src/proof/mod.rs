//! Keys and signatures: bytes and keys in, bytes out.

pub mod canon;
pub mod compiled;
pub mod di;
pub mod holder_proof;
pub mod jws;
pub mod keys;
pub mod presentation;
pub mod rdfc;

pub use keys::{KeyAlgorithm, KeyError, KeyInfo, KeyRing, KeyStatus};
