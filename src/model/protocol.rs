//! The protocol catalogue: which protocols are known, whether they are encrypted, and their twins.
//!
//! A flow's protocol is free text. Text that names a catalogue entry (case-insensitively, or through
//! an alias such as `REST` or `gRPC over TLS`) gets that entry's facts; any other text is allowed and
//! means "encryption unknown".

use std::sync::LazyLock;

/// One known protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Protocol {
    /// Canonical lower-case name, as stored in files (`grpcs`).
    pub name: &'static str,
    /// One-line meaning for legends ("gRPC over TLS").
    pub meaning: &'static str,
    /// Whether traffic is encrypted in transit.
    pub encrypted: bool,
    /// The plain or secure counterpart (`grpc` ↔ `grpcs`), if there is one.
    pub twin: Option<&'static str>,
    /// Other spellings that mean this protocol (lower case).
    pub aliases: &'static [&'static str],
}

impl Protocol {
    /// The encrypted counterpart of a plain protocol (`http` → `https`).
    pub fn secure_twin(&self) -> Option<&'static Protocol> {
        if self.encrypted { None } else { self.twin.and_then(lookup) }
    }

    /// The plain counterpart of an encrypted protocol (`wss` → `ws`).
    pub fn plain_twin(&self) -> Option<&'static Protocol> {
        if self.encrypted { self.twin.and_then(lookup) } else { None }
    }
}

/// Whether a flow's traffic is encrypted, as far as the model knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Encryption {
    /// Encrypted in transit (an encrypted protocol, or an explicit override).
    Encrypted,
    /// Plain text.
    Plain,
    /// No protocol, or one the catalogue does not know, and no override.
    Unknown,
}

impl Encryption {
    /// A readable word for tables ("encrypted", "plain", "unknown").
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Encrypted => "encrypted",
            Self::Plain => "plain",
            Self::Unknown => "unknown",
        }
    }
}

macro_rules! p {
    ($name:literal, $meaning:literal, $enc:literal, $twin:expr, [$($alias:literal),*]) => {
        Protocol { name: $name, meaning: $meaning, encrypted: $enc, twin: $twin, aliases: &[$($alias),*] }
    };
}

/// Every known protocol, plain ones before their secure twins.
pub static CATALOGUE: &[Protocol] = &[
    p!("grpc", "gRPC, Google remote procedure call, in plain text", false, Some("grpcs"), ["grpc-plain", "h2c"]),
    p!("grpcs", "gRPC over TLS", true, Some("grpc"), ["grpc+tls", "grpc-tls", "grpc/tls", "secure grpc"]),
    p!("ws", "WebSocket, in plain text", false, Some("wss"), ["websocket", "websockets", "web socket"]),
    p!("wss", "WebSocket over TLS", true, Some("ws"), ["secure websocket", "websocket+tls"]),
    p!(
        "http",
        "HTTP, in plain text",
        false,
        Some("https"),
        ["rest", "rest api", "http/rest", "rest/http", "graphql", "soap", "http/1.1", "http/2", "http2"]
    ),
    p!(
        "https",
        "HTTP over TLS",
        true,
        Some("http"),
        ["https/rest", "rest/https", "rest over https", "http+tls", "http/tls", "https api"]
    ),
    p!("tcp", "raw TCP, in plain text", false, Some("tls"), ["tcp/ip"]),
    p!("tls", "TLS over TCP", true, Some("tcp"), ["ssl", "ssl/tls", "tls/ssl", "tcp+tls", "mtls"]),
    p!("udp", "raw UDP, in plain text", false, Some("dtls"), []),
    p!("dtls", "Datagram TLS over UDP", true, Some("udp"), ["udp+dtls"]),
    p!("quic", "QUIC, always encrypted", true, None, ["http/3", "http3"]),
    p!("ssh", "Secure Shell", true, Some("telnet"), ["sftp", "scp"]),
    p!("telnet", "Telnet, in plain text", false, Some("ssh"), []),
    p!("ftp", "FTP, in plain text", false, Some("ftps"), []),
    p!("ftps", "FTP over TLS", true, Some("ftp"), []),
    p!("amqp", "AMQP message queueing, in plain text", false, Some("amqps"), ["rabbitmq"]),
    p!("amqps", "AMQP over TLS", true, Some("amqp"), []),
    p!("mqtt", "MQTT messaging, in plain text", false, Some("mqtts"), []),
    p!("mqtts", "MQTT over TLS", true, Some("mqtt"), ["mqtt+tls"]),
    p!("smtp", "SMTP mail, in plain text", false, Some("smtps"), ["mail", "email"]),
    p!("smtps", "SMTP over TLS", true, Some("smtp"), ["smtp+tls", "starttls"]),
    p!("ldap", "LDAP directory access, in plain text", false, Some("ldaps"), []),
    p!("ldaps", "LDAP over TLS", true, Some("ldap"), []),
    p!("dns", "DNS, in plain text", false, Some("dot"), []),
    p!("dot", "DNS over TLS", true, Some("dns"), ["dns over tls", "doh", "dns over https"]),
    p!(
        "postgres",
        "PostgreSQL wire protocol, TLS not enforced",
        false,
        Some("postgres+tls"),
        ["postgresql", "psql", "pg"]
    ),
    p!("postgres+tls", "PostgreSQL wire protocol over TLS", true, Some("postgres"), ["postgresql+tls", "postgres-tls"]),
    p!("mysql", "MySQL wire protocol, TLS not enforced", false, Some("mysql+tls"), ["mariadb"]),
    p!("mysql+tls", "MySQL wire protocol over TLS", true, Some("mysql"), ["mysql-tls"]),
    p!("redis", "Redis protocol (RESP), in plain text", false, Some("rediss"), ["resp"]),
    p!("rediss", "Redis protocol over TLS", true, Some("redis"), ["redis+tls", "redis-tls"]),
    p!("kafka", "Kafka protocol, in plain text", false, Some("kafka+tls"), []),
    p!("kafka+tls", "Kafka protocol over TLS", true, Some("kafka"), ["kafka-tls", "kafka-ssl"]),
    p!("nfs", "NFS file sharing, in plain text", false, None, []),
    p!("smb", "SMB file sharing, unencrypted", false, Some("smb3"), ["cifs"]),
    p!("smb3", "SMB 3 with encryption", true, Some("smb"), []),
    p!("imap", "IMAP mail, in plain text", false, Some("imaps"), []),
    p!("imaps", "IMAP over TLS", true, Some("imap"), []),
    p!("syslog", "Syslog, in plain text", false, None, []),
    p!("ipc", "local inter-process communication", false, None, ["unix socket", "unix", "pipe"]),
];

