//! The `frontdesk` command's library: the local server and operator tools.

pub mod consumers;
pub mod seed;
pub mod serve;
pub mod signing;
pub mod simulate;
