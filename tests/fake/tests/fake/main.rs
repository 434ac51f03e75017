//! The fake's own tests, one binary: its HTTP layer, the errors it answers, its state, its
//! faults, the standalone program, and the official Python SDK's signed requests replayed byte
//! for byte. (The official SDK driving the fake live is `interop_python`, a binary of its own
//! that `.ci/run` runs with `--ignored`.)

mod client;

mod bin;
mod errors;
mod faults;
mod http;
mod instances;
mod state;
mod vectors;
