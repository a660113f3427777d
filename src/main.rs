fn main() {
    let args: Vec<String> = std::env::args().collect();
    let r = anjuan::render::Renderer::new(std::env::var("TPL").ok().as_deref().map(std::path::Path::new), None).unwrap();
    let data = std::fs::read(&args[2]).unwrap();
    let t = std::time::Instant::now();
    let out = r.render(&anjuan::render::RenderRequest { template: &args[1], data, ident: "x".into(), date: Some(chrono::NaiveDate::from_ymd_opt(2026,2,5).unwrap()) });
    match out {
        Ok(o) => { std::fs::write(&args[3], o.pdf).unwrap(); eprintln!("{} pages {:?}", o.pages, t.elapsed()); }
        Err(e) => eprintln!("{e}"),
    }
}
