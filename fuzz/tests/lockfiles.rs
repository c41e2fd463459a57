//! Fuzz targets for every lockfile parser of `tollgate-deps`: no panic, and every package and
//! error line inside the text.

use tollgate_deps::lockfile::{parse, LockfileKind, NoIncludes};
use tollgate_fuzz::seeds::seeds;
use tollgate_fuzz::spans::Lines;
use tollgate_fuzz::{run_and_assert, Target};

const MAX_LEN: usize = 64 * 1024;

const TOKENS: &[&str] = &[
    "version = \"",
    "name = \"",
    "[[package]]\n",
    "[metadata]\n",
    "  version \"",
    "version: ",
    "resolution: ",
    "\"version\": \"",
    "\"packages\": {",
    "\"dependencies\": {",
    "==",
    "===",
    ">=",
    "~=",
    "@",
    "@npm:",
    "/",
    " h1:",
    "/go.mod",
    "require (\n",
    "replace ",
    "=> ",
    "GEM\n",
    "  specs:\n",
    "    ",
    "(",
    ")",
    "=compileClasspath",
    "<dependency>",
    "</dependency>",
    "<version>",
    "</version>",
    "${",
    "<![CDATA[",
    "]]>",
    "&amp;",
    "&#x41;",
    "<!--",
    "-->",
    "<!DOCTYPE x [<!ENTITY e \"v\">]>",
    "<parent>",
    "<relativePath>",
    "-r ",
    "-c ",
    "--hash=",
    "\\\n",
    " ; ",
    "#egg=",
    "git+",
    "file:",
    "link:",
    "workspace:",
    "packages:\n",
    "  /",
    "lockfileVersion: ",
    "importers:\n",
    "\"lockfileVersion\": ",
];

/// The kind of every lockfile name tollgate reads, so each parser gets seeds of its own format.
fn kind_of(name: &str) -> Option<LockfileKind> {
    LockfileKind::detect(name)
}

fn target(name: &'static str, kind: LockfileKind) -> Target {
    let seeds = seeds(
        &[
            "examples",
            "crates/tollgate-deps/tests",
            "fuzz/seeds/lockfiles",
        ],
        MAX_LEN,
        &|n| kind_of(n) == Some(kind),
    );
    Target {
        name,
        seeds,
        tokens: TOKENS,
        default_iters: 600,
        max_len: MAX_LEN,
    }
}

fn check(kind: LockfileKind, path: &'static str) -> impl Fn(&str) -> Result<(), String> {
    move |text| {
        let lines = Lines::new(text);
        match parse(kind, path, text, &NoIncludes) {
            Ok(parsed) => {
                for p in &parsed.packages {
                    if p.declared_in.is_none() {
                        lines.check_line(p.line, &format!("package {}@{}", p.name, p.version))?;
                    }
                }
                for u in &parsed.unpinned {
                    if u.path == path {
                        lines.check_line(u.line, &format!("unpinned {}", u.name))?;
                    }
                }
                for (line, message) in &parsed.skipped {
                    lines.check_line(*line, &format!("skipped entry ({message})"))?;
                }
            }
            Err(e) => {
                lines.check_line(e.line, &format!("error `{}`", e.message))?;
                if e.col == 0 {
                    return Err(format!("error `{}` at column 0", e.message));
                }
            }
        }
        Ok(())
    }
}

macro_rules! lockfile_targets {
    ($($test:ident: $kind:ident at $path:literal;)*) => {$(
        #[test]
        fn $test() {
            run_and_assert(
                &target(stringify!($test), LockfileKind::$kind),
                check(LockfileKind::$kind, $path),
            );
        }
    )*};
}

lockfile_targets! {
    cargo_lock: CargoLock at "Cargo.lock";
    npm_lock: NpmLock at "package-lock.json";
    yarn_lock: YarnLock at "yarn.lock";
    pnpm_lock: PnpmLock at "pnpm-lock.yaml";
    requirements: Requirements at "requirements.txt";
    poetry_lock: PoetryLock at "poetry.lock";
    pipfile_lock: PipfileLock at "Pipfile.lock";
    uv_lock: UvLock at "uv.lock";
    pdm_lock: PdmLock at "pdm.lock";
    go_mod: GoMod at "go.mod";
    go_sum: GoSum at "go.sum";
    gemfile_lock: GemfileLock at "Gemfile.lock";
    composer_lock: ComposerLock at "composer.lock";
    gradle_lockfile: GradleLockfile at "gradle.lockfile";
    maven_pom: MavenPom at "pom.xml";
}
