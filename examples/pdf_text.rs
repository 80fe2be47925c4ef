//! Extract the text of PDFs the way `archive index` does and time it, for the comparison with
//! pdftotext in `bench/pdf_vs_pdftotext.sh`: `cargo run --example pdf_text -- OUTDIR FILE...`.
//! Prints one tab-separated line per file: path, milliseconds, characters, first error.

use std::sync::Arc;
use std::time::Instant;

use archive::extract::{extract_bytes, Limits};

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let out = std::path::PathBuf::from(args.next().expect("usage: pdf_text OUTDIR FILE..."));
    std::fs::create_dir_all(&out)?;
    let limits = Limits::default();
    for (i, file) in args.enumerate() {
        let data = std::fs::read(&file)?;
        let started = Instant::now();
        let f = extract_bytes(&file, Arc::new(data), &limits);
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        let text = f.text.clone().unwrap_or_default();
        std::fs::write(out.join(format!("{i}.txt")), &text)?;
        println!(
            "{file}\t{ms:.1}\t{}\t{}",
            text.chars().count(),
            f.problem_texts().first().cloned().unwrap_or_default()
        );
    }
    Ok(())
}
