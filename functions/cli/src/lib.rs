//! The `frontdesk` command's library: the local server and operator tools.

pub mod seed;
pub mod serve;
