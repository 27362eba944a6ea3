//! Building the service from its configuration and running it until a
//! shutdown signal.

use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use altgate_market::Taxonomy;
use axum::Router;
use axum::body::Bytes;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::http;
use crate::lock::{DataDirLock, LockError};
use crate::metrics::Metrics;
use crate::platform::{OpenError, Platform};
use crate::state::{AppState, State};

/// A built service, bound to its listener and ready to run.
#[derive(Debug)]
pub struct Application {
    listener: TcpListener,
    router: Router,
    platform: Platform,
    simulator: Option<altgate_market::simulator::Simulator>,
    background: Background,
    shutdown_timeout: Duration,
    _lock: DataDirLock,
}

/// Background tasks share one cancellation token, cancelled on shutdown,
/// and one tracker that shutdown waits on.
#[derive(Debug, Clone, Default)]
pub(crate) struct Background {
    pub(crate) cancel: CancellationToken,
    pub(crate) tracker: TaskTracker,
}

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// Another process uses the data directory.
    #[error(transparent)]
    Lock(#[from] LockError),
    /// `[feeds.binance]` is invalid.
    #[error("feeds.binance: {0}")]
    Binance(#[from] crate::feeds::binance::BinanceError),
    /// The demo simulator cannot start.
    #[error(transparent)]
    Simulator(#[from] crate::feeds::simulator::SimulatorStartError),
    /// The keyring or the store could not be opened.
    #[error(transparent)]
    Open(#[from] OpenError),
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
    /// The OpenAPI document could not be serialised.
    #[error("openapi document: {0}")]
    OpenApi(#[from] serde_json::Error),
}

impl Application {
    /// Opens the store, loads the catalog and binds the listener, reading
    /// time from the system clock.
    pub async fn build(config: Config) -> Result<Application, StartError> {
        Application::build_with_clock(config, Arc::new(SystemClock)).await
    }

    /// As [`Application::build`], with time read from `clock`.
    pub async fn build_with_clock(config: Config, clock: Arc<dyn Clock>) -> Result<Application, StartError> {
        let lock = DataDirLock::acquire(&config.data_dir)?;
        let data_dir = config.data_dir.clone();
        let platform = Platform::open(config, clock).await?;
        if !platform.store.admin_exists().await.map_err(crate::platform::OpenError::from)? {
            tracing::info!(
                "no admin account yet; create one with: altgate admin init --data-dir {}",
                data_dir.display()
            );
        }
        platform.market.ensure_warm().await.map_err(crate::platform::OpenError::from)?;
        if let Some(binance) = &platform.config.feeds.binance {
            crate::feeds::binance::validate(binance)?;
        }
        let simulator = if platform.config.feeds.simulator.enabled {
            Some(crate::feeds::simulator::prepare(&platform).await?)
        } else {
            None
        };
        let config = Arc::clone(&platform.config);
        let (routes, document) = http::routes();
        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(|source| StartError::Bind { addr: config.listen, source })?;
        let shutdown_timeout = Duration::from_secs(config.shutdown_timeout_secs);
        let background = Background::default();
        let state = AppState::new(State {
            shutdown: background.cancel.clone(),
            analytics: crate::analytics::AnalyticsCache::default(),
            platform: platform.clone(),
            taxonomy: Taxonomy::builtin(),
            metrics: Metrics::new(),
            openapi_json: Bytes::from(serde_json::to_vec(&document)?),
        });
        Ok(Application {
            listener,
            router: http::app(routes, state),
            platform,
            simulator,
            background,
            shutdown_timeout,
            _lock: lock,
        })
    }

    /// The platform the application serves, for feeding it in tests and tools.
    pub fn platform(&self) -> &Platform {
        &self.platform
    }

    /// The service's routes with their middleware, for calling in process
    /// (benchmarks, tests) without the listener.
    pub fn router(&self) -> Router {
        self.router.clone()
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        // A bound listener always has a local address.
        self.listener.local_addr().unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)))
    }

    /// Serves until `shutdown` completes, then stops accepting connections,
    /// lets in-flight requests finish (up to `shutdown_timeout_secs`), stops
    /// background tasks and closes the store.
    pub async fn run_until_stopped(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let Application { listener, router, platform, simulator, background, shutdown_timeout, _lock } = self;
        tracing::info!(addr = %listener.local_addr()?, "listening");
        background.tracker.spawn(platform.clone().run_background(background.cancel.clone()));
        crate::feeds::spawn(&platform, simulator, &background.tracker, &background.cancel);
        let cancel = background.cancel.clone();
        let draining = async move {
            shutdown.await;
            tracing::info!("shutdown signal received; draining in-flight requests");
            cancel.cancel();
        };
        let serve = axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(draining)
            .into_future();
        let deadline = async {
            background.cancel.cancelled().await;
            tokio::time::sleep(shutdown_timeout).await;
        };
        tokio::select! {
            served = serve => served?,
            () = deadline => tracing::warn!(?shutdown_timeout, "in-flight requests outlived the shutdown timeout"),
        }
        background.tracker.close();
        background.tracker.wait().await;
        platform.store.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut sigterm) => {
                sigterm.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
