use batch_autoscale::*;
fn main() {
    let n: usize = std::env::args().nth(1).unwrap().parse().unwrap();
    let kb: usize = std::env::args().nth(2).unwrap().parse().unwrap();
    let shape = std::env::args().nth(3).unwrap();
    let src = match shape.as_str() {
        "sum" => format!("a = 1; $TargetDedicatedNodes = {};", vec!["a"; n].join("+")),
        "hour" => format!("$h = time(){}; $TargetDedicatedNodes = 1;", ".hour".repeat(n)),
        "big" => format!("$TargetDedicatedNodes = {};", vec!["1"; n].join("+")),
        "neg" => format!("a = 1; $TargetDedicatedNodes = {};", vec!["-a"; n].join("+")),
        _ => panic!(),
    };
    eprintln!("len {}", src.len());
    let h = std::thread::Builder::new().stack_size(kb * 1024).spawn(move || {
        let p = parse(&src); eprintln!("parsed: {:?}", p.diagnostics.iter().map(|d| d.code).collect::<Vec<_>>()); drop(p);
        let a = check(&src);
        eprintln!("checked: {} diags", a.diagnostics.len());
        drop(a);
        let f = fmt::format_source(&src);
        eprintln!("formatted: {:?}", f.map(|s| s.len()));
        if let Ok(f) = Formula::compile(&src) {
            let m = MetricStore::new();
            let ctx = EvalContext::new(Timestamp(0), &m);
            let e = f.evaluate(&ctx);
            eprintln!("evaluated: {}", e.run.results.len());
        }
    }).unwrap();
    eprintln!("{:?}", h.join().is_ok());
}
#[allow(dead_code)]
fn unused() {}
