//! `skyflo backup` / `skyflo restore` against a real PostgreSQL: kwok maps `exec` into the
//! PostgreSQL pod to local commands whose environment points at a server started here from
//! Debian's packages, so pg_dump and pg_restore really run against real data.

mod common;

use common::*;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// Debian's PostgreSQL programs (the newest installed major).
fn pg_bin() -> PathBuf {
    let mut majors: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("postgres").exists())
        .collect();
    majors.sort();
    majors.pop().expect(
        "PostgreSQL is not installed (/usr/lib/postgresql/*/bin/postgres); tests/run.sh installs Debian's postgresql package",
    )
}

/// A PostgreSQL server in a temporary directory on a free loopback port, with role and
/// database `skyflo` (what the in-cluster one has); stopped when dropped.
struct LocalPostgres {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

/// PostgreSQL refuses to run as root: its programs run as the `postgres` user Debian's
/// package creates (directly, so signals reach the server itself).
fn as_postgres(program: &str, args: &[&str]) -> Command {
    use std::os::unix::process::CommandExt;
    let id = |flag: &str| -> u32 {
        let out = Command::new("id")
            .args([flag, "postgres"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .expect("a postgres user")
    };
    let mut c = Command::new(program);
    c.args(args).uid(id("-u")).gid(id("-g"));
    c
}

impl LocalPostgres {
    fn start() -> Self {
        let bin = pg_bin();
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let own = Command::new("chown")
            .args(["-R", "postgres:postgres", dir.path().to_str().unwrap()])
            .status()
            .unwrap();
        assert!(own.success());
        let init = as_postgres(
            bin.join("initdb").to_str().unwrap(),
            &[
                "-D",
                data.to_str().unwrap(),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
            ],
        )
        .stdout(Stdio::null())
        .output()
        .unwrap();
        assert!(
            init.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&init.stderr)
        );
        // A free port is only free until someone takes it: the server's own Unix socket (in
        // this test's directory) says it is ours and up; if it exited (the port was taken
        // meanwhile), another port is tried.
        let mut attempt = 0;
        let pg = loop {
            attempt += 1;
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let mut child = as_postgres(
                bin.join("postgres").to_str().unwrap(),
                &[
                    "-D",
                    data.to_str().unwrap(),
                    "-p",
                    &port.to_string(),
                    "-k",
                    dir.path().to_str().unwrap(),
                    "-c",
                    "listen_addresses=127.0.0.1",
                    "-c",
                    "fsync=off",
                ],
            )
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
            let socket = dir.path().to_str().unwrap().to_string();
            let mut up = false;
            for _ in 0..100 {
                if child.try_wait().unwrap().is_some() {
                    break;
                }
                let ready = Command::new("pg_isready")
                    .args(["-h", &socket, "-p", &port.to_string()])
                    .output()
                    .is_ok_and(|o| o.status.success());
                if ready {
                    up = true;
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            if up {
                break LocalPostgres {
                    child,
                    port,
                    _dir: dir,
                };
            }
            let _ = child.kill();
            let _ = child.wait();
            assert!(attempt < 5, "PostgreSQL did not start on a free port");
        };
        pg.psql_as("postgres", "postgres", "CREATE ROLE skyflo LOGIN")
            .unwrap();
        pg.psql_as(
            "postgres",
            "postgres",
            "CREATE DATABASE skyflo OWNER skyflo",
        )
        .unwrap();
        pg
    }

    fn psql_as(&self, user: &str, db: &str, sql: &str) -> Result<String, String> {
        let out = Command::new("psql")
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                user,
                "-d",
                db,
            ])
            .args(["-XAtq", "-v", "ON_ERROR_STOP=1", "-c", sql])
            .output()
            .unwrap();
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).to_string())
        }
    }

    /// Another session holds an exclusive lock on `conversations` for `secs` seconds (as a
    /// long migration or index build would): whatever needs the table waits, silently.
    fn hold_table(&self, secs: u32) -> std::thread::JoinHandle<()> {
        let port = self.port;
        std::thread::spawn(move || {
            let sql = format!("BEGIN; LOCK TABLE conversations; SELECT pg_sleep({secs}); COMMIT;");
            let out = Command::new("psql")
                .args([
                    "-h",
                    "127.0.0.1",
                    "-p",
                    &port.to_string(),
                    "-U",
                    "skyflo",
                    "-d",
                    "skyflo",
                ])
                .args(["-XAtq", "-c", &sql])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        })
    }

    fn sql(&self, sql: &str) -> String {
        self.psql_as("skyflo", "skyflo", sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// kwok runs an exec into the PostgreSQL pod's container as a local command with the
    /// environment the real container has (POSTGRES_USER, POSTGRES_DB) plus where the server is.
    fn map_exec(&self, ns: &str) {
        let pod = pod_of(ns, "postgres");
        let doc = format!(
            "apiVersion: kwok.x-k8s.io/v1alpha1\nkind: Exec\nmetadata: {{name: {pod}, namespace: {ns}}}\nspec:\n  execs:\n  - containers: [postgres]\n    local:\n      envs:\n      - {{name: PGHOST, value: 127.0.0.1}}\n      - {{name: PGPORT, value: \"{}\"}}\n      - {{name: POSTGRES_USER, value: skyflo}}\n      - {{name: POSTGRES_DB, value: skyflo}}\n      - {{name: PATH, value: \"/usr/local/bin:/usr/bin:/bin\"}}\n",
            self.port
        );
        let out = kubectl_stdin(&["apply", "-f", "-"], &doc);
        assert!(out.status.success(), "{}", text(&out));
    }
}

impl Drop for LocalPostgres {
    fn drop(&mut self) {
        // SIGINT: PostgreSQL's fast shutdown.
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

/// The engine Deployment's image and replicas.
fn engine(ns: &str) -> (String, String) {
    let out = kubectl(&[
        "get",
        "deploy",
        "skyflo-engine",
        "-n",
        ns,
        "-o",
        "jsonpath={.spec.template.spec.containers[0].image} {.spec.replicas}",
    ]);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let (image, replicas) = text.split_once(' ').unwrap_or((&text, ""));
    (image.to_string(), replicas.to_string())
}

fn engine_pod_uid(ns: &str) -> String {
    pods_of(ns, "engine", "{.items[*].metadata.uid}")
}

fn seed(pg: &LocalPostgres) {
    pg.sql("CREATE TABLE conversations (id serial PRIMARY KEY, title text NOT NULL, body bytea)");
    pg.sql(
        "INSERT INTO conversations (title, body) SELECT 'conversation ' || g, sha256(g::text::bytea) FROM generate_series(1, 500) g",
    );
}

const ROWS: &str = "SELECT id, title, encode(body, 'hex') FROM conversations ORDER BY id";

struct Setup {
    ns: TestNamespace,
    _dir: tempfile::TempDir,
    _file: String,
    pg: LocalPostgres,
    backups: tempfile::TempDir,
}

async fn setup(prefix: &str) -> Setup {
    let Installed { ns, dir, file } = installed(prefix).await;
    let pg = LocalPostgres::start();
    pg.map_exec(&ns.name);
    seed(&pg);
    Setup {
        ns,
        _dir: dir,
        _file: file,
        pg,
        backups: tempfile::tempdir().unwrap(),
    }
}

impl Setup {
    /// skyflo started with `args`, stopped (SIGSTOP) once it reaches failpoint `point`.
    fn stopped_at(&self, point: &str, args: &[&str]) -> Child {
        let child = spawn_skyflo_via(
            &kubeconfig(),
            args,
            &[
                ("SKYFLO_BACKUP_DIR", self.backups.path().to_str().unwrap()),
                ("SKYFLO_FAILPOINT", &format!("{point}:stop")),
            ],
        );
        wait_stopped(child.id(), 60);
        child
    }

    fn skyflo(&self, args: &[&str]) -> std::process::Output {
        skyflo_with(
            args,
            &[("SKYFLO_BACKUP_DIR", self.backups.path().to_str().unwrap())],
            None,
        )
    }

    fn backup(&self) -> PathBuf {
        let out = self.skyflo(&["backup", "-n", &self.ns.name, "-o", "json"]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        PathBuf::from(v["backup"]["path"].as_str().unwrap())
    }
}

#[tokio::test]
async fn backup_then_restore_brings_the_rows_back_with_the_engine_stopped_meanwhile() {
    let s = setup("bk-round").await;
    let before = s.pg.sql(ROWS);
    let file = s.backup();
    assert!(file.starts_with(s.backups.path()), "{}", file.display());
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(format!("{}.json", file.display())).unwrap())
            .unwrap();
    assert_eq!(
        meta["bytes"].as_u64(),
        Some(std::fs::metadata(&file).unwrap().len())
    );
    assert_eq!(meta["namespace"], s.ns.name.as_str());
    assert_eq!(meta["postgresVersion"].as_u64().unwrap() / 10000, 15);
    // The custom format's magic: a real pg_dump wrote it.
    assert_eq!(&std::fs::read(&file).unwrap()[..5], b"PGDMP");

    s.pg.sql("DELETE FROM conversations WHERE id % 2 = 0");
    s.pg.sql("ALTER TABLE conversations ADD COLUMN migrated int");
    assert_ne!(s.pg.sql(ROWS), before);
    let engine_before = engine_pod_uid(&s.ns.name);
    let out = s.skyflo(&["restore", file.to_str().unwrap(), "-n", &s.ns.name, "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(s.pg.sql(ROWS), before, "the rows are back, byte for byte");
    assert_eq!(
        s.pg.sql("SELECT count(*) FROM information_schema.columns WHERE table_name = 'conversations' AND column_name = 'migrated'"),
        "0",
        "the schema is the backup's"
    );
    // The engine was stopped (its pod replaced) and runs again with its replicas.
    let engine_after = engine_pod_uid(&s.ns.name);
    assert!(!engine_after.is_empty() && engine_after != engine_before);
    assert_eq!(engine(&s.ns.name).1, "1");
    let history = s.skyflo(&["history", "-n", &s.ns.name, "-o", "json"]);
    let h = String::from_utf8_lossy(&history.stdout);
    assert!(h.contains("\"restore\""), "{h}");

    let list = s.skyflo(&["backup", "--list", "-n", &s.ns.name]);
    assert!(
        text(&list).contains(file.to_str().unwrap()),
        "{}",
        text(&list)
    );

    // Retention from the configuration file: the newest `backups_keep` stay.
    let config = s.backups.path().join("config.toml");
    std::fs::write(&config, "backups_keep = 2\n").unwrap();
    let backups = s.backups.path().to_str().unwrap();
    for _ in 0..2 {
        std::thread::sleep(std::time::Duration::from_millis(1100)); // names carry the second
        let out = skyflo_with(
            &["backup", "-n", &s.ns.name],
            &[
                ("SKYFLO_BACKUP_DIR", backups),
                ("SKYFLO_CONFIG", config.to_str().unwrap()),
            ],
            None,
        );
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    }
    let listed = s.skyflo(&["backup", "--list", "-n", &s.ns.name, "-o", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    let kept = v["backups"].as_array().unwrap();
    assert_eq!(kept.len(), 2, "{v}");
    assert!(!file.exists(), "the oldest was removed");
}

#[tokio::test]
async fn bad_backup_files_are_refused_before_the_engine_is_stopped() {
    let s = setup("bk-refuse").await;
    let file = s.backup();
    let dir = tempfile::tempdir().unwrap();
    let copy = |name: &str, edit: &dyn Fn(&mut Vec<u8>, &mut serde_json::Value)| -> PathBuf {
        let path = dir.path().join(name);
        let mut data = std::fs::read(&file).unwrap();
        let mut meta: serde_json::Value =
            serde_json::from_slice(&std::fs::read(format!("{}.json", file.display())).unwrap())
                .unwrap();
        edit(&mut data, &mut meta);
        std::fs::write(&path, data).unwrap();
        std::fs::write(format!("{}.json", path.display()), meta.to_string()).unwrap();
        path
    };
    let cases = [
        (
            copy("truncated.dump", &|d, _| d.truncate(d.len() / 2)),
            "truncated",
        ),
        (
            copy("corrupted.dump", &|d, _| {
                let i = d.len() / 2;
                d[i] ^= 0xff
            }),
            "corrupted",
        ),
        (
            copy("other.dump", &|_, m| m["instance"] = "other".into()),
            "not of",
        ),
        (
            copy("newer.dump", &|_, m| m["postgresVersion"] = 170002.into()),
            "newer",
        ),
        (
            copy("staging.dump", &|_, m| {
                m["cluster"] = "00000000-0000-4000-8000-0000000057a9".into()
            }),
            "taken in another cluster (kube-system uid 00000000-0000-4000-8000-0000000057a9); this is cluster",
        ),
    ];
    let engine = engine_pod_uid(&s.ns.name);
    let revisions = text(&s.skyflo(&["history", "-n", &s.ns.name]));
    for (path, why) in cases {
        let out = s.skyflo(&["restore", path.to_str().unwrap(), "-n", &s.ns.name, "--yes"]);
        assert_eq!(out.status.code(), Some(2), "{why}: {}", text(&out));
        assert!(text(&out).contains(why), "{why}: {}", text(&out));
        assert!(text(&out).contains("nothing was changed"), "{}", text(&out));
    }
    assert_eq!(
        engine_pod_uid(&s.ns.name),
        engine,
        "the engine was never stopped"
    );
    assert_eq!(text(&s.skyflo(&["history", "-n", &s.ns.name])), revisions);
    // The cluster's identity is in the metadata and the folder; told explicitly, another
    // cluster's backup is restored.
    let uid = kubectl(&[
        "get",
        "namespace",
        "kube-system",
        "-o",
        "jsonpath={.metadata.uid}",
    ]);
    let uid = String::from_utf8_lossy(&uid.stdout).into_owned();
    assert!(
        file.parent().unwrap().ends_with(format!("cluster-{uid}")),
        "{}",
        file.display()
    );
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(format!("{}.json", file.display())).unwrap())
            .unwrap();
    assert_eq!(meta["cluster"], uid.as_str());
    let staging = dir.path().join("staging.dump");
    let out = s.skyflo(&[
        "restore",
        staging.to_str().unwrap(),
        "-n",
        &s.ns.name,
        "--yes",
        "--from-other-cluster",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[tokio::test]
async fn a_restore_stopped_midway_leaves_the_engine_stopped_and_the_lock_free_then_completes() {
    let s = setup("bk-kill").await;
    let before = s.pg.sql(ROWS);
    let file = s.backup();
    s.pg.sql("DELETE FROM conversations");
    let child = s.stopped_at(
        "restore-engine-stopped",
        &["restore", file.to_str().unwrap(), "-n", &s.ns.name, "--yes"],
    );
    // `kill PID` while it is stopped: the signal is handled once it runs again.
    signal(child.id(), "TERM");
    signal(child.id(), "CONT");
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(143), "{}", text(&out));
    assert!(
        text(&out).contains("the engine is stopped"),
        "{}",
        text(&out)
    );
    assert_eq!(engine(&s.ns.name).1, "0", "the engine stays stopped");
    let lease = kubectl(&["get", "lease", "-n", &s.ns.name, "-o", "name"]);
    assert_eq!(
        String::from_utf8_lossy(&lease.stdout).trim(),
        "",
        "the lock is released"
    );
    assert_eq!(s.pg.sql("SELECT count(*) FROM conversations"), "0");

    let out = s.skyflo(&["restore", file.to_str().unwrap(), "-n", &s.ns.name, "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(s.pg.sql(ROWS), before);
    assert_eq!(engine(&s.ns.name).1, "1", "the engine runs again");
}

fn history(s: &Setup) -> Vec<serde_json::Value> {
    let out = s.skyflo(&["history", "-n", &s.ns.name, "-o", "json"]);
    serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", text(&out)))
}

fn sha256_of(path: &str) -> String {
    let out = Command::new("sha256sum").arg(path).output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn an_engine_upgrade_is_backed_up_and_rollback_restore_undoes_its_migration() {
    let s = setup("bk-upgrade").await;
    let before = s.pg.sql(ROWS);
    // Only the UI changes: no backup.
    let out = s.skyflo(&["upgrade", "-n", &s.ns.name, "--set", "ui.replicas=2"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(history(&s).last().unwrap()["backup"].is_null());
    assert!(!text(&out).contains("backed up"), "{}", text(&out));

    // The engine image changes: the plan says so, a backup is taken first and recorded.
    let diff = s.skyflo(&[
        "upgrade",
        "-n",
        &s.ns.name,
        "--set",
        "engine.image=skyfloaiagent/engine:v0.7.1",
        "--diff",
    ]);
    assert!(
        text(&diff).contains("PostgreSQL is backed up first"),
        "{}",
        text(&diff)
    );
    let out = s.skyflo(&[
        "upgrade",
        "-n",
        &s.ns.name,
        "--set",
        "engine.image=skyfloaiagent/engine:v0.7.1",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let last = history(&s).last().unwrap().clone();
    let file = last["backup"]
        .as_str()
        .expect("the revision names its backup")
        .to_string();
    assert!(
        file.starts_with(s.backups.path().to_str().unwrap()),
        "{file}"
    );
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(format!("{file}.json")).unwrap()).unwrap();
    assert_eq!(
        meta["sha256"].as_str().unwrap(),
        sha256_of(&file),
        "checksum valid"
    );
    assert_eq!(meta["engineImage"], "skyfloaiagent/engine:v0.7.0");
    let table = text(&s.skyflo(&["history", "-n", &s.ns.name]));
    let name = std::path::Path::new(&file)
        .file_name()
        .unwrap()
        .to_string_lossy()
        .to_string();
    assert!(table.contains(&name), "history shows the backup: {table}");

    // The new engine migrates the database.
    s.pg.sql("ALTER TABLE conversations ADD COLUMN migrated int");
    s.pg.sql("UPDATE conversations SET title = 'migrated ' || id, migrated = 1");

    let out = s.skyflo(&["rollback", "-n", &s.ns.name, "--restore"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(s.pg.sql(ROWS), before, "the rows from before the upgrade");
    assert_eq!(
        s.pg.sql("SELECT count(*) FROM information_schema.columns WHERE table_name = 'conversations' AND column_name = 'migrated'"),
        "0",
        "the schema from before the upgrade"
    );
    assert_eq!(
        engine(&s.ns.name),
        ("skyfloaiagent/engine:v0.7.0".into(), "1".into())
    );
    // The rollback changed the engine image too: the migrated data was backed up first.
    assert!(history(&s).last().unwrap()["backup"].is_string());
}

#[tokio::test]
async fn a_failed_engine_upgrade_with_atomic_restores_the_backup_before_the_old_engine_starts() {
    let s = setup("bk-atomic").await;
    let before = s.pg.sql(ROWS);
    let child = s.stopped_at(
        "after-backup",
        &[
            "upgrade",
            "-n",
            &s.ns.name,
            "--set",
            "engine.image=testcluster.invalid/crashloop:v1",
            "--atomic",
            "--timeout",
            "60s",
        ],
    );
    // Once the backup is written, the new engine "migrates" before it crashes.
    s.pg.sql("ALTER TABLE conversations ADD COLUMN migrated int");
    s.pg.sql("DELETE FROM conversations WHERE id > 10");
    signal(child.id(), "CONT");
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(text(&out).contains("--atomic: restoring"), "{}", text(&out));
    assert!(
        text(&out).contains("rolled back to revision 1"),
        "{}",
        text(&out)
    );
    assert_eq!(s.pg.sql(ROWS), before);
    let ops: Vec<String> = history(&s)
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                r["operation"].as_str().unwrap(),
                r["outcome"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        ops,
        ["install superseded", "upgrade failed", "rollback deployed"],
        "{ops:?}"
    );
    assert_eq!(
        engine(&s.ns.name),
        ("skyfloaiagent/engine:v0.7.0".into(), "1".into())
    );
}

/// Backups hold every row of the database: files 0600 in a folder of 0700, an existing
/// --output-file refused unless --force, nothing else truncated (the old temporary name
/// `notes.partial`), and partial files of a process that is gone cleaned by retention.
#[tokio::test]
async fn backups_are_private_and_never_clobber_what_exists() {
    let s = setup("bk-private").await;
    let file = s.backup();
    assert_eq!(file_mode(&file), 0o600, "{}", file.display());
    assert_eq!(
        file_mode(&PathBuf::from(format!("{}.json", file.display()))),
        0o600
    );
    assert_eq!(
        file_mode(file.parent().unwrap()),
        0o700,
        "the folder skyflo made"
    );

    let out_dir = tempfile::tempdir().unwrap();
    let notes = out_dir.path().join("notes.txt");
    let old_partial = out_dir.path().join("notes.partial");
    std::fs::write(&notes, "my notes").unwrap();
    std::fs::write(&old_partial, "not skyflo's").unwrap();
    let to_notes = |extra: &[&str]| {
        let mut args = vec![
            "backup",
            "-n",
            &s.ns.name,
            "--output-file",
            notes.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        s.skyflo(&args)
    };
    let refused = to_notes(&[]);
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    assert!(
        text(&refused).contains("exists; pass --force"),
        "{}",
        text(&refused)
    );
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "my notes");
    let forced = to_notes(&["--force"]);
    assert_eq!(forced.status.code(), Some(0), "{}", text(&forced));
    assert_eq!(&std::fs::read(&notes).unwrap()[..5], b"PGDMP");
    assert_eq!(file_mode(&notes), 0o600);
    assert_eq!(
        std::fs::read_to_string(&old_partial).unwrap(),
        "not skyflo's"
    );

    // A partial of a process that no longer runs is cleaned by the next backup's retention.
    let dir = file.parent().unwrap();
    let stale = dir.join("old.dump.99999999.partial");
    std::fs::write(&stale, "half a dump").unwrap();
    s.backup();
    assert!(!stale.exists(), "stale partial removed");
    let partials: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|f| f.ends_with(".partial"))
        .collect();
    assert!(partials.is_empty(), "{partials:?}");
}

/// A file swapped after the check (here, once the engine is stopped) is not restored: the
/// stream is hashed as it goes and its end held back, so pg_restore gets it cut short and its
/// one transaction rolls back; the database keeps what it held.
#[tokio::test]
async fn a_backup_swapped_after_the_check_is_not_restored() {
    let s = setup("bk-swap").await;
    let checked = s.backup();
    s.pg.sql("DELETE FROM conversations WHERE id % 2 = 0");
    std::thread::sleep(std::time::Duration::from_millis(1100)); // names carry the second
    let other = s.backup();
    s.pg.sql("DELETE FROM conversations WHERE id % 3 = 0");
    let held = s.pg.sql(ROWS);
    let child = s.stopped_at(
        "restore-engine-stopped",
        &[
            "restore",
            checked.to_str().unwrap(),
            "-n",
            &s.ns.name,
            "--yes",
        ],
    );
    std::fs::copy(&other, &checked).unwrap();
    signal(child.id(), "CONT");
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("changed after it was checked"),
        "{}",
        text(&out)
    );
    // pg_restore rolls back once its input ends; give it the moment that takes.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while s
        .pg
        .sql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pg_restore'")
        != "0"
        && std::time::Instant::now() < deadline
    {
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    assert_eq!(
        s.pg.sql(ROWS),
        held,
        "neither backup's rows: what the database held"
    );
}

/// A pg_restore that stays silent longer than the client's read timeout (here it waits for a
/// lock another session holds, as it would while building a large index) is not cut off:
/// the restore completes. The read timeout is shortened to 2 s for the test.
#[tokio::test]
async fn a_restore_silent_for_longer_than_the_read_timeout_completes() {
    let s = setup("bk-quiet").await;
    let before = s.pg.sql(ROWS);
    let file = s.backup();
    s.pg.sql("DELETE FROM conversations WHERE id % 2 = 0");
    let holder = s.pg.hold_table(6);
    std::thread::sleep(std::time::Duration::from_millis(500));
    let out = skyflo_with(
        &["restore", file.to_str().unwrap(), "-n", &s.ns.name, "--yes"],
        &[
            ("SKYFLO_BACKUP_DIR", s.backups.path().to_str().unwrap()),
            ("SKYFLO_READ_TIMEOUT", "2"),
        ],
        None,
    );
    holder.join().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(s.pg.sql(ROWS), before, "restored");
}

/// A pg_dump that hangs before an upgrade (it waits for a lock another session holds) ends
/// at the operation's deadline: the upgrade fails saying so, the lock is free, and nothing
/// was changed.
#[tokio::test]
async fn a_hung_backup_before_an_upgrade_ends_at_the_deadline_and_frees_the_lock() {
    let s = setup("bk-hung").await;
    let holder = s.pg.hold_table(15);
    std::thread::sleep(std::time::Duration::from_millis(500));
    let image = || {
        let o = kubectl(&[
            "get",
            "deploy",
            "skyflo-engine",
            "-n",
            &s.ns.name,
            "-o",
            "jsonpath={.spec.template.spec.containers[0].image}",
        ]);
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let before = image();
    let started = std::time::Instant::now();
    let out = s.skyflo(&[
        "upgrade",
        "-n",
        &s.ns.name,
        "--set",
        "engine.image=skyfloaiagent/engine:v0.7.1",
        "--timeout",
        "6s",
    ]);
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("pg_dump was still running at the operation's deadline"),
        "{}",
        text(&out)
    );
    assert!(text(&out).contains("nothing was changed"), "{}", text(&out));
    assert!(
        took < std::time::Duration::from_secs(20),
        "ended at the deadline, not with the lock holder: {took:?}"
    );
    assert_eq!(image(), before, "the engine was not changed");
    let lease = kubectl(&["get", "lease", "-n", &s.ns.name, "-o", "name"]);
    assert_eq!(
        String::from_utf8_lossy(&lease.stdout).trim(),
        "",
        "the lock is free"
    );
    holder.join().unwrap();
}

/// pg_restore that exits early (the file is no archive it can read) is reported with its own
/// words, not only as a failed send.
#[tokio::test]
async fn a_restore_that_pg_restore_refuses_early_shows_its_stderr() {
    let s = setup("bk-early").await;
    let file = s.backup();
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(format!("{}.json", file.display())).unwrap())
            .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.dump");
    let data = vec![b'x'; 8 << 20];
    std::fs::write(&junk, &data).unwrap();
    let mut m = meta.clone();
    m["bytes"] = (data.len() as u64).into();
    m["sha256"] = sha256_of(junk.to_str().unwrap()).into();
    std::fs::write(format!("{}.json", junk.display()), m.to_string()).unwrap();
    let out = s.skyflo(&["restore", junk.to_str().unwrap(), "-n", &s.ns.name, "--yes"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("pg_restore"), "{}", text(&out));
    assert!(
        text(&out).contains("does not appear to be a valid archive"),
        "pg_restore's own words: {}",
        text(&out)
    );
}

/// Ctrl-C during a backup (pg_dump waiting on a lock, so the temporary file exists) removes
/// the temporary file and leaves no backup behind; the exit code says it was interrupted.
#[tokio::test]
async fn ctrl_c_during_a_backup_removes_its_temporary_file() {
    let s = setup("bk-ctrlc").await;
    let holder = s.pg.hold_table(8);
    std::thread::sleep(std::time::Duration::from_millis(500));
    let out_dir = tempfile::tempdir().unwrap();
    let target = out_dir.path().join("interrupted.dump");
    let child = spawn_skyflo_via(
        &kubeconfig(),
        &[
            "backup",
            "-n",
            &s.ns.name,
            "--output-file",
            target.to_str().unwrap(),
        ],
        &[("SKYFLO_BACKUP_DIR", s.backups.path().to_str().unwrap())],
    );
    let files = || -> Vec<String> {
        std::fs::read_dir(out_dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !files().iter().any(|f| f.ends_with(".partial")) {
        assert!(
            std::time::Instant::now() < deadline,
            "no temporary file appeared"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    signal(child.id(), "INT");
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", text(&out));
    assert!(files().is_empty(), "nothing left: {:?}", files());
    holder.join().unwrap();
}
