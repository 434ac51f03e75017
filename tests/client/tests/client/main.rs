//! The client end to end against the fake: every outcome of a call, the request on the wire,
//! actions of two services, task waiting, and server text escaped in every `Display`.

mod e2e;
mod services;
mod task_wait;
mod untrusted_text;
