//! Every diagnostic of `#[syops::count]` (trybuild).
#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/fail/*.rs");
}
