//! End-to-end tests: a real server on a random port, a browser-like client
//! with a cookie jar, emails read from the outbox folder.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod account;
mod admin;
mod api;
mod archive;
mod crash;
mod delegation;
mod demo;
mod harness;
mod history;
mod hostile;
mod import;
mod instances;
mod journey;
mod languages;
mod login_change;
mod logs;
mod mail;
mod monitoring;
mod notify;
mod registration;
mod reports;
mod retention;
mod second_factor;
mod security;
mod signin;
mod special;
mod throttling;
