//! The test certificate authority and the rustls configurations built from it.
//!
//! A run generates a fresh CA ([`TestCa::generate`]) or reuses one kept on disk
//! ([`TestCa::load`], written by [`TestCa::save`] as `ca.pem` + `ca.key.pem`). Servers (origin,
//! reference edge) get leaf certificates for their names from [`TestCa::server_config`]; the runner
//! trusts the CA and nothing else through [`TestCa::client_config`] or [`client_config`].
//!
//! Every rustls config here is built with the ring provider passed explicitly
//! (`builder_with_provider`): nothing installs a process-wide provider, so library code never
//! depends on who ran first, and aws-lc-rs is not linked at all.
//!
//! ```text
//! $ ls reports/.ca
//! ca.key.pem  ca.pem
//! ```

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};
use rustls::client::danger::ServerCertVerifier;
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, RootCertStore, ServerConfig};

/// File name of the CA certificate written by [`TestCa::save`].
pub const CA_CERT_FILE: &str = "ca.pem";
/// File name of the CA private key (PKCS#8 PEM) written by [`TestCa::save`].
pub const CA_KEY_FILE: &str = "ca.key.pem";

/// ALPN list offering HTTP/2 first, then HTTP/1.1 (what browsers and CloudFront offer).
pub const ALPN_H2_H1: &[&[u8]] = &[b"h2", b"http/1.1"];

const CA_COMMON_NAME: &str = "edgeconform test CA";
const CA_ORGANIZATION: &str = "edgeconform";

/// The crypto provider every config in the harness uses: ring, passed explicitly, with the
/// TLS 1.3 suites in the order browsers offer them and CloudFront's security policies list them
/// (AES-128-GCM with SHA-256 first; ring's own order puts AES-256-GCM with SHA-384 first). A
/// client offers them in this order and a server follows the client's, so the handshakes the
/// runner makes are a browser's; SHA-256 also makes the key schedule cheaper where the CPU has
/// SHA instructions.
pub fn provider() -> Arc<CryptoProvider> {
    let mut p = rustls::crypto::ring::default_provider();
    p.cipher_suites.sort_by_key(|s| match s.suite() {
        rustls::CipherSuite::TLS13_AES_128_GCM_SHA256 => 0,
        rustls::CipherSuite::TLS13_AES_256_GCM_SHA384 => 1,
        rustls::CipherSuite::TLS13_CHACHA20_POLY1305_SHA256 => 2,
        _ => 3,
    });
    Arc::new(p)
}

/// A certificate authority for one test run. It only exists so the harness can speak real TLS
/// with certificates that verify; never trust it outside a test.
pub struct TestCa {
    issuer: Issuer<'static, KeyPair>,
    cert_der: CertificateDer<'static>,
    cert_pem: String,
}

impl std::fmt::Debug for TestCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestCa").finish_non_exhaustive()
    }
}

/// The CA's parameters. [`TestCa::load`] rebuilds the issuer from these and the stored key, so
/// the subject must be byte-identical to the one written into the stored certificate.
fn ca_params() -> CertificateParams {
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, CA_COMMON_NAME);
    dn.push(DnType::OrganizationName, CA_ORGANIZATION);
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params
}

impl TestCa {
    /// Generates a new CA (ECDSA P-256 key, self-signed).
    pub fn generate() -> Result<TestCa> {
        let key = KeyPair::generate().context("generating the test CA key")?;
        let params = ca_params();
        let cert = params
            .self_signed(&key)
            .context("self-signing the test CA")?;
        Ok(TestCa {
            cert_pem: cert.pem(),
            cert_der: cert.der().clone(),
            issuer: Issuer::new(params, key),
        })
    }

    /// Loads a CA written by [`TestCa::save`] from `dir`.
    ///
    /// The pair is checked by issuing a probe leaf and verifying it against the stored
    /// certificate, so a certificate and key that do not belong together (or files from another
    /// tool) are reported here rather than as a handshake failure later.
    pub fn load(dir: &Path) -> Result<TestCa> {
        let cert_path = dir.join(CA_CERT_FILE);
        let key_path = dir.join(CA_KEY_FILE);
        let cert_pem = fs::read_to_string(&cert_path)
            .with_context(|| format!("reading the CA certificate {}", cert_path.display()))?;
        let key_pem = fs::read_to_string(&key_path)
            .with_context(|| format!("reading the CA key {}", key_path.display()))?;
        let cert_der = CertificateDer::from_pem_slice(cert_pem.as_bytes()).map_err(|e| {
            anyhow::anyhow!(
                "{}: expected a PEM CERTIFICATE block: {e}",
                cert_path.display()
            )
        })?;
        let key = KeyPair::from_pem(&key_pem).map_err(|e| {
            anyhow::anyhow!(
                "{}: expected a PKCS#8 PEM private key: {e}",
                key_path.display()
            )
        })?;
        let ca = TestCa {
            issuer: Issuer::new(ca_params(), key),
            cert_der,
            cert_pem,
        };
        ca.self_check().with_context(|| {
            format!(
                "{} and {} are not an edgeconform test CA pair (delete them to generate a new one)",
                cert_path.display(),
                key_path.display()
            )
        })?;
        Ok(ca)
    }

