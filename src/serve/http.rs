//! A minimal HTTP/1.1 server side over `std::net`: request parsing (Content-Length and
//! chunked bodies, keep-alive), responses, and `application/x-www-form-urlencoded` decoding.
//! Enough for the SPARQL protocol; not a general web server.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;

/// Largest request head (request line and headers) accepted.
const MAX_HEAD: usize = 64 * 1024;

/// One parsed request.
#[derive(Debug, Default)]
pub struct Request {
    pub method: String,
    /// The path without the query string, percent-decoded.
    pub path: String,
    /// The raw query string (after `?`), empty when absent.
    pub query: String,
    /// Header names lowercased, values trimmed, in order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Whether the client wants the connection kept open after the response.
    pub keep_alive: bool,
}

impl Request {
    /// The first value of a header (name in lowercase).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Why a request could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// The connection was closed (or went idle) before a request started: not an error.
    Closed,
    /// A malformed or oversized request: answer with this status and message, then close.
    Bad(u16, String),
    /// The connection failed (reset, timed out).
    Io,
}

impl From<io::Error> for ReadError {
    fn from(_: io::Error) -> Self {
        ReadError::Io
    }
}

fn bad(msg: impl Into<String>) -> ReadError {
    ReadError::Bad(400, msg.into())
}

/// Reads one line ending in LF (CRLF or LF), counting bytes against `budget`.
fn read_line(r: &mut BufReader<TcpStream>, budget: &mut usize) -> Result<String, ReadError> {
    let mut buf = Vec::new();
    let limit = (*budget as u64) + 1;
    let n = r.by_ref().take(limit).read_until(b'\n', &mut buf)?;
    if n as u64 == limit && !buf.ends_with(b"\n") {
        return Err(ReadError::Bad(431, "request head too large".into()));
    }
    *budget = budget.saturating_sub(n);
    if n == 0 {
        return Err(ReadError::Closed);
    }
    if !buf.ends_with(b"\n") {
        return Err(bad("incomplete request"));
    }
    buf.pop();
    if buf.ends_with(b"\r") {
        buf.pop();
    }
    String::from_utf8(buf).map_err(|_| bad("request head is not UTF-8"))
}

/// Reads the next request from a connection. `max_body` bounds the body size (413 beyond).
pub fn read_request(r: &mut BufReader<TcpStream>, max_body: usize) -> Result<Request, ReadError> {
    let mut budget = MAX_HEAD;
    // Tolerate blank lines before a request (RFC 9112 section 2.2).
    let mut line = read_line(r, &mut budget)?;
    while line.is_empty() {
        line = read_line(r, &mut budget)?;
    }
    let mut parts = line.split(' ');
    let (method, target, version) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(m), Some(t), Some(v), None) if !m.is_empty() && !t.is_empty() => (m, t, v),
        _ => return Err(bad(format!("malformed request line {line:?}"))),
    };
    let http11 = match version {
        "HTTP/1.1" => true,
        "HTTP/1.0" => false,
        _ => {
            return Err(ReadError::Bad(
                505,
                format!("unsupported version {version:?}"),
            ))
        }
    };
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, q),
        None => (target, ""),
    };
    let path = String::from_utf8(percent_decode(path, false))
        .map_err(|_| bad("request path is not UTF-8"))?;
    let mut req = Request {
        method: method.to_string(),
        path,
        query: query.to_string(),
        ..Request::default()
    };
    loop {
        let line = match read_line(r, &mut budget) {
            Err(ReadError::Closed) => return Err(bad("incomplete request")),
            other => other?,
        };
        if line.is_empty() {
            break;
        }
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| bad(format!("malformed header line {line:?}")))?;
        req.headers
            .push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    let connection = req.header("connection").unwrap_or("").to_ascii_lowercase();
    req.keep_alive = if http11 {
        !connection.split(',').any(|t| t.trim() == "close")
    } else {
        connection.split(',').any(|t| t.trim() == "keep-alive")
    };
    let expects_continue = req
        .header("expect")
        .is_some_and(|e| e.eq_ignore_ascii_case("100-continue"));
    if expects_continue && http11 {
        // curl sends this for bodies over 1 KiB and would otherwise wait a second.
        r.get_mut().write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
    }
    let chunked = req
        .header("transfer-encoding")
        .is_some_and(|te| te.to_ascii_lowercase().contains("chunked"));
    if chunked {
        req.body = read_chunked(r, max_body)?;
    } else if let Some(len) = req.header("content-length") {
        let len: usize = len
            .parse()
            .map_err(|_| bad(format!("invalid Content-Length {len:?}")))?;
        if len > max_body {
            return Err(too_large(max_body));
        }
        let mut body = vec![0; len];
        r.read_exact(&mut body)?;
        req.body = body;
    }
    Ok(req)
}

