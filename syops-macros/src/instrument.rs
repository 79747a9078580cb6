//! Rewrites the child-layer calls inside forward bodies so each is entered and booked under its
//! path. The call itself is kept as written; only a scope is wrapped around it.
use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::visit_mut::{self, VisitMut};
use syn::{Block, Expr, ExprMethodCall, Ident, Member, Pat, Path, Stmt};

/// Instruments the child-layer calls of one method body; generated paths go through `krate`.
pub fn forward_body(krate: &Path, block: &mut Block) {
    Rewriter { krate, aliases: Vec::new(), loops: 0 }.visit_block_mut(block);
}

/// A child layer a call can be attributed to: the expression to call on and its path segments.
#[derive(Clone)]
struct Target {
    recv: Expr,
    segs: Vec<TokenStream>,
}

struct Rewriter<'a> {
    krate: &'a Path,
    aliases: Vec<(Ident, Target)>,
    loops: usize,
}

fn strip(mut e: &Expr) -> &Expr {
    loop {
        match e {
            Expr::Paren(p) => e = &p.expr,
            Expr::Group(g) => e = &g.expr,
            Expr::Reference(r) => e = &r.expr,
            _ => return e,
        }
    }
}

fn is_self(e: &Expr) -> bool {
    matches!(strip(e), Expr::Path(p) if p.path.is_ident("self"))
}

/// Strips a trailing `.method()` call with no arguments.
fn strip_call<'a>(e: &'a Expr, name: &str) -> Option<&'a Expr> {
    match strip(e) {
        Expr::MethodCall(mc) if mc.method == name && mc.args.is_empty() => Some(&mc.receiver),
        _ => None,
    }
}

