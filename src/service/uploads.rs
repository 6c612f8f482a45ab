//! Files uploaded to the console for a dry run: kept a day at most, until confirmed.

use super::{Insigne, ServiceError};
use crate::storage::Upload;

/// How long an uploaded file waits for its confirmation.
pub const UPLOAD_HOURS: i64 = 24;

impl Insigne {
    /// Keeps `content` for `owner` to confirm later; returns the upload's (unguessable) id.
    pub async fn keep_upload(
        &self,
        kind: &str,
        owner: &str,
        file_name: &str,
        content: Vec<u8>,
    ) -> Result<String, ServiceError> {
        let now = self.clock.now();
        let upload = Upload {
            id: crate::auth::secrets::new_link_secret(),
            kind: kind.to_string(),
            owner: owner.to_string(),
            file_name: file_name.to_string(),
            content,
        };
        self.store
            .keep_upload(&upload, now, now - chrono::Duration::hours(UPLOAD_HOURS))
            .await?;
        Ok(upload.id)
    }

    /// The file `owner` uploaded as `id`, if still waiting.
    pub async fn upload(
        &self,
        id: &str,
        kind: &str,
        owner: &str,
    ) -> Result<Option<Upload>, ServiceError> {
        let since = self.clock.now() - chrono::Duration::hours(UPLOAD_HOURS);
        Ok(self.store.get_upload(id, kind, owner, since).await?)
    }

    /// Uses up an upload: `false` when it was already used (a confirmation sent twice).
    pub async fn take_upload(&self, id: &str) -> Result<bool, ServiceError> {
        Ok(self.store.take_upload(id).await?)
    }
}
