//! `tc-redis-cleanup` run as an operator runs it, one test binary: each mode's output, JSON Lines
//! and exit status against the fake (`modes`), the connection settings (`connection`), a real
//! pseudo-terminal (`terminal`), a real SIGINT (`interrupt`), and the README's exit-status table
//! against `--help` (`readme`).

mod support;

mod answers;
mod bounded;
mod connection;
mod hostile;
mod interrupt;
mod modes;
mod readme;
mod terminal;
