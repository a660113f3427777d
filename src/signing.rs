//! 国密 signatures of a build: SM2 (GM/T 0003) over SM3 (GB/T 32905), the signer's
//! distinguishing identifier the GM/T 0009 default. `anjuan keygen` makes the key pair; a build
//! with `signing:` in `anjuan.yaml` signs `manifest.json` (detached, `manifest.json.sig`), each
//! transfer package's tag manifest and each volume's 封装包; `verify --key` checks them.
//!
//! SM2 signing here is deterministic (the nonce derived as in RFC 6979 with SM3, as the `sm2`
//! crate does for [`Signer`]), so an unchanged build writes byte-identical signatures.

use std::path::{Path, PathBuf};

use sm2::dsa::signature::hazmat::PrehashSigner as _;
use sm2::dsa::signature::{Signer as _, Verifier as _};
use sm2::dsa::{Signature, SigningKey, VerifyingKey};
use sm3::Digest as _;

/// GM/T 0009-2012's default user identity (ID_A) in Z_A.
pub const DIST_ID: &str = "1234567812345678";

/// The SM2 curve's coefficients a, b and base point G (GB/T 32918.5-2017 / GM/T 0003.5), in
/// the order Z_A hashes them. The `sm2` crate holds them only behind `primeorder`, which it does
/// not re-export; the unit test `streamed_signature_is_the_crates_signature` proves them.
const CURVE_A_B_G: [&str; 4] = [
    "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC",
    "28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93",
    "32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7",
    "BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0",
];

/// Object identifier of SM2 signatures with SM3 (GM/T 0006).
pub const ALGORITHM_OID: &str = "1.2.156.10197.1.501";

/// Suffix of a detached signature file.
pub const SIG_SUFFIX: &str = ".sig";

/// File names `anjuan keygen` writes.
pub const PRIVATE_FILE: &str = "anjuan-sm2-私钥.key";
pub const PUBLIC_FILE: &str = "anjuan-sm2-公钥.txt";

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("无法读取私钥文件 {}：{}", .0.display(), crate::text::io_error(.1))]
    Read(PathBuf, std::io::Error),
    #[error("私钥文件 {} 格式错误：应含 64 位十六进制的 SM2 私钥（由 anjuan keygen 生成）", .0.display())]
    Private(PathBuf),
    #[error(
        "公钥格式错误：应为 130 位十六进制（04 开头的未压缩 SM2 公钥，anjuan keygen 打印的那一串）"
    )]
    Public,
    #[error("私钥文件 {} 与 anjuan.yaml 中 signing.public_key 给出的公钥不是一对", .0.display())]
    Mismatch(PathBuf),
    #[error("无法写入 {}：{}", .0.display(), crate::text::io_error(.1))]
    Write(PathBuf, std::io::Error),
    #[error("{} 已存在；为免覆盖在用的密钥，请换一个目录或先自行移走旧文件", .0.display())]
    Exists(PathBuf),
    #[error("无法取得随机数：{0}")]
    Random(String),
}

/// The office's public key.
#[derive(Clone, Debug)]
pub struct PublicKey {
    key: VerifyingKey,
    hex: String,
}

impl PublicKey {
    /// From the hex string `keygen` prints (uncompressed SEC1 point, `04…`).
    pub fn parse(text: &str) -> Result<PublicKey, KeyError> {
        let hex_text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let bytes = hex::decode(&hex_text).map_err(|_| KeyError::Public)?;
        let key = VerifyingKey::from_sec1_bytes(DIST_ID, &bytes).map_err(|_| KeyError::Public)?;
        Ok(PublicKey {
            hex: public_hex(&key),
            key,
        })
    }

    pub fn hex(&self) -> &str {
        &self.hex
    }

    /// A short form for messages: the first and last hex digits.
    pub fn short(&self) -> String {
        short(&self.hex)
    }

    pub fn verify(&self, message: &[u8], signature_hex: &str) -> bool {
        let Ok(bytes) = hex::decode(signature_hex.trim()) else {
            return false;
        };
        let Ok(sig) = Signature::try_from(bytes.as_slice()) else {
            return false;
        };
        self.key.verify(message, &sig).is_ok()
    }
}

