//! What a service is and what it offers beyond the catalog every service has: the model's
//! types (the window reads them in the session), named here as part of the contract.

pub use strato_model::ipc::{Features, ServiceKind};
