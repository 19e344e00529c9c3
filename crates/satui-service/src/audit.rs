//! Reading the audit log.

use super::{AuditEvent, Result, Service};
use satui_store::audit;

impl Service {
    /// Newest first; `org_id` None lists every org.
    pub fn audit_page(
        &self,
        org_id: Option<i64>,
        filter: &str,
        offset: u64,
        limit: u64,
    ) -> Result<(Vec<AuditEvent>, u64)> {
        Ok(audit::page(self.store.conn(), org_id, filter, offset, limit)?)
    }
}
