//! A loopback HTTP/1.1 endpoint that answers every request with `200` and a chunked body that
//! never ends, for `scripts/bench-hostile.sh`. Prints its address on the first line, serves for
//! at most `SECONDS` (first argument, default 60) and exits.
//!
//! ```sh
//! cargo run --release --example endless_body -- 30
//! 127.0.0.1:41234
//! ```

use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

async fn serve(mut s: TcpStream) {
    let mut buf = vec![0u8; 16 * 1024];
    let mut head = Vec::new();
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match s.read(&mut buf).await {
            Ok(n) if n > 0 => head.extend_from_slice(&buf[..n]),
            _ => return,
        }
    }
    if s.write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        .await
        .is_err()
    {
        return;
    }
    let mut chunk = format!("{:x}\r\n", 64 * 1024).into_bytes();
    chunk.extend(std::iter::repeat_n(b'x', 64 * 1024));
    chunk.extend_from_slice(b"\r\n");
    while s.write_all(&chunk).await.is_ok() {}
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let seconds: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(60);
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    println!("{}", listener.local_addr()?);
    let accept = async {
        while let Ok((s, _)) = listener.accept().await {
            tokio::spawn(serve(s));
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(seconds), accept).await;
    Ok(())
}