    /// Loads the CA from `dir` if both files exist there, else generates one and saves it.
    pub fn load_or_generate(dir: &Path) -> Result<TestCa> {
        if dir.join(CA_CERT_FILE).exists() || dir.join(CA_KEY_FILE).exists() {
            return TestCa::load(dir);
        }
        let ca = TestCa::generate()?;
        ca.save(dir)?;
        Ok(ca)
    }

    /// Writes `ca.pem` and `ca.key.pem` into `dir` (created if missing; the key file is made
    /// readable by the owner only). Returns the path of the certificate.
    pub fn save(&self, dir: &Path) -> Result<PathBuf> {
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let cert_path = dir.join(CA_CERT_FILE);
        let key_path = dir.join(CA_KEY_FILE);
        fs::write(&cert_path, &self.cert_pem)
            .with_context(|| format!("writing {}", cert_path.display()))?;
        write_private(&key_path, self.issuer.key().serialize_pem().as_bytes())
            .with_context(|| format!("writing {}", key_path.display()))?;
        Ok(cert_path)
    }

    /// The CA certificate, PEM.
    pub fn ca_pem(&self) -> &str {
        &self.cert_pem
    }

    /// The CA certificate, DER.
    pub fn ca_der(&self) -> &CertificateDer<'static> {
        &self.cert_der
    }

    /// Issues a leaf certificate for server authentication. Each name becomes a SAN: an IP
    /// address SAN if it parses as one (`127.0.0.1`, `::1`), a DNS name otherwise
    /// (`www.example.com`, `*.example.com`). Returns the chain (leaf, then CA) and the leaf key.
    pub fn issue(
        &self,
        names: &[String],
    ) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)> {
        if names.is_empty() {
            bail!("a leaf certificate needs at least one name");
        }
        let mut params = CertificateParams::new(names.to_vec())
            .with_context(|| format!("invalid certificate name in {names:?}"))?;
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, names[0].as_str());
        params.distinguished_name = dn;
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        let key = KeyPair::generate().context("generating a leaf key")?;
        let cert = params
            .signed_by(&key, &self.issuer)
            .with_context(|| format!("signing a leaf for {names:?}"))?;
        let key_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        Ok((vec![cert.der().clone(), self.cert_der.clone()], key_der))
    }

    /// A server config presenting a fresh leaf for `names`, offering `alpn` (for example
    /// [`ALPN_H2_H1`], or `&[b"http/1.1"]` for an HTTP/1.1-only server).
    pub fn server_config(&self, names: &[String], alpn: &[&[u8]]) -> Result<Arc<ServerConfig>> {
        let (chain, key) = self.issue(names)?;
        let mut config = ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .context("choosing TLS versions")?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .context("building the server TLS config")?;
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        Ok(Arc::new(config))
    }

    /// A client config that trusts this CA and the PEM certificates in `extra_roots_pem` (for
    /// example a user's `--ca FILE`), and nothing else; it offers h2 and http/1.1 by ALPN.
    /// Pass it to reqwest with `ClientBuilder::tls_backend_preconfigured(config)`.
    pub fn client_config(&self, extra_roots_pem: &[&str]) -> Result<ClientConfig> {
        let mut roots = vec![self.cert_pem.as_str()];
        roots.extend_from_slice(extra_roots_pem);
        client_config(&roots, ALPN_H2_H1)
    }

    fn self_check(&self) -> Result<()> {
        let name = "probe.edgeconform.invalid".to_string();
        let (chain, _) = self.issue(std::slice::from_ref(&name))?;
        let mut roots = RootCertStore::empty();
        roots.add(self.cert_der.clone())?;
        let verifier =
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider()).build()?;
        let server_name = ServerName::try_from(name)?;
        verifier.verify_server_cert(&chain[0], &chain[1..], &server_name, &[], UnixTime::now())?;
        Ok(())
    }
}

/// A client config trusting only the certificates in `roots_pem` (each string may hold several
/// PEM blocks) and offering `alpn`. reqwest does not set ALPN on a preconfigured config, so pass
/// [`ALPN_H2_H1`] unless the client must stay on one protocol.
pub fn client_config(roots_pem: &[&str], alpn: &[&[u8]]) -> Result<ClientConfig> {
    let mut roots = RootCertStore::empty();
    for (i, pem) in roots_pem.iter().enumerate() {
        let mut found = 0;
        for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
            let cert = cert.map_err(|e| anyhow::anyhow!("root certificate #{}: {e}", i + 1))?;
            roots
                .add(cert)
                .with_context(|| format!("root certificate #{} is not usable", i + 1))?;
            found += 1;
        }
        if found == 0 {
            bail!(
                "root certificate #{}: expected a PEM CERTIFICATE block",
                i + 1
            );
        }
    }
    let mut config = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .context("choosing TLS versions")?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    Ok(config)
}

fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(contents)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};
    use tokio_rustls::{TlsAcceptor, TlsConnector};

    /// Serves one TLS connection with a leaf for `names`, connects to it as `server_name` with a
    /// client trusting only `client_ca`, and returns the negotiated ALPN or the handshake error.
    async fn handshake(
        server_ca: &TestCa,
        client_ca: &TestCa,
        names: &[&str],
        server_name: &str,
    ) -> std::result::Result<Option<Vec<u8>>, String> {
        let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        let acceptor = TlsAcceptor::from(server_ca.server_config(&names, ALPN_H2_H1).unwrap());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            if let Ok(mut tls) = acceptor.accept(tcp).await {
                let _ = tls.write_all(b"ok").await;
                let _ = tls.shutdown().await;
            }
        });
        let connector = TlsConnector::from(Arc::new(client_ca.client_config(&[]).unwrap()));
        let tcp = TcpStream::connect(addr).await.unwrap();
        let name = ServerName::try_from(server_name.to_string()).unwrap();
        let result = match connector.connect(name, tcp).await {
            Ok(mut tls) => {
                let mut buf = Vec::new();
                tls.read_to_end(&mut buf).await.map_err(|e| e.to_string())?;
                assert_eq!(buf, b"ok");
                Ok(tls.get_ref().1.alpn_protocol().map(|p| p.to_vec()))
            }
            Err(e) => Err(e.to_string()),
        };
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), server).await;
        result
    }

    #[test]
    fn suites_are_offered_in_browsers_order_and_none_is_lost() {
        use rustls::CipherSuite as S;
        let ours: Vec<S> = provider().cipher_suites.iter().map(|c| c.suite()).collect();
        assert_eq!(
            ours[..3],
            [
                S::TLS13_AES_128_GCM_SHA256,
                S::TLS13_AES_256_GCM_SHA384,
                S::TLS13_CHACHA20_POLY1305_SHA256
            ]
        );
        let mut all: Vec<S> = rustls::crypto::ring::default_provider()
            .cipher_suites
            .iter()
            .map(|c| c.suite())
            .collect();
        let mut sorted = ours.clone();
        all.sort_by_key(|s| u16::from(*s));
        sorted.sort_by_key(|s| u16::from(*s));
        assert_eq!(sorted, all);
    }

    #[tokio::test]
    async fn leaf_verifies_for_dns_name_and_ip_san() {
        let ca = TestCa::generate().unwrap();
        let names = ["www.example.com", "127.0.0.1"];
        let alpn = handshake(&ca, &ca, &names, "www.example.com")
            .await
            .unwrap();
        assert_eq!(alpn.as_deref(), Some(&b"h2"[..]));
        handshake(&ca, &ca, &names, "127.0.0.1").await.unwrap();
    }

    #[tokio::test]
    async fn leaf_is_refused_for_another_name_or_another_ca() {
        let ca = TestCa::generate().unwrap();
        let other = TestCa::generate().unwrap();
        let names = ["www.example.com", "127.0.0.1"];
        let err = handshake(&ca, &ca, &names, "other.example.com")
            .await
            .unwrap_err();
        assert!(err.contains("not valid for name"), "{err}");
        let err = handshake(&ca, &other, &names, "www.example.com")
            .await
            .unwrap_err();
        assert!(err.contains("invalid peer certificate"), "{err}");
    }

    #[tokio::test]
    async fn saved_ca_loads_and_issues_leaves_the_original_trusts() {
        let dir = std::env::temp_dir().join(format!(
            "edgeconform-ca-test-{}-{:?}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        let ca = TestCa::generate().unwrap();
        ca.save(&dir).unwrap();
        let loaded = TestCa::load(&dir).unwrap();
        assert_eq!(loaded.ca_pem(), ca.ca_pem());
        handshake(&loaded, &ca, &["localhost"], "localhost")
            .await
            .unwrap();
        let again = TestCa::load_or_generate(&dir).unwrap();
        assert_eq!(again.ca_pem(), ca.ca_pem());

        // A key that does not belong to the certificate is refused with a message.
        let stranger = TestCa::generate().unwrap();
        fs::write(dir.join(CA_KEY_FILE), stranger.issuer.key().serialize_pem()).unwrap();
        let err = format!("{:#}", TestCa::load(&dir).unwrap_err());
        assert!(err.contains("not an edgeconform test CA pair"), "{err}");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn client_config_rejects_non_pem_roots() {
        let err = client_config(&["not a certificate"], ALPN_H2_H1).unwrap_err();
        assert!(
            err.to_string().contains("expected a PEM CERTIFICATE"),
            "{err}"
        );
    }
}
