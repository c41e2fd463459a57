//! Fuzz targets for every lockfile parser of `tollgate-deps`: no panic, and every package and
//! error line inside the text.

use tollgate_deps::lockfile::LockfileKind;
use tollgate_fuzz::checks;
use tollgate_fuzz::seeds::seeds;
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

macro_rules! lockfile_targets {
    ($($test:ident: $kind:ident at $path:literal;)*) => {$(
        #[test]
        fn $test() {
            run_and_assert(
                &target(stringify!($test), LockfileKind::$kind),
                |text| checks::lockfile(LockfileKind::$kind, $path, text),
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
