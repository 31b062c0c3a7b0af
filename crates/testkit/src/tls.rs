//! Servers on loopback whose trust tests can control: a certificate authority made in the
//! test ([`TestCa`], rcgen), the certificates it issues (for a name, for another name,
//! expired), and an HTTP or HTTPS listener ([`TestServer`]) that serves an axum router and
//! counts the connections it was offered, so a test can show that a refused address was
//! never contacted.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::serve::Listener;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::{self, ServerConfig};
use tokio_util::either::Either;

/// A certificate authority of the test's own: trusted only by a client told to.
pub struct TestCa {
    issuer: Issuer<'static, KeyPair>,
    pem: String,
}

/// A server certificate and its key, as a TLS listener needs them.
#[derive(Debug)]
pub struct ServerCertificate {
    chain: Vec<CertificateDer<'static>>,
    key: PrivatePkcs8KeyDer<'static>,
}

impl std::fmt::Debug for TestCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestCa").finish_non_exhaustive()
    }
}

impl TestCa {
    /// # Panics
    /// If rcgen cannot make a key or sign (it does not, with valid parameters).
    #[must_use]
    pub fn new(name: &str) -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA parameters");
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let key = KeyPair::generate().expect("CA key");
        let certificate = params.self_signed(&key).expect("CA certificate");
        Self {
            issuer: Issuer::new(params, key),
            pem: certificate.pem(),
        }
    }

    /// The authority's certificate (PEM), for a client's root store.
    #[must_use]
    pub fn root_pem(&self) -> &str {
        &self.pem
    }

    /// A certificate for `names` (DNS names or IP addresses), valid now.
    #[must_use]
    pub fn issue(&self, names: &[&str]) -> ServerCertificate {
        self.sign(names, |_| {})
    }

    /// A certificate for `names` that expired in 2001.
    #[must_use]
    pub fn issue_expired(&self, names: &[&str]) -> ServerCertificate {
        self.sign(names, |params| {
            params.not_before = rcgen::date_time_ymd(2000, 1, 1);
            params.not_after = rcgen::date_time_ymd(2001, 1, 1);
        })
    }

    fn sign(
        &self,
        names: &[&str],
        adjust: impl FnOnce(&mut CertificateParams),
    ) -> ServerCertificate {
        let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        let mut params = CertificateParams::new(names).expect("server certificate parameters");
        adjust(&mut params);
        let key = KeyPair::generate().expect("server key");
        let certificate = params
            .signed_by(&key, &self.issuer)
            .expect("server certificate");
        ServerCertificate {
            chain: vec![certificate.der().clone()],
            key: PrivatePkcs8KeyDer::from(key.serialize_der()),
        }
    }
}

/// A listener on 127.0.0.1 serving a router, over HTTP or HTTPS. Stops when dropped.
#[derive(Debug)]
pub struct TestServer {
    address: SocketAddr,
    connections: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl TestServer {
    /// Serves `router` over plain HTTP.
    ///
    /// # Panics
    /// If no loopback port can be bound.
    pub async fn http(router: Router) -> Self {
        let tcp = bind().await;
        let address = tcp.local_addr().expect("bound address");
        let connections = Arc::new(AtomicUsize::new(0));
        let listener = Counted {
            tcp,
            tls: None,
            connections: Arc::clone(&connections),
        };
        Self::serve(address, connections, listener, router)
    }

    /// Serves `router` over HTTPS with `certificate` (HTTP/1.1).
    ///
    /// # Panics
    /// If no loopback port can be bound or rustls refuses the certificate.
    pub async fn https(certificate: ServerCertificate, router: Router) -> Self {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_no_client_auth()
            .with_single_cert(certificate.chain, PrivateKeyDer::Pkcs8(certificate.key))
            .expect("a usable server certificate");
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        let tcp = bind().await;
        let address = tcp.local_addr().expect("bound address");
        let connections = Arc::new(AtomicUsize::new(0));
        let listener = Counted {
            tcp,
            tls: Some(TlsAcceptor::from(Arc::new(config))),
            connections: Arc::clone(&connections),
        };
        Self::serve(address, connections, listener, router)
    }

    fn serve(
        address: SocketAddr,
        connections: Arc<AtomicUsize>,
        listener: Counted,
        router: Router,
    ) -> Self {
        let task = tokio::spawn(async move {
            // Ends only with an I/O error of the listener itself; the test then sees no answer.
            let _ = axum::serve(listener, router).await;
        });
        Self {
            address,
            connections,
            task,
        }
    }

    #[must_use]
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    #[must_use]
    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// How many TCP connections reached the listener (TLS handshakes that failed included).
    #[must_use]
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn bind() -> TcpListener {
    TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free loopback port")
}

/// Counts every connection, then (for HTTPS) completes the handshake; a connection whose
/// handshake fails (the client refused the certificate) is dropped and the next awaited.
struct Counted {
    tcp: TcpListener,
    tls: Option<TlsAcceptor>,
    connections: Arc<AtomicUsize>,
}

/// A plain or a TLS stream (tokio-util's `Either` reads and writes through either).
type Stream = Either<TcpStream, tokio_rustls::server::TlsStream<TcpStream>>;

impl Listener for Counted {
    type Io = Stream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((tcp, peer)) = self.tcp.accept().await else {
                continue;
            };
            self.connections.fetch_add(1, Ordering::SeqCst);
            match &self.tls {
                None => return (Either::Left(tcp), peer),
                Some(acceptor) => {
                    if let Ok(tls) = acceptor.accept(tcp).await {
                        return (Either::Right(tls), peer);
                    }
                }
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}