pub fn short(hex: &str) -> String {
    if hex.len() > 20 {
        format!("{}…{}", &hex[..10], &hex[hex.len() - 8..])
    } else {
        hex.to_string()
    }
}

fn public_hex(key: &VerifyingKey) -> String {
    hex::encode(key.to_sec1_bytes())
}

/// The office's private key, loaded for a build.
pub struct Signer {
    key: SigningKey,
    public: PublicKey,
}

impl Signer {
    pub fn load(path: &Path) -> Result<Signer, KeyError> {
        let text = std::fs::read_to_string(path).map_err(|e| KeyError::Read(path.into(), e))?;
        let secret = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.rsplit([':', '：']).next())
            .map(str::trim)
            .find(|l| l.len() == 64 && l.chars().all(|c| c.is_ascii_hexdigit()))
            .and_then(|h| hex::decode(h).ok())
            .ok_or_else(|| KeyError::Private(path.into()))?;
        let key =
            SigningKey::from_slice(DIST_ID, &secret).map_err(|_| KeyError::Private(path.into()))?;
        let public = PublicKey {
            hex: public_hex(key.verifying_key()),
            key: key.verifying_key().clone(),
        };
        Ok(Signer { key, public })
    }

    /// The private key at `path`, checked against `public_key` (hex, as `anjuan keygen` prints
    /// it).
    pub fn load_checked(path: &Path, public_key: &str) -> Result<Signer, KeyError> {
        let signer = Signer::load(path)?;
        let public = PublicKey::parse(public_key)?;
        if public.hex != signer.public.hex {
            return Err(KeyError::Mismatch(path.to_path_buf()));
        }
        Ok(signer)
    }

    pub fn public(&self) -> &PublicKey {
        &self.public
    }

    /// The signature (r ‖ s) in hex.
    pub fn sign_hex(&self, message: &[u8]) -> String {
        let sig: Signature = self.key.sign(message);
        hex::encode(sig.to_bytes())
    }

    /// A hasher already fed Z_A (GB/T 32918.2 §5.5: SM3 of ENTL_A ‖ ID_A ‖ a ‖ b ‖ x_G ‖ y_G ‖
    /// x_A ‖ y_A): feed it the message in pieces, then [`Signer::sign_digest_hex`] signs it as
    /// [`Signer::sign_hex`] signs the whole message (steps A1–A2, e = SM3(Z_A ‖ M)).
    pub fn message_hasher(&self) -> sm3::Sm3 {
        let mut z = sm3::Sm3::new();
        z.update(((DIST_ID.len() * 8) as u16).to_be_bytes());
        z.update(DIST_ID.as_bytes());
        for c in CURVE_A_B_G {
            z.update(hex::decode(c).expect("curve constant is hex"));
        }
        let point = self.key.verifying_key().to_sec1_bytes();
        // Uncompressed SEC1: 04 ‖ x ‖ y.
        z.update(&point[1..]);
        sm3::Sm3::new_with_prefix(z.finalize())
    }

    /// The signature (r ‖ s) in hex of the message fed to `hasher` (from
    /// [`Signer::message_hasher`]).
    pub fn sign_digest_hex(&self, hasher: sm3::Sm3) -> String {
        let sig: Signature = self
            .key
            .sign_prehash(&hasher.finalize())
            .expect("SM2 signs a 32-byte digest");
        hex::encode(sig.to_bytes())
    }

    /// A detached signature file for `message`, the file `name`.
    pub fn detached(&self, name: &str, message: &[u8]) -> Vec<u8> {
        self.detached_text(
            name,
            &crate::output::sm3_hex(message),
            &self.sign_hex(message),
        )
    }

    /// A detached signature file for the file `name` read from `reader` in fixed-size pieces:
    /// the same bytes as [`Signer::detached`] of its whole content, whatever its size.
    pub fn detached_reader(
        &self,
        name: &str,
        reader: impl std::io::Read,
    ) -> std::io::Result<Vec<u8>> {
        let mut digests = Digests::new(reader, Some(self));
        std::io::copy(&mut digests, &mut std::io::sink())?;
        let (sm3, e) = digests.finish();
        Ok(self.detached_signed(name, &sm3, e.expect("a signer's digests")))
    }

    /// A detached signature file for the file `name`, its SM3 (hex) and its message digest
    /// (from [`Signer::message_hasher`]) computed while it was read.
    pub fn detached_signed(&self, name: &str, sm3_hex: &str, hasher: sm3::Sm3) -> Vec<u8> {
        self.detached_text(name, sm3_hex, &self.sign_digest_hex(hasher))
    }

    fn detached_text(&self, name: &str, sm3_hex: &str, signature_hex: &str) -> Vec<u8> {
        format!(
            "# anjuan 电子签名：SM2 签名（GM/T 0003，杂凑算法 SM3，签名者标识 {DIST_ID}，算法标识 {ALGORITHM_OID}）\n# 被签名的是同目录下文件 {name} 的全部字节。用 anjuan verify --key 公钥 核验。\n被签名文件：{name}\nSM3：{sm3_hex}\n公钥：{}\n签名：{signature_hex}\n",
            self.public.hex,
        )
        .into_bytes()
    }
}

