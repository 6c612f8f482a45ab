//! Verifying what insigne issues: an OB 3.0 Data Integrity credential, and a baked dual PNG
//! (OB 3.0 credential inside, status list included). Run with `cargo bench --bench verify`.

// A benchmark or a test fails loudly: unwrap, expect and panic say where.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use insigne::domain::{Clock, SystemClock};
use insigne::formats::PublicUrls;
use insigne::http::resolve::LocalResolver;
use insigne::proof::KeyRing;
use insigne::service::inputs::IssuerInput;
use insigne::service::inputs::{AwardInput, RecipientInput};
use insigne::service::inputs::{BadgeClassInput, CriteriaInput};
use insigne::service::{BakedForm, Insigne};
use insigne::storage::Store;
use insigne::verify::{self, Options, Verdict};

fn benches(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let (app, credential, png) = rt.block_on(async {
        let store = Store::connect(&format!("sqlite://{}", dir.path().join("b.db").display())).await.expect("db");
        store.migrate().await.expect("migrate");
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let app = Insigne {
            store,
            keys: KeyRing::generate(&dir.path().join("keys"), clock.now()).expect("keys").into(),
            urls: PublicUrls::new("https://badges.ac-versailles.fr"),
            clock,
            did_method: Default::default(),
            moodle_mapping: Arc::new(Default::default()),
            attendance_mapping: Arc::new(Default::default()),
            fetcher: Arc::new(insigne::verify::fetch::GuardedFetcher::new(&[])),
            evaluation_lease: insigne::service::EVALUATION_LEASE,
            cpu: insigne::cpu::CpuPool::for_this_machine(),
            verify_deadline: insigne::verify::DEADLINE,
            trusted_proxies: std::sync::Arc::new(Vec::new()),
            body_deadline: insigne::http::edge::BODY_DEADLINE,
        };
        let issuer = app
            .create_issuer(&IssuerInput {
                name: Some("DANE".into()),
                url: Some("https://www.ac-versailles.fr".into()),
                email: Some("dane@ac-versailles.fr".into()),
                ..Default::default()
            })
            .await
            .expect("issuer");
        let svg = "data:image/svg+xml,%3Csvg%20xmlns%3D%22http%3A%2F%2Fwww.w3.org%2F2000%2Fsvg%22%20width%3D%2264%22%20height%3D%2264%22%2F%3E";
        let class = app
            .create_badge_class(&BadgeClassInput {
                issuer: Some(issuer.id.to_string()),
                name: Some("e-CAP1".into()),
                description: Some("Parcours hybride".into()),
                image: Some(svg.into()),
                criteria: Some(CriteriaInput { narrative: Some("Modules E1-M1 à E1-M4".into()), url: None }),
                ..Default::default()
            })
            .await
            .expect("class");
        let award = app
            .issue_award(&AwardInput {
                badge_class: Some(class.id.to_string()),
                recipient: Some(RecipientInput { email: Some("marie@ac-versailles.fr".into()), name: Some("Marie".into()), lang: None }),
                ..Default::default()
            })
            .await
            .expect("award");
        let png = app.baked_png(award.award.id, BakedForm::Signed).await.expect("png");
        (app, award.ob3_credential.expect("credential").into_bytes(), png)
    });
    let resolver = LocalResolver::new(app.clone());
    let options = Options {
        recipient_email: None,
        ..Options::at(app.clock.now())
    };
    for (name, input) in [
        ("verify ob3 data integrity credential", &credential),
        ("verify baked dual png", &png),
    ] {
        assert_eq!(
            rt.block_on(verify::verify_bytes(input, &resolver, &options))
                .verdict(),
            Verdict::Valid
        );
        c.bench_function(name, |b| {
            b.iter(|| rt.block_on(verify::verify_bytes(black_box(input), &resolver, &options)))
        });
    }

    // The budgets (issue: every input answered within 2 s): what would take minutes unbounded.
    let genuine: serde_json::Value = serde_json::from_slice(&credential).expect("json");
    let mut long_proof = genuine.clone();
    long_proof["proof"][0]["proofValue"] = serde_json::json!(format!("z{}", "2".repeat(1_000_000)));
    let mut subjects = genuine.clone();
    subjects["credentialSubject"] =
        serde_json::json!(vec![genuine["credentialSubject"].clone(); 10_000]);
    let mut long_did = genuine.clone();
    let did = format!("did:key:z6Mk{}", "x".repeat(100_000));
    long_did["issuer"]["id"] = serde_json::json!(did);
    long_did["proof"][0]["verificationMethod"] = serde_json::json!(format!("{did}#z6Mk"));
    // The most a credential may hold and still be read: many alike blank nodes (the hard case
    // of RDFC-1.0), just under the limits.
    let mut alike = genuine.clone();
    let alignment = serde_json::json!({"type": ["Alignment"], "targetName": "x", "targetUrl": "https://a.test/x"});
    alike["credentialSubject"]["achievement"]["alignment"] = serde_json::json!(vec![alignment; 64]);
    alike["evidence"] = serde_json::json!(vec![
        serde_json::json!({"type": ["Evidence"], "name": "x"});
        64
    ]);
    let hostile = [
        ("hostile: 1 MB proofValue", long_proof),
        ("hostile: 10,000 subjects", subjects),
        ("hostile: 100 KB did:key", long_did),
        ("hostile: 128 alike blank nodes", alike),
    ];
    let mut group = c.benchmark_group("budget");
    group.sample_size(10);
    for (name, doc) in hostile {
        let input = doc.to_string().into_bytes();
        let verdict = rt
            .block_on(verify::verify_bytes(&input, &resolver, &options))
            .verdict();
        assert_ne!(verdict, Verdict::Valid, "{name}");
        group.bench_function(name, |b| {
            b.iter(|| rt.block_on(verify::verify_bytes(black_box(&input), &resolver, &options)))
        });
    }
    group.finish();
}

criterion_group!(verify_benches, benches);
criterion_main!(verify_benches);
