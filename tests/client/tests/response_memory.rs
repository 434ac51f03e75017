//! Parsing a large valid response costs a small multiple of its size, measured with a counting
//! global allocator (this file is its own test binary, with one test, so that nothing else
//! allocates while it measures).
//!
//! Reading the body into a `serde_json::Value` first, as the parser once did, costs many times
//! the body for one made of many small values; the typed envelope skips what the response type
//! does not hold and builds only what it does.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use tc_redis::response::parse;
use tc_redis::{
    CleanUpInstanceErrorCode, CleanUpInstanceResponse, DescribeTaskInfoErrorCode,
    DescribeTaskInfoResponse,
};

/// Counts live heap bytes and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to `System` unchanged; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as is.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
            PEAK.fetch_max(live, Ordering::SeqCst);
        }
        p
    }

    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        // SAFETY: forwarded as is.
        unsafe { System.dealloc(p, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::SeqCst);
    }

    unsafe fn realloc(&self, p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded as is.
        let q = unsafe { System.realloc(p, layout, new_size) };
        if !q.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::SeqCst);
            let live = LIVE.fetch_add(new_size, Ordering::SeqCst) + new_size;
            PEAK.fetch_max(live, Ordering::SeqCst);
        }
        q
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The peak of heap bytes allocated while `f` runs, above what was live before it (what `f`
/// returns is dropped inside the measurement, after the peak).
fn peak_of<R>(f: impl FnOnce() -> R) -> usize {
    let before = LIVE.load(Ordering::SeqCst);
    PEAK.store(before, Ordering::SeqCst);
    drop(std::hint::black_box(f()));
    PEAK.load(Ordering::SeqCst) - before
}

/// About `size` bytes of a DescribeTaskInfo reply whose TaskMessage is one long string with an
/// escape every 64 characters (so that serde_json copies it through its scratch buffer).
fn long_message(size: usize) -> Vec<u8> {
    let chunk = format!("{}\\n", "x".repeat(62));
    let message = chunk.repeat(size / chunk.len());
    format!(
        r#"{{"Response":{{"Status":"succeed","StartTime":"2024-05-01 10:00:00","TaskType":"FLOW_CLEARDATA","InstanceId":"crs-5a4py64p","TaskMessage":"{message}","RequestId":"r-big"}}}}"#
    )
    .into_bytes()
}

/// About `size` bytes of a CleanUpInstance reply padded with a field the type does not have,
/// made of many small values (what a `Value` costs most for).
fn many_small_values(size: usize) -> Vec<u8> {
    let item = r#"{"Id":1,"Tags":["a","b"],"On":true},"#;
    let items = item.repeat(size / item.len());
    format!(
        r#"{{"Response":{{"TaskId":10856,"Extra":[{}],"RequestId":"r-big"}}}}"#,
        items.trim_end_matches(',')
    )
    .into_bytes()
}

#[test]
fn parsing_costs_a_small_multiple_of_the_body() {
    const SIZE: usize = 6 << 20;
    /// The multiple asserted: the largest measured is 2.28 (a long escaped string: the
    /// scratch buffer, grown by doubling, then the string itself).
    const LIMIT: f64 = 3.0;

    let long = long_message(SIZE);
    let ours = peak_of(|| {
        let r = parse::<DescribeTaskInfoResponse, DescribeTaskInfoErrorCode>(200, &long);
        let r = r.expect("a valid reply");
        assert_eq!(r.request_id, "r-big");
        assert!(r.task_message.len() > SIZE / 2, "{}", r.task_message.len());
        r
    });
    let value = peak_of(|| serde_json::from_slice::<serde_json::Value>(&long).unwrap());
    let ratio = ours as f64 / long.len() as f64;
    println!(
        "long string: body {} bytes, parse peak {ours} bytes ({ratio:.2}x); serde_json::Value alone {value} bytes ({:.2}x)",
        long.len(),
        value as f64 / long.len() as f64
    );
    assert!(
        ratio <= LIMIT,
        "long string: the parse peaked at {ours} bytes for a {}-byte body ({ratio:.2}x > {LIMIT}x)",
        long.len()
    );

    let many = many_small_values(SIZE);
    let ours = peak_of(|| {
        let r = parse::<CleanUpInstanceResponse, CleanUpInstanceErrorCode>(200, &many);
        let r = r.expect("a valid reply");
        assert_eq!((r.task_id, r.request_id.as_str()), (Some(10856), "r-big"));
        r
    });
    let value = peak_of(|| serde_json::from_slice::<serde_json::Value>(&many).unwrap());
    let ratio = ours as f64 / many.len() as f64;
    let value_ratio = value as f64 / many.len() as f64;
    println!(
        "many small values: body {} bytes, parse peak {ours} bytes ({ratio:.3}x); serde_json::Value alone {value} bytes ({value_ratio:.2}x)",
        many.len()
    );
    assert!(
        ratio <= LIMIT,
        "many small values: the parse peaked at {ours} bytes for a {}-byte body ({ratio:.2}x > {LIMIT}x)",
        many.len()
    );
    // What the envelope avoids: the tree alone is many times the body.
    assert!(
        value_ratio > 4.0 * ratio.max(0.25),
        "a Value costs {value_ratio:.2}x, the parser {ratio:.3}x: the measurement no longer shows the difference"
    );
}
