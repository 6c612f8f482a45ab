//! A bounded pool for CPU-bound work (canonicalisation, signatures, base58, decompression,
//! rasterising): it runs on tokio's blocking threads, never more jobs at once than the machine
//! has cores, so the async workers keep answering everyone else. Requests that would use it are
//! admitted up to a bound; past it they are told to come back (HTTP 503), never queued without
//! end.

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The pool, cheap to clone.
#[derive(Clone)]
pub struct CpuPool {
    running: Arc<Semaphore>,
    admitted: Arc<Semaphore>,
    threads: usize,
}

impl std::fmt::Debug for CpuPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CpuPool")
            .field("threads", &self.threads)
            .field("admitted_free", &self.admitted.available_permits())
            .finish()
    }
}

/// A request let in: the pool takes no more than its bound of these at once.
#[derive(Debug)]
pub struct Admission(#[allow(dead_code)] OwnedSemaphorePermit);

/// The pool is full: try again shortly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the server is busy verifying; try again in a moment")]
pub struct Busy;

/// A job that did not return: it panicked, or the runtime is shutting down.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the computation did not complete: {0}")]
pub struct Lost(pub String);

impl CpuPool {
    /// `threads` jobs at once, `admitted` requests let in at once.
    pub fn new(threads: usize, admitted: usize) -> Self {
        let threads = threads.max(1);
        Self {
            running: Arc::new(Semaphore::new(threads)),
            admitted: Arc::new(Semaphore::new(admitted.max(1))),
            threads,
        }
    }

    /// As many jobs as cores; four requests per core let in (one computing, the others
    /// fetching documents or waiting their turn).
    pub fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Self::new(cores, cores * 4)
    }

    /// Lets a request in, or says the pool is full.
    pub fn admit(&self) -> Result<Admission, Busy> {
        self.admitted
            .clone()
            .try_acquire_owned()
            .map(Admission)
            .map_err(|_| Busy)
    }

    /// Runs `job` on a blocking thread once one of the pool's slots is free.
    pub async fn run<T, F>(&self, job: F) -> Result<T, Lost>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let _slot = self
            .running
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| Lost(e.to_string()))?;
        tokio::task::spawn_blocking(job).await.map_err(|e| {
            tracing::error!(error = %e, "a CPU-bound job did not complete");
            Lost(e.to_string())
        })
    }
}

/// Runs `job` on `pool` when there is one, in place otherwise (the command line, tests).
pub async fn run_on<T, F>(pool: Option<&CpuPool>, job: F) -> Result<T, Lost>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    match pool {
        Some(pool) => pool.run(job).await,
        None => Ok(job()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn admits_up_to_its_bound_and_runs_jobs_off_the_runtime() {
        let pool = CpuPool::new(1, 2);
        let a = pool.admit().expect("first");
        let _b = pool.admit().expect("second");
        assert_eq!(pool.admit().err(), Some(Busy));
        drop(a);
        assert!(pool.admit().is_ok());
        let here = std::thread::current().id();
        let there = pool
            .run(|| std::thread::current().id())
            .await
            .expect("runs");
        assert_ne!(here, there);
        assert!(pool.run(|| -> u8 { panic!("boom") }).await.is_err());
        assert_eq!(pool.run(|| 7).await, Ok(7));
    }
}