fn too_large(max_body: usize) -> ReadError {
    ReadError::Bad(
        413,
        format!("request body larger than the limit of {max_body} bytes"),
    )
}

fn read_chunked(r: &mut BufReader<TcpStream>, max_body: usize) -> Result<Vec<u8>, ReadError> {
    let mut body = Vec::new();
    loop {
        let mut budget = 1024;
        let line = read_line(r, &mut budget)?;
        let size = line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size, 16)
            .map_err(|_| bad(format!("invalid chunk size {size:?}")))?;
        if size == 0 {
            // Trailers, up to the blank line.
            let mut budget = MAX_HEAD;
            while !read_line(r, &mut budget)?.is_empty() {}
            return Ok(body);
        }
        if body.len() + size > max_body {
            return Err(too_large(max_body));
        }
        let start = body.len();
        body.resize(start + size, 0);
        r.read_exact(&mut body[start..])?;
        let mut budget = 2;
        if !read_line(r, &mut budget)?.is_empty() {
            return Err(bad("malformed chunk"));
        }
    }
}

/// A response ready to be written.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Response {
            status,
            headers: vec![("Content-Type", content_type.to_string())],
            body: body.into(),
        }
    }

    /// A plain-text message (errors): the message and a newline.
    pub fn text(status: u16, msg: impl std::fmt::Display) -> Self {
        Response::new(status, "text/plain; charset=utf-8", format!("{msg}\n"))
    }

    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// Writes the response; `head_only` for HEAD requests (headers without the body).
    pub fn write_to(
        &self,
        w: &mut impl Write,
        keep_alive: bool,
        head_only: bool,
    ) -> io::Result<()> {
        let mut head = format!("HTTP/1.1 {} {}\r\n", self.status, reason(self.status));
        for (n, v) in &self.headers {
            head.push_str(&format!("{n}: {v}\r\n"));
        }
        head.push_str(&format!("Content-Length: {}\r\n", self.body.len()));
        head.push_str("Server: claimgraph\r\n");
        head.push_str(if keep_alive {
            "Connection: keep-alive\r\n\r\n"
        } else {
            "Connection: close\r\n\r\n"
        });
        let mut out = head.into_bytes();
        if !head_only {
            out.extend_from_slice(&self.body);
        }
        w.write_all(&out)?;
        w.flush()
    }
}

pub fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        408 => "Request Timeout",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "Unknown",
    }
}

/// Percent-decodes `s`; with `plus_as_space` (form encoding) `+` is a space.
/// Invalid escapes are kept as they are.
pub fn percent_decode(s: &str, plus_as_space: bool) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                let hex = |c: u8| (c as char).to_digit(16);
                match (hex(b[i + 1]), hex(b[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 3;
                        continue;
                    }
                    _ => out.push(b'%'),
                }
            }
            b'+' if plus_as_space => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    out
}

/// Decodes an `application/x-www-form-urlencoded` string (also used for URL query strings)
/// into name-value pairs, in order. Errors on values that are not UTF-8.
pub fn parse_form(s: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for pair in s.split('&').filter(|p| !p.is_empty()) {
        let (n, v) = pair.split_once('=').unwrap_or((pair, ""));
        let n = String::from_utf8(percent_decode(n, true))
            .map_err(|_| format!("parameter name {n:?} is not UTF-8 after percent-decoding"))?;
        let v = String::from_utf8(percent_decode(v, true))
            .map_err(|_| format!("parameter {n:?} is not UTF-8 after percent-decoding"))?;
        out.push((n, v));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_forms() {
        let f = parse_form("query=SELECT+%3Fs%20WHERE+%7B%7D&x=&y&bad=%zz%4").unwrap();
        assert_eq!(f[0], ("query".into(), "SELECT ?s WHERE {}".into()));
        assert_eq!(f[1], ("x".into(), "".into()));
        assert_eq!(f[2], ("y".into(), "".into()));
        assert_eq!(f[3], ("bad".into(), "%zz%4".into()));
        assert_eq!(percent_decode("caf%C3%A9", false), "café".as_bytes());
        assert_eq!(percent_decode("a+b", false), b"a+b");
        assert!(parse_form("q=%FF").is_err());
    }
}