impl Rewriter<'_> {
    fn field_seg(&self, name: &str) -> TokenStream {
        let krate = self.krate;
        quote!(#krate::__private::Segment::Field(#name))
    }

    fn index_seg(&self, index: &Expr) -> TokenStream {
        let krate = self.krate;
        quote!(#krate::__private::Segment::Index((#index) as usize))
    }

    fn resolve(&self, e: &Expr) -> Option<Target> {
        let e = strip(e);
        match e {
            Expr::Field(f) => {
                let name = match &f.member {
                    Member::Named(id) => id.to_string().trim_start_matches("r#").to_string(),
                    Member::Unnamed(ix) => ix.index.to_string(),
                };
                if is_self(&f.base) {
                    // The struct's own field: its segment may be renamed by `#[syops(rename)]`.
                    let krate = self.krate;
                    let seg = quote!(#krate::__private::Segment::Field(
                        <Self as #krate::__private::FieldNames>::segment(#name)
                    ));
                    return Some(Target { recv: e.clone(), segs: vec![seg] });
                }
                let mut t = self.resolve(&f.base)?;
                t.recv = e.clone();
                t.segs.push(self.field_seg(&name));
                Some(t)
            }
            Expr::Index(ix) => {
                let mut t = self.resolve(&ix.expr)?;
                t.recv = e.clone();
                t.segs.push(self.index_seg(&ix.index));
                Some(t)
            }
            Expr::Path(p) => {
                let id = p.path.get_ident()?;
                let (_, t) = self.aliases.iter().rev().find(|(a, _)| a == id)?;
                Some(Target { recv: e.clone(), segs: t.segs.clone() })
            }
            _ => None,
        }
    }

    /// `[&self.a, &self.b]`: an array of children (each resolving to as many segments) whose
    /// element `__syops_i{n}` of a loop is the child at that position: each segment becomes a
    /// `match` on the loop index (the element is the child itself, so no index segment follows).
    fn resolve_array(&self, e: &Expr, n: usize) -> Option<Target> {
        let Expr::Array(array) = strip(e) else { return None };
        let targets: Vec<Target> = array.elems.iter().map(|el| self.resolve(el)).collect::<Option<_>>()?;
        let len = targets.first()?.segs.len();
        if targets.iter().any(|t| t.segs.len() != len) {
            return None;
        }
        let i = format_ident!("__syops_i{}", n);
        let segs = (0..len)
            .map(|k| {
                let arms = targets.iter().enumerate().map(|(j, t)| {
                    let seg = &t.segs[k];
                    quote!(#j => #seg,)
                });
                quote!(match #i { #(#arms)* _ => ::core::unreachable!() })
            })
            .collect();
        Some(Target { recv: e.clone(), segs })
    }

    /// `self.f`, `&self.f`, `self.f.as_ref()`: the target an `Option` field binding refers to.
    fn resolve_option(&self, e: &Expr) -> Option<Target> {
        self.resolve(strip_call(e, "as_ref").unwrap_or(e))
    }

    fn alias(&mut self, pat: &Pat, target: Target) -> bool {
        let id = match pat {
            Pat::Ident(p) if p.subpat.is_none() => p.ident.clone(),
            _ => return false,
        };
        self.aliases.push((id, target));
        true
    }

    fn for_loop(&mut self, f: &mut syn::ExprForLoop) {
        self.visit_expr_mut(&mut f.expr);
        let mark = self.aliases.len();
        // `for (i, l) in self.f.iter().enumerate()`
        if let (Some(inner), Pat::Tuple(tuple)) = (strip_call(&f.expr, "enumerate"), &*f.pat) {
            let base = strip_call(inner, "iter").unwrap_or(inner);
            if let (Some(t), 2) = (self.resolve(base), tuple.elems.len()) {
                if let Pat::Ident(i) = &tuple.elems[0] {
                    let mut t = t;
                    let i = &i.ident;
                    t.segs.push(self.index_seg(&syn::parse_quote!(#i)));
                    let elem = tuple.elems[1].clone();
                    self.alias(&elem, t);
                }
            }
        } else {
            let base = strip_call(&f.expr, "iter").or_else(|| strip_call(&f.expr, "into_iter")).unwrap_or(&f.expr);
            let target = match self.resolve(base) {
                Some(t) => Some((t, true)),
                None => self.resolve_array(base, self.loops).map(|t| (t, false)),
            };
            if let Some((mut t, indexed)) = target {
                let i = format_ident!("__syops_i{}", self.loops);
                self.loops += 1;
                if indexed {
                    t.segs.push(self.index_seg(&syn::parse_quote!(#i)));
                }
                if self.alias(&f.pat, t) {
                    let (pat, expr) = (&f.pat, &f.expr);
                    *f.pat = syn::parse_quote!((#i, #pat));
                    *f.expr = syn::parse_quote!(::core::iter::Iterator::enumerate(::core::iter::IntoIterator::into_iter(#expr)));
                }
            }
        }
        self.visit_block_mut(&mut f.body);
        self.aliases.truncate(mark);
    }

    fn call(&self, mc: &ExprMethodCall, t: Target) -> Expr {
        let (method, krate) = (&mc.method, self.krate);
        let turbofish = &mc.turbofish;
        let recv = &t.recv;
        let segs = &t.segs;
        let args: Vec<&Expr> = mc.args.iter().collect();
        let binds: Vec<Ident> = (0..args.len()).map(|i| format_ident!("__syops_a{}", i)).collect();
        let input =
            binds.first().map(|b| quote!(__syops_scope.input((&&#krate::__private::Detect(&#b)).__syops_tensor());));
        scoped(
            krate,
            quote!((#(#args,)*)),
            quote!((#(#binds,)*)),
            quote!(&#recv),
            segs,
            input,
            quote!(#recv.#method #turbofish(#(#binds),*)),
        )
    }

    /// `xs.apply(&self.f)` / `xs.apply_t(&self.f, train)`.
    fn apply(&self, mc: &ExprMethodCall, t: Target) -> Expr {
        let (method, krate) = (&mc.method, self.krate);
        let xs = &mc.receiver;
        let recv = &t.recv;
        let rest: Vec<&Expr> = mc.args.iter().skip(1).collect();
        let binds: Vec<Ident> = (0..rest.len()).map(|i| format_ident!("__syops_a{}", i + 1)).collect();
        scoped(
            krate,
            quote!((&#xs, #(#rest,)*)),
            quote!((__syops_a0, #(#binds,)*)),
            quote!(&#recv),
            &t.segs,
            Some(quote!(__syops_scope.input((&&#krate::__private::Detect(&__syops_a0)).__syops_tensor());)),
            quote!(__syops_a0.#method(&#recv, #(#binds),*)),
        )
    }
}

/// The scope wrapped around one child call.
fn scoped(
    krate: &Path,
    args: TokenStream,
    binds: TokenStream,
    layer: TokenStream,
    segs: &[TokenStream],
    input: Option<TokenStream>,
    call: TokenStream,
) -> Expr {
    syn::parse_quote! {
        match #args {
            #binds => {
                #[allow(unused_imports)]
                use #krate::__private::{DetectLayer as _, DetectNoTensor as _, DetectNotLayer as _, DetectTensor as _};
                let mut __syops_scope = #krate::__private::Scope::enter(
                    (&&#krate::__private::Detect(#layer)).__syops_layer(),
                    &[#(#segs),*],
                );
                #input
                let __syops_out = #call;
                __syops_scope.finish((&&#krate::__private::Detect(&__syops_out)).__syops_tensor());
                __syops_out
            }
        }
    }
}

impl VisitMut for Rewriter<'_> {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        match e {
            Expr::ForLoop(f) => self.for_loop(f),
            Expr::If(i) => {
                if let Expr::Let(l) = &mut *i.cond {
                    self.visit_expr_mut(&mut l.expr);
                    let mark = self.aliases.len();
                    if let Pat::TupleStruct(ts) = &*l.pat {
                        if ts.path.is_ident("Some") && ts.elems.len() == 1 {
                            if let Some(t) = self.resolve_option(&l.expr) {
                                let elem = ts.elems[0].clone();
                                self.alias(&elem, t);
                            }
                        }
                    }
                    self.visit_block_mut(&mut i.then_branch);
                    self.aliases.truncate(mark);
                    if let Some((_, else_branch)) = &mut i.else_branch {
                        self.visit_expr_mut(else_branch);
                    }
                } else {
                    visit_mut::visit_expr_if_mut(self, i);
                }
            }
            Expr::Match(m) => {
                self.visit_expr_mut(&mut m.expr);
                let target = self.resolve_option(&m.expr);
                for arm in &mut m.arms {
                    let mark = self.aliases.len();
                    if let (Pat::TupleStruct(ts), Some(t)) = (&arm.pat, &target) {
                        if ts.path.is_ident("Some") && ts.elems.len() == 1 {
                            let elem = ts.elems[0].clone();
                            self.alias(&elem, t.clone());
                        }
                    }
                    if let Some((_, guard)) = &mut arm.guard {
                        self.visit_expr_mut(guard);
                    }
                    self.visit_expr_mut(&mut arm.body);
                    self.aliases.truncate(mark);
                }
            }
            Expr::MethodCall(mc) => {
                visit_mut::visit_expr_method_call_mut(self, mc);
                let name = mc.method.to_string();
                let replaced = match name.as_str() {
                    "forward" | "forward_t" => match self.resolve(&mc.receiver) {
                        Some(t) => Some(self.call(mc, t)),
                        None if is_self(&mc.receiver) => None,
                        None => Some(unattributed(self.krate, mc)),
                    },
                    "apply" | "apply_t" if !mc.args.is_empty() => self.resolve(&mc.args[0]).map(|t| self.apply(mc, t)),
                    _ => None,
                };
                if let Some(new) = replaced {
                    *e = new;
                }
            }
            _ => visit_mut::visit_expr_mut(self, e),
        }
    }

    fn visit_block_mut(&mut self, block: &mut syn::Block) {
        let mark = self.aliases.len();
        for stmt in &mut block.stmts {
            if let Stmt::Local(local) = stmt {
                if let Some(init) = &mut local.init {
                    self.visit_expr_mut(&mut init.expr);
                    if let Some((_, diverge)) = &mut init.diverge {
                        self.visit_expr_mut(diverge);
                    }
                    if let Some(t) = self.resolve(&init.expr) {
                        let pat = local.pat.clone();
                        self.alias(&pat, t);
                    }
                }
                continue;
            }
            self.visit_stmt_mut(stmt);
        }
        self.aliases.truncate(mark);
    }

    fn visit_item_mut(&mut self, _item: &mut syn::Item) {
        // Nested items are not part of this forward body.
    }
}

/// A `.forward(..)` call on something that is not a known child: run as written, reported.
fn unattributed(krate: &Path, mc: &ExprMethodCall) -> Expr {
    let receiver = mc.receiver.to_token_stream().to_string();
    let span = mc.receiver.span();
    let site = quote_spanned!(span=> ::core::concat!(::core::file!(), ":", ::core::line!()));
    syn::parse_quote!({
        #krate::__private::unattributed(#site, #receiver);
        #mc
    })
}
