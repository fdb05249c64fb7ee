//! The Scenario-compatible server (`assetui serve`, demo mode, test
//! fixture). Not imported by `api/` or the UI.