fn normalise(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Every name and alias, lower case, with its entry. Names come first, so a name wins over an
/// alias with the same spelling, as it did when the catalogue was searched in order.
static KEYS: LazyLock<foldhash::HashMap<&'static str, &'static Protocol>> = LazyLock::new(|| {
    let mut keys = foldhash::HashMap::default();
    for p in CATALOGUE {
        keys.entry(p.name).or_insert(p);
    }
    for p in CATALOGUE {
        for alias in p.aliases {
            keys.entry(*alias).or_insert(p);
        }
    }
    keys
});

/// Longer than every name and alias: text that normalises to more bytes cannot name a protocol.
const KEY_MAX: usize = 32;

/// The entry that ASCII `words`, joined by single spaces and lower-cased, spell; no allocation.
fn find_ascii<'w>(words: impl IntoIterator<Item = &'w str>) -> Option<&'static Protocol> {
    let mut key = [0u8; KEY_MAX];
    let mut len = 0;
    for (k, word) in words.into_iter().enumerate() {
        let sep = usize::from(k > 0);
        if len + sep + word.len() > KEY_MAX {
            return None;
        }
        if sep == 1 {
            key[len] = b' ';
        }
        len += sep;
        for b in word.bytes() {
            key[len] = b.to_ascii_lowercase();
            len += 1;
        }
    }
    KEYS.get(std::str::from_utf8(&key[..len]).ok()?).copied()
}

/// The catalogue entry that `text` names, exactly or through an alias, ignoring case and extra spaces.
///
/// `"gRPC"` → grpc, `"REST"` → http, `"HTTPS/REST"` → https; `"proxy pass"` → `None`.
pub fn lookup(text: &str) -> Option<&'static Protocol> {
    // ASCII text lower-cases byte by byte; other text takes Unicode case rules (the Kelvin sign
    // `K` lower-cases to `k`), so it is normalised into a new string first.
    if text.is_ascii() {
        return find_ascii(text.split_whitespace());
    }
    KEYS.get(normalise(text).as_str()).copied()
}

