//! An ordered, bounded, three-stage pipeline: one thread reads items into
//! batches, the rayon pool maps each batch in parallel, and the calling
//! thread consumes the results in input order.
//!
//! Reading (JSON parsing) and writing (formatting rows) each take a
//! noticeable share of the work; running them beside the parallel map
//! instead of between its batches keeps every core busy. The channels hold
//! one batch each, so at most five batches are alive at any time whatever
//! the size of the input: memory stays flat. Output order is input order,
//! so the bytes written do not depend on the number of threads.
//!
//! Written here rather than taken from a crate: rayon's `par_bridge` does
//! not keep order, and the ordered-stream crates pull in an async runtime.

use rayon::prelude::*;
use std::sync::mpsc::sync_channel;

/// When a batch is full.
#[derive(Debug, Clone, Copy)]
pub struct BatchLimit {
    /// Most items per batch.
    pub items: usize,
    /// Close a batch once its items weigh this much (by `weight`).
    pub weight: usize,
}

impl Default for BatchLimit {
    fn default() -> Self {
        BatchLimit {
            items: 512,
            weight: 1 << 20,
        }
    }
}

/// Read `source` on a thread of its own, map batches of its items with `f`
/// on the rayon pool, and hand each mapped item to `sink` on this thread,
/// in input order. The first error, from the source or the sink, stops the
/// pipeline and is returned; otherwise the exhausted source is handed back
/// (it may hold counts the caller wants).
pub fn ordered_map<I, T, U, E, W, F, S>(
    source: I,
    limit: BatchLimit,
    weight: W,
    f: F,
    mut sink: S,
) -> Result<I, E>
where
    I: Iterator<Item = Result<T, E>> + Send,
    T: Send,
    U: Send,
    E: Send,
    W: Fn(&T) -> usize + Send,
    F: Fn(T) -> U + Sync,
    S: FnMut(U) -> Result<(), E>,
{
    let items = limit.items.max(1);
    std::thread::scope(|scope| {
        let (read_tx, read_rx) = sync_channel::<Result<Vec<T>, E>>(1);
        let (map_tx, map_rx) = sync_channel::<Result<Vec<U>, E>>(1);
        let reader = scope.spawn(move || {
            let mut source = source;
            let mut batch = Vec::with_capacity(items);
            let mut held = 0usize;
            loop {
                match source.next() {
                    Some(Ok(t)) => {
                        held += weight(&t);
                        batch.push(t);
                        if batch.len() >= items || held >= limit.weight {
                            let full = std::mem::replace(&mut batch, Vec::with_capacity(items));
                            held = 0;
                            if read_tx.send(Ok(full)).is_err() {
                                break;
                            }
                        }
                    }
                    Some(Err(e)) => {
                        // Items read before the error go first, so that a
                        // sink sees everything up to the failure.
                        if !batch.is_empty() {
                            let _ = read_tx.send(Ok(std::mem::take(&mut batch)));
                        }
                        let _ = read_tx.send(Err(e));
                        break;
                    }
                    None => {
                        if !batch.is_empty() {
                            let _ = read_tx.send(Ok(batch));
                        }
                        break;
                    }
                }
            }
            source
        });
        let f = &f;
        let mapper = scope.spawn(move || {
            for batch in read_rx {
                let mapped = batch.map(|b| b.into_par_iter().map(f).collect::<Vec<U>>());
                let failed = mapped.is_err();
                if map_tx.send(mapped).is_err() || failed {
                    break;
                }
            }
        });
        let mut result = Ok(());
        for batch in map_rx.iter() {
            match batch {
                Ok(b) => {
                    if let Err(e) = b.into_iter().try_for_each(&mut sink) {
                        result = Err(e);
                        break;
                    }
                }
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        // Dropping the receiver unblocks the mapper, whose exit unblocks the
        // reader.
        drop(map_rx);
        let _ = mapper.join();
        let source = match reader.join() {
            Ok(s) => s,
            Err(p) => std::panic::resume_unwind(p),
        };
        result.map(|()| source)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_input_order_across_batches() {
        let src = (0..10_000u64).map(Ok::<u64, String>);
        let mut out = Vec::new();
        let limit = BatchLimit {
            items: 7,
            weight: usize::MAX,
        };
        let _ = ordered_map(
            src,
            limit,
            |_| 1,
            |x| x * 2,
            |y| {
                out.push(y);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(out, (0..10_000u64).map(|x| x * 2).collect::<Vec<_>>());
    }

    #[test]
    fn source_error_stops_after_earlier_items() {
        let src = (0..100u32).map(|i| if i == 50 { Err(i) } else { Ok(i) });
        let mut seen = 0;
        let r = ordered_map(
            src,
            BatchLimit::default(),
            |_| 1,
            |x| x,
            |_| {
                seen += 1;
                Ok(())
            },
        );
        assert_eq!(r.err(), Some(50));
        assert_eq!(seen, 50);
    }

    #[test]
    fn sink_error_stops_the_pipeline_without_hanging() {
        // An endless source: the pipeline must stop when the sink fails.
        let src = (0u64..).map(Ok::<u64, &str>);
        let limit = BatchLimit {
            items: 3,
            weight: usize::MAX,
        };
        let r = ordered_map(
            src,
            limit,
            |_| 1,
            |x| x,
            |x| {
                if x == 1000 {
                    Err("full disk")
                } else {
                    Ok(())
                }
            },
        );
        assert_eq!(r.err(), Some("full disk"));
    }

    #[test]
    fn weight_closes_batches() {
        let src = (0..20usize).map(Ok::<usize, ()>);
        let limit = BatchLimit {
            items: 1000,
            weight: 10,
        };
        let mut out = Vec::new();
        let _ = ordered_map(
            src,
            limit,
            |x| *x,
            |x| x,
            |x| {
                out.push(x);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(out, (0..20).collect::<Vec<_>>());
    }
}