/// A reader that hashes what passes through it: the SM3 of the bytes and, with a signer, the
/// digest its signature signs (SM3(Z_A ‖ M)). Each byte is hashed once, when it is read from the
/// inner reader, so wrapping this in a `BufReader` hashes exactly the bytes taken from the file.
pub struct Digests<R> {
    inner: R,
    sm3: sm3::Sm3,
    signed: Option<sm3::Sm3>,
}

impl<R> Digests<R> {
    pub fn new(inner: R, signer: Option<&Signer>) -> Self {
        Digests {
            inner,
            sm3: sm3::Sm3::new(),
            signed: signer.map(Signer::message_hasher),
        }
    }

    /// The SM3 (hex) of everything read, and the signer's message digest.
    pub fn finish(self) -> (String, Option<sm3::Sm3>) {
        (hex::encode(self.sm3.finalize()), self.signed)
    }
}

impl<R: std::io::Read> std::io::Read for Digests<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.sm3.update(&buf[..n]);
        if let Some(h) = &mut self.signed {
            h.update(&buf[..n]);
        }
        Ok(n)
    }
}

/// A detached signature file, read.
#[derive(Debug, Default)]
pub struct Detached {
    pub public: String,
    pub signature: String,
}

pub fn parse_detached(text: &str) -> Option<Detached> {
    let mut d = Detached::default();
    for line in text.lines() {
        if let Some(v) = line.strip_prefix("公钥：") {
            d.public = v.trim().to_string();
        } else if let Some(v) = line.strip_prefix("签名：") {
            d.signature = v.trim().to_string();
        }
    }
    (!d.public.is_empty() && !d.signature.is_empty()).then_some(d)
}

/// What checking a detached signature found.
#[derive(Debug, PartialEq, Eq)]
pub enum Check {
    Valid,
    Missing,
    Malformed,
    /// Signed by another key (its public key, hex).
    OtherKey(String),
    /// The right key, but the content is not what it signed.
    Invalid,
}

/// Checks the signature file `sig` over `message` against the office's key.
pub fn check_detached(key: &PublicKey, message: &[u8], sig: Option<&[u8]>) -> Check {
    let Some(sig) = sig else {
        return Check::Missing;
    };
    let Some(d) = parse_detached(&String::from_utf8_lossy(sig)) else {
        return Check::Malformed;
    };
    if !d.public.eq_ignore_ascii_case(&key.hex) {
        return Check::OtherKey(d.public);
    }
    if key.verify(message, &d.signature) {
        Check::Valid
    } else {
        Check::Invalid
    }
}

