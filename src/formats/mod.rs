//! Wire formats derived from the domain: where each public document lives, and its JSON.

pub mod contexts;
pub mod linkedin;
pub mod ob2;
pub mod ob3;
pub mod urls;

pub use urls::PublicUrls;
