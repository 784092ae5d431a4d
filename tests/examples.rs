//! Every runnable example in `examples/`, run through its main logic (the same function its
//! `main` calls) with small inputs, its answer checked.

#[allow(dead_code)]
#[path = "../examples/aes_saved.rs"]
mod aes_saved;
#[allow(dead_code)]
#[path = "../examples/circom.rs"]
mod circom;
#[allow(dead_code)]
#[path = "../examples/millionaires.rs"]
mod millionaires;
#[allow(dead_code)]
#[path = "../examples/psi_files.rs"]
mod psi_files;
#[allow(dead_code)]
#[path = "../examples/salary.rs"]
mod salary;

fn args(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| s.to_string()).collect()
}

#[test]
fn millionaires_both_roles_in_one_process() {
    let line = millionaires::run(&args(&["--role", "both", "--alice", "9", "--bob", "5"])).unwrap();
    assert_eq!(line, "Alice is richer than Bob.");
    let line = millionaires::run(&args(&[
        "--role",
        "both",
        "--alice",
        "5",
        "--bob",
        &u64::MAX.to_string(),
    ]))
    .unwrap();
    assert!(line.starts_with("Alice is not richer"), "{line}");
}

#[test]
fn millionaires_garbler_and_evaluator_with_key_files() {
    let dir = tempfile::tempdir().unwrap();
    let (ka, kb) = (dir.path().join("alice.key"), dir.path().join("bob.key"));
    let alice = duet::StaticKeyPair::generate().unwrap();
    let bob = duet::StaticKeyPair::generate().unwrap();
    alice.save(&ka).unwrap();
    bob.save(&kb).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let g_args = args(&[
        "--role",
        "garbler",
        "--value",
        "1000000",
        "--listen",
        &addr,
        "--key",
        ka.to_str().unwrap(),
        "--peer-key",
        &bob.public().to_string(),
    ]);
    let e_args = args(&[
        "--role",
        "evaluator",
        "--value",
        "999999",
        "--connect",
        &addr,
        "--key",
        kb.to_str().unwrap(),
        "--peer-key",
        &alice.public().to_string(),
    ]);
    let g = std::thread::spawn(move || millionaires::run(&g_args));
    let e = millionaires::run(&e_args).unwrap();
    let g = g.join().unwrap().unwrap();
    assert_eq!(g, "Alice is richer than Bob.");
    assert_eq!(e, g);
    // a party without keys is refused (no unencrypted channel in this example)
    assert!(millionaires::run(&args(&["--role", "garbler", "--value", "1"])).is_err());
}

#[test]
fn salary_and_average() {
    let (more, same, avg, max) =
        salary::run(&args(&["--alice", "120000", "--bob", "104500"])).unwrap();
    assert!(more && !same);
    let alice: u64 = (0..8u64).map(|i| 1000 + 37 * i).sum();
    let bob: u64 = (0..8u64).map(|i| 2000 - 11 * i * i).sum();
    assert_eq!(avg, (alice + bob) / 16);
    assert_eq!(max, 2000);
    let (more, same, _, _) = salary::run(&args(&["--alice", "7", "--bob", "7"])).unwrap();
    assert!(!more && same);
}

#[test]
fn aes_over_a_saved_program() {
    assert_eq!(aes_saved::run(&[]).unwrap(), aes_saved::CIPHERTEXT);
}

#[test]
fn psi_of_two_files() {
    assert_eq!(
        psi_files::run(&[]).unwrap(),
        ["cy@example.org", "ada@example.org"]
    );
    let dir = tempfile::tempdir().unwrap();
    let (s, r) = (dir.path().join("s"), dir.path().join("r"));
    std::fs::write(&s, "1\n2\n3\n").unwrap();
    std::fs::write(&r, "4\n3\n").unwrap();
    let common = psi_files::run(&args(&[
        "--sender",
        s.to_str().unwrap(),
        "--receiver",
        r.to_str().unwrap(),
    ]))
    .unwrap();
    assert_eq!(common, ["3"]);
}

#[test]
fn circom_folder_two_party() {
    let out = circom::run_example(&[]).unwrap();
    assert_eq!(out, ["0.price=240", "0.winner=1"]);
}