/// `anjuan keygen -o DIR`: a new key pair; returns (private key file, public key hex).
pub fn keygen(dir: &Path) -> Result<(PathBuf, String), KeyError> {
    let private = dir.join(PRIVATE_FILE);
    let public = dir.join(PUBLIC_FILE);
    for p in [&private, &public] {
        if p.exists() {
            return Err(KeyError::Exists(p.clone()));
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| KeyError::Write(dir.into(), e))?;
    let key = loop {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| KeyError::Random(e.to_string()))?;
        if let Ok(k) = SigningKey::from_slice(DIST_ID, &bytes) {
            break k;
        }
    };
    let pub_hex = public_hex(key.verifying_key());
    let text = format!(
        "# anjuan SM2 私钥（GM/T 0003）。本文件只能由本单位指定的人员保管：不要放进共享的案件根目录，\n# 不要提交到版本库，不要通过网络传送。丢失后用 anjuan keygen 另生成一对，并更新 anjuan.yaml。\n# 对应公钥：{pub_hex}\nSM2 私钥：{}\n",
        hex::encode(key.to_bytes())
    );
    write_private(&private, text.as_bytes()).map_err(|e| KeyError::Write(private.clone(), e))?;
    let pub_text = format!(
        "# anjuan SM2 公钥：写入 anjuan.yaml 的 signing.public_key，也可交给档案馆用于 anjuan verify --key\n{pub_hex}\n"
    );
    std::fs::write(&public, pub_text).map_err(|e| KeyError::Write(public.clone(), e))?;
    Ok((private, pub_hex))
}

/// Creates a file only its owner can read or write (0600 on Unix), failing if it exists.
fn write_private(path: &Path, data: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(path)?;
    f.write_all(data)?;
    f.sync_all()
}

/// Whether others than the owner may read the private key file (Unix); never on other systems.
pub fn readable_by_others(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o077 != 0)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        false
    }
}

/// Reads a public key from a file `keygen` wrote (or any text holding the hex) or the hex
/// itself.
pub fn read_public(arg: &str) -> Result<PublicKey, KeyError> {
    let path = Path::new(arg);
    if path.is_file() {
        let text = std::fs::read_to_string(path).map_err(|e| KeyError::Read(path.into(), e))?;
        let line = text
            .lines()
            .map(str::trim)
            .find(|l| !l.starts_with('#') && !l.is_empty())
            .unwrap_or_default();
        let line = line.rsplit('：').next().unwrap_or(line);
        return PublicKey::parse(line);
    }
    PublicKey::parse(arg)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fixed key (the private key of GB/T 32918.5's example).
    fn signer() -> Signer {
        let secret =
            hex::decode("3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8")
                .unwrap();
        let key = SigningKey::from_slice(DIST_ID, &secret).unwrap();
        Signer {
            public: PublicKey {
                hex: public_hex(key.verifying_key()),
                key: key.verifying_key().clone(),
            },
            key,
        }
    }

    /// Messages of every size class: empty, small, several MiB read in many pieces.
    fn messages() -> Vec<Vec<u8>> {
        let big: Vec<u8> = (0..(3 << 20) + 12_345u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        vec![
            Vec::new(),
            b"abc".to_vec(),
            "清单 manifest.json".into(),
            big,
        ]
    }

    #[test]
    fn streamed_signature_is_the_crates_signature() {
        let s = signer();
        for m in messages() {
            let whole: Signature = s.key.sign(&m);
            let mut h = s.message_hasher();
            for piece in m.chunks(8191) {
                h.update(piece);
            }
            assert_eq!(
                s.sign_digest_hex(h),
                hex::encode(whole.to_bytes()),
                "{} bytes",
                m.len()
            );
            assert!(s.public().verify(
                &m,
                &s.sign_digest_hex({
                    let mut h = s.message_hasher();
                    h.update(&m);
                    h
                })
            ));
        }
    }

    #[test]
    fn streamed_detached_file_is_the_same_bytes() {
        let s = signer();
        for m in messages() {
            let streamed = s
                .detached_reader(
                    "manifest.json",
                    std::io::BufReader::with_capacity(4096, m.as_slice()),
                )
                .unwrap();
            let whole = s.detached("manifest.json", &m);
            assert_eq!(
                String::from_utf8(streamed).unwrap(),
                String::from_utf8(whole.clone()).unwrap()
            );
            assert_eq!(
                check_detached(s.public(), &m, Some(&whole)),
                Check::Valid,
                "{} bytes",
                m.len()
            );
            let text = String::from_utf8(whole).unwrap();
            assert!(
                text.contains(&format!("SM3：{}\n", crate::output::sm3_hex(&m))),
                "{text}"
            );
        }
    }
}
