//! dosiport: the portal through which a dosimetry laboratory delivers its
//! control reports to the people its clients authorised to receive them.

pub mod admin;
pub mod api;
pub mod app;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod i18n;
pub mod import;
pub mod jobs;
pub mod mail;
pub mod metrics;
pub mod storage;
pub mod telemetry;
pub mod web;
