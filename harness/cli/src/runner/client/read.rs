//! Reading a response body within bounds: the first `max` bytes are kept, the rest is counted
//! and dropped, so an endless or huge body costs a counter, not memory.

use super::fail::Progress;
use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt;
use hyper::body::Body;

/// A body read to its end: the kept prefix and the true length.
pub struct Kept {
    pub body: Bytes,
    pub len: u64,
    pub truncated: bool,
}

/// Reads `body` to its end, keeping at most `max` bytes; `progress.body` counts every body byte
/// as it arrives (a timeout reports it).
pub async fn bounded<B>(mut body: B, max: u64, progress: &mut Progress) -> Result<Kept, B::Error>
where
    B: Body<Data = Bytes> + Unpin,
{
    let mut kept = BytesMut::new();
    let mut len = 0u64;
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame?.into_data() else {
            continue; // trailers
        };
        len += data.len() as u64;
        progress.body = len;
        let room = max.saturating_sub(kept.len() as u64) as usize;
        kept.extend_from_slice(&data[..data.len().min(room)]);
    }
    Ok(Kept {
        truncated: len > kept.len() as u64,
        body: kept.freeze(),
        len,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::body::Frame;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    /// `n` data frames of `size` bytes each.
    struct Chunks {
        left: usize,
        size: usize,
    }

    impl Body for Chunks {
        type Data = Bytes;
        type Error = std::convert::Infallible;
        fn poll_frame(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
            if self.left == 0 {
                return Poll::Ready(None);
            }
            self.left -= 1;
            Poll::Ready(Some(Ok(Frame::data(Bytes::from(vec![b'a'; self.size])))))
        }
    }

    #[tokio::test]
    async fn keeps_the_prefix_and_counts_the_rest() {
        let mut p = Progress::default();
        let k = bounded(
            Chunks {
                left: 10,
                size: 1000,
            },
            2500,
            &mut p,
        )
        .await
        .unwrap();
        assert_eq!((k.body.len(), k.len, k.truncated), (2500, 10_000, true));
        assert_eq!(p.body, 10_000);
        let k = bounded(
            Chunks {
                left: 2,
                size: 1000,
            },
            2500,
            &mut p,
        )
        .await
        .unwrap();
        assert_eq!((k.body.len(), k.len, k.truncated), (2000, 2000, false));
        let k = bounded(Chunks { left: 0, size: 0 }, 0, &mut p)
            .await
            .unwrap();
        assert_eq!((k.body.len(), k.len, k.truncated), (0, 0, false));
    }
}