/// The protocol a piece of free text mentions, for importers reading edge labels.
///
/// Looks at the whole text first, then at its words. A plain protocol word next to `tls` or `ssl`
/// (`"gRPC over TLS"`) means its secure twin; when several protocols are named, an encrypted one wins.
/// `"gRPC bidirectional streaming"` → grpc, `"REST API"` → http, `"proxy pass port 5005"` → `None`.
pub fn recognise(text: &str) -> Option<&'static Protocol> {
    if let Some(p) = lookup(text) {
        return Some(p);
    }
    let split = text.split(|c: char| !(c.is_alphanumeric() || c == '+' || c == '.')).filter(|w| !w.is_empty());
    let mut found: Vec<&'static Protocol> = Vec::new();
    let ssl = if text.is_ascii() {
        // The same search as below, without lower-cased copies of the words.
        let words: Vec<&str> = split.collect();
        found.extend(words.windows(2).filter_map(|pair| find_ascii(pair.iter().copied())));
        found.extend(words.iter().filter_map(|w| find_ascii([*w])));
        words.iter().any(|w| w.eq_ignore_ascii_case("ssl"))
    } else {
        let words: Vec<String> = split.map(str::to_lowercase).collect();
        found.extend(words.windows(2).filter_map(|pair| lookup(&pair.join(" "))));
        found.extend(words.iter().filter_map(|w| lookup(w)));
        words.iter().any(|w| w == "ssl")
    };
    let transport_security = ssl || found.iter().any(|p| p.name == "tls");
    let application = found.iter().copied().find(|p| !matches!(p.name, "tls" | "tcp"));
    match application {
        Some(p) if transport_security && !p.encrypted => p.secure_twin().or(Some(p)),
        Some(_) => found.iter().copied().find(|p| p.encrypted && p.name != "tls").or(application),
        None => found.first().copied(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(p: Option<&Protocol>) -> Option<&'static str> {
        p.map(|p| p.name)
    }

    #[test]
    fn lookup_is_case_insensitive_with_aliases() {
        assert_eq!(name(lookup("gRPC")), Some("grpc"));
        assert_eq!(name(lookup("GRPCS")), Some("grpcs"));
        assert_eq!(name(lookup("REST")), Some("http"));
        assert_eq!(name(lookup("HTTPS/REST")), Some("https"));
        assert_eq!(name(lookup("  WSS ")), Some("wss"));
        assert_eq!(lookup("carrier pigeon"), None);
        assert_eq!(lookup(""), None);
    }

    #[test]
    fn recognise_reads_edge_labels() {
        assert_eq!(name(recognise("gRPC bidirectional streaming")), Some("grpc"));
        assert_eq!(name(recognise("REST API")), Some("http"));
        assert_eq!(name(recognise("gRPC over TLS")), Some("grpcs"));
        assert_eq!(name(recognise("REST over HTTPS")), Some("https"));
        assert_eq!(name(recognise("wss")), Some("wss"));
        assert_eq!(name(recognise("TLS")), Some("tls"));
        assert_eq!(recognise("proxy pass port 5005"), None);
    }

    #[test]
    fn non_ascii_text_follows_unicode_case_rules() {
        assert_eq!(name(lookup("\u{212a}AFKA")), Some("kafka"), "the Kelvin sign lower-cases to k");
        assert_eq!(name(recognise("gRPC über TLS")), Some("grpcs"));
        assert_eq!(name(recognise("\u{a0}REST\u{a0}API\u{a0}")), Some("http"));
        assert_eq!(recognise("日本 proxy"), None);
    }

    #[test]
    fn every_key_fits_the_lookup_buffer() {
        for p in CATALOGUE {
            for n in std::iter::once(&p.name).chain(p.aliases) {
                assert!(n.len() <= KEY_MAX, "{n}");
                assert_eq!(name(lookup(n)), Some(p.name));
            }
        }
    }

    #[test]
    fn every_twin_points_back() {
        for p in CATALOGUE {
            if let Some(t) = p.twin {
                let twin = lookup(t).unwrap_or_else(|| panic!("{} has unknown twin {t}", p.name));
                assert_ne!(twin.encrypted, p.encrypted, "{} and {t} differ in encryption", p.name);
                assert_eq!(twin.twin, Some(p.name), "{t} points back to {}", p.name);
            }
        }
    }

    #[test]
    fn names_and_aliases_are_unique_and_lower_case() {
        let mut seen = std::collections::BTreeSet::new();
        for p in CATALOGUE {
            for n in std::iter::once(&p.name).chain(p.aliases) {
                assert_eq!(*n, n.to_lowercase());
                assert!(seen.insert(*n), "{n} listed twice");
            }
        }
    }

    #[test]
    fn issue_list_is_covered() {
        for n in [
            "grpc", "grpcs", "ws", "wss", "http", "https", "tcp", "tls", "udp", "dtls", "ssh", "amqp", "amqps", "mqtt",
            "mqtts", "smtp", "smtps", "ldap", "ldaps", "postgres", "mysql", "redis", "kafka", "nfs", "smb",
        ] {
            assert!(lookup(n).is_some(), "{n}");
        }
    }
}
