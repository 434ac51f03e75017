//! Reliability: faults, retries, rate limiting, bad input refused before sending, and no secret
//! in any output. (The load test and the allocation count measure the whole process, so they are
//! binaries of their own: `reliability_load`, `response_memory`.)

mod cancel;
mod faults;
mod input;
mod rate;
mod retry;
mod security;
