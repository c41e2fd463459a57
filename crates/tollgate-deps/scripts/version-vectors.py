#!/usr/bin/env python3
"""Write the version-ordering vectors of tests/fixtures/versions/ from the reference
implementations themselves, so tests/version_vectors.rs can check tollgate's orderings against
them with no outside program.

Each output file lists one scheme's versions in ascending order, one line per class of equal
versions (tab-separated), as the reference orders them. Versions the reference rejects as
invalid are left out (tollgate orders those by its own fallback rules).

References (Debian bookworm packages, PyPI, npm):
  pep440     Python `packaging.version.Version`            pip install packaging
  maven      org.apache.maven.artifact.versioning.ComparableVersion
                                                            apt-get install libmaven3-core-java
  rubygems   Ruby `Gem::Version`                            apt-get install ruby
  packagist  Composer's VersionParser::normalize, then PHP `version_compare`
                                                            apt-get install php-cli php-composer-semver
  go         golang.org/x/mod/semver as vendored in the Go toolchain's sources
                                                            apt-get install golang-go
  semver     node-semver `semver.compare`                   npm install semver (in a scratch dir)

Run from anywhere: python3 crates/tollgate-deps/scripts/version-vectors.py
"""

import functools
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "fixtures", "versions")

PEP440 = """
0.1 0.0.0 00001.2 1.2 1.10 1.1 1.1.dev1 1.0.dev0 1.0.dev1 1.0-dev 1.0.dev456 1.0a1.dev1 1.0a1
1.0a 1.0a1.post1 1.0a1.post1.dev2 1.0a2 1.0a12.dev456 1.0a12 1.0b1.dev456 1.0b1 1.0b2
1.0b2.post345.dev456 1.0b2.post345 1.0rc1.dev456 1.0rc1 1.0c1 1.0c2 1.0RC1 1.0.0.RC1
1.0.0-rc.1 1.0.0preview1 1.0.0pre1 1.0 1.0.0 1.0.0.0 v1.0 1.0+local 1.0+abc.5 1.0+abc.10 1.0+5
1.0+abc 1.0+1.0 1.0+1 1.0.post0 1.0.post 1.0.post1.dev0 1.0.post1 1.0-1 1.0_post_2
1.0.post1+local 1.0.post456.dev34 1.0.post456 1.0.1 1.0.0.0.0.1 1!0.1 1!1.0 2.0.0rc1 2.0rc1
2.0 2.0.0.0 2.0.0-alpha 2.0.0.alpha1 2.0.0-beta.2 2.0.0+ubuntu-1 10.0 9.9 2021.10.1 1.0.0.dev
2.0.0a0 2.0.0.a.0 0.9.9.9999
""".split()

MAVEN = """
1 1.0 1.0.0 1-0 1.0-alpha-1 1.0-alpha1 1.0-a1 1-a1 1.0-alpha 1.0alpha 1.0a 1.0.a
1.0-beta-1 1.0-b2 1.0-milestone-1 1.0-m1 1.0-rc1 1.0-RC2 1.0-cr1 1.0-SNAPSHOT 1.0-final 1.0.GA
1.0-ga 1.0-release 1.0-sp1 1.0-sp 1.0-foo 1.0-bar 1.0-1 1.0.1 1.0-2 1.0.1-SNAPSHOT 1.1
1.1-alpha 1.10 1.2 2.0 2.0.0.Final 2.14.1 2.15.0-rc1 2.17.0 1.0-xyz-1 1.0.0-20200101 1.0.0.1
1-1-snapshot 1.0.0-M1 3.0.0-M10 3.0.0-M9 1.0.0.Beta1 1.0.0.Beta10 1.0.0.Beta2 5.3.18.RELEASE
5.3.2.RELEASE 4.1.68.Final 4.1.9.Final 1.0-jre 1.0-android 31.1-jre 30.0-android 1.0.0-rc-1
2.0-beta-3.1 1.0.0.0.0 1.0-0 0.9 1.0.0-alpha.1 1.0.0-alpha-1.1 1-alpha.2 2.9.10.8 2.9.10.1
2.12.7.1 1.0.0-b 1.0-sp-1 1.0.1-1 1.0.RELEASE
""".split()

RUBYGEMS = """
0.1 1 1.0 1.0.0 1.0.0.0 1.0.a 1.0.a1 1.0.a.1 1.0.0.pre 1.0.0.pre1 1.0.0.pre.1 1.0.0-rc1
1.0.0.rc1 1.0.0.rc2 1.0.0.rc10 1.0.0.beta 1.0.0.beta2 1.0.0.alpha 1.0.1 1.1 1.1.a 1.10 1.2 2
2.0.0.b1 2.0.0.B1 1.2.3.4.5 5.2.4.1 5.2.4.3 6.0.0.rc1 6.0.0 1.a.b 1.0.0a 10.0 0.0.1
3.1.0.preview1 1.0.0.0.1 1.0.0-beta.2 2.0.0-x 0.0 0.9.9 1.0.0.1a 1.0.0.a10 1.0.0.a9
""".split()

PACKAGIST = """
1.0.0 1.0 1 v1.0.0 1.0.0.0 1.0.0-dev 1.0.0-alpha 1.0.0-alpha1 1.0.0-alpha2 1.0.0-a3
1.0.0-beta 1.0.0-beta.2 1.0.0-b1 1.0.0-RC1 1.0.0-rc2 1.0.0-patch1 1.0.0-pl2 1.0.0-p3 1.0.1
1.1 1.10.0 2.0.0 2.0.0-beta1 1.0.0.1 5.4.30 5.4.3 2.0.0-stable 1.0.0+build 1.0.0-alpha.1
1.0.0-alpha1-dev 1.0.0-RC1-dev 1.0.x-dev 2020.01.01 0.1 0.0.1 10.4.2 8.x-dev 3.0.0-beta3
2.0-RC 1.2.3.4 1.0.0-pl1 1.0.0-beta10 1.0.0-beta9
""".split()

GO = """
v0.0.0 v0.0.1 v0.1.0 v1.0.0 v1 v1.2 v1.0.0-alpha v1.0.0-alpha.1 v1.0.0-alpha.beta
v1.0.0-beta v1.0.0-beta.2 v1.0.0-beta.11 v1.0.0-rc.1 v1.0.0+build v1.2.3
v1.2.4-0.20191109021931-daa7c04131f5 v1.2.4 v0.0.0-20191109021931-daa7c04131f5
v0.0.0-20200101000000-aaaaaaaaaaaa v2.0.0+incompatible v2.0.0 v2.1.0+incompatible v1.10.0
v1.9.9 v1.0.0-0.3.7 v1.0.0-x.7.z.92 v1.0.0-x-y-z.-- v1.0.0-alpha+001 v1.0.0+20130313144700
v1.0.0-beta+exp.sha.5114f85 v10.0.0 v1.0.0-1 v1.0.0-11 v1.0.0-2 v1.0.0-a v1.0.0-A
v0.0.0-00010101000000-000000000000 v1.2.3-pre.0.20200101000000-abcdefabcdef
""".split()

SEMVER = """
0.0.0 0.0.1 0.1.0 1.0.0-alpha 1.0.0-alpha.1 1.0.0-alpha.beta 1.0.0-beta 1.0.0-beta.2
1.0.0-beta.11 1.0.0-rc.1 1.0.0 1.0.0+build.1 1.0.1 1.1.0 1.10.0 1.2.0 2.0.0-0 2.0.0-1
2.0.0-a 2.0.0-A 2.0.0 10.0.0 1.0.0-0.3.7 1.0.0-x.7.z.92 1.0.0-x-y-z.--
1.0.0-alpha-a.b-c-somethinglong+build.1-aef.1-its-okay 1.0.0-rc.1+build.123
1.2.3----RC-SNAPSHOT.12.9.1--.12+788 2.0.0-rc.1+build.123 1.0.0-beta.0 1.0.0-0A.is.legal
1.0.0-alpha.0valid 4.17.20 4.17.21 4.9.0
""".split()


def classes(versions, cmp):
    """Equal versions grouped, groups in ascending order."""
    ordered = sorted(set(versions), key=functools.cmp_to_key(cmp))
    out = []
    for v in ordered:
        if out and cmp(out[-1][0], v) == 0:
            out[-1].append(v)
        else:
            out.append([v])
    return out


def run(cmd, stdin, cwd=None):
    return subprocess.run(cmd, input=stdin, capture_output=True, text=True, check=True, cwd=cwd).stdout


def pairwise(versions, tool_cmd, cwd=None):
    """Ask an outside program for every pair at once: it reads `a<TAB>b` lines and prints
    -1, 0 or 1 for each; returns a Python comparison function over those answers."""
    pairs = [(a, b) for a in versions for b in versions]
    answers = run(tool_cmd, "".join(f"{a}\t{b}\n" for a, b in pairs), cwd).split()
    table = {p: int(x) for p, x in zip(pairs, answers)}
    return lambda a, b: table[(a, b)]


def valid(versions, tool_cmd, cwd=None):
    """The versions an outside program accepts: it prints 1 or 0 for each line."""
    answers = run(tool_cmd, "".join(v + "\n" for v in versions), cwd).split()
    return [v for v, ok in zip(versions, answers) if ok == "1"]


def pep440():
    import packaging
    from packaging.version import InvalidVersion, Version

    ok = []
    for v in PEP440:
        try:
            Version(v)
            ok.append(v)
        except InvalidVersion:
            pass
    cmp = lambda a, b: (Version(a) > Version(b)) - (Version(a) < Version(b))
    return f"Python packaging {packaging.__version__} (packaging.version.Version)", classes(ok, cmp)


def maven(tmp):
    jar = "/usr/share/java/maven-artifact-3.x.jar"
    src = os.path.join(tmp, "Cmp.java")
    with open(src, "w") as f:
        f.write("""
import java.io.*;
import org.apache.maven.artifact.versioning.ComparableVersion;
public class Cmp {
  public static void main(String[] a) throws Exception {
    BufferedReader r = new BufferedReader(new InputStreamReader(System.in));
    StringBuilder out = new StringBuilder();
    for (String l; (l = r.readLine()) != null; ) {
      String[] p = l.split("\\t", -1);
      int c = new ComparableVersion(p[0]).compareTo(new ComparableVersion(p[1]));
      out.append(Integer.signum(c)).append('\\n');
    }
    System.out.print(out);
  }
}
""")
    subprocess.run(["javac", "-cp", jar, "-d", tmp, src], check=True)
    cmd = ["java", "-cp", f"{jar}:{tmp}", "Cmp"]
    version = run(["dpkg-query", "-W", "-f", "${Version}", "libmaven3-core-java"], "")
    return f"Maven ComparableVersion (Debian libmaven3-core-java {version})", classes(MAVEN, pairwise(MAVEN, cmd))


def rubygems():
    ok = valid(RUBYGEMS, ["ruby", "-e", "STDIN.each_line { |l| puts(Gem::Version.correct?(l.chomp) ? 1 : 0) }"])
    cmd = ["ruby", "-e", "STDIN.each_line { |l| a, b = l.chomp.split(\"\\t\", -1); puts(Gem::Version.new(a) <=> Gem::Version.new(b)) }"]
    version = run(["ruby", "-e", "print RUBY_VERSION, ' rubygems ', Gem::VERSION"], "")
    return f"Ruby {version} (Gem::Version)", classes(ok, pairwise(ok, cmd))


PHP_PRELUDE = """
foreach (['Semver/VersionParser.php'] as $f) { require_once '/usr/share/php/Composer/' . $f; }
$p = new Composer\\Semver\\VersionParser();
"""


def packagist():
    ok = valid(PACKAGIST, ["php", "-r", PHP_PRELUDE + """
while (($l = fgets(STDIN)) !== false) {
  $v = rtrim($l, "\\n");
  try { $n = $p->normalize($v); echo (str_starts_with($n, 'dev-') || str_ends_with($n, '-dev') && str_contains($n, '9999999')) ? "0\\n" : "1\\n"; }
  catch (Exception $e) { echo "0\\n"; }
}
"""])
    cmd = ["php", "-r", PHP_PRELUDE + """
while (($l = fgets(STDIN)) !== false) {
  [$a, $b] = explode("\\t", rtrim($l, "\\n"));
  echo version_compare($p->normalize($a), $p->normalize($b)), "\\n";
}
"""]
    php = run(["php", "-r", "echo PHP_VERSION;"], "")
    semver = run(["dpkg-query", "-W", "-f", "${Version}", "php-composer-semver"], "")
    return (
        f"PHP {php} version_compare over Composer VersionParser::normalize (Debian php-composer-semver {semver})",
        classes(ok, pairwise(ok, cmd)),
    )


def go(tmp):
    goroot = run(["go", "env", "GOROOT"], "").strip()
    vendored = os.path.join(goroot, "src", "cmd", "vendor", "golang.org", "x", "mod", "semver", "semver.go")
    mod = os.path.join(tmp, "gocmp")
    os.makedirs(os.path.join(mod, "semver"), exist_ok=True)
    with open(vendored) as f, open(os.path.join(mod, "semver", "semver.go"), "w") as g:
        g.write(f.read())
    with open(os.path.join(mod, "go.mod"), "w") as f:
        f.write("module gocmp\n\ngo 1.19\n")
    with open(os.path.join(mod, "main.go"), "w") as f:
        f.write("""package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"gocmp/semver"
)

func main() {
	s := bufio.NewScanner(os.Stdin)
	valid := len(os.Args) > 1
	for s.Scan() {
		if valid {
			if semver.IsValid(s.Text()) {
				fmt.Println(1)
			} else {
				fmt.Println(0)
			}
			continue
		}
		p := strings.Split(s.Text(), "\\t")
		fmt.Println(semver.Compare(p[0], p[1]))
	}
}
""")
    env = dict(os.environ, GOFLAGS="-mod=mod", GOPROXY="off", GOCACHE=os.path.join(tmp, "gocache"))
    subprocess.run(["go", "build", "-o", "gocmp"], cwd=mod, check=True, env=env)
    exe = os.path.join(mod, "gocmp")
    ok = valid(GO, [exe, "valid"])
    version = run(["go", "env", "GOVERSION"], "").strip()
    return f"golang.org/x/mod/semver vendored in {version}", classes(ok, pairwise(ok, [exe]))


def semver(tmp):
    npm_dir = os.path.join(tmp, "npm")
    os.makedirs(npm_dir)
    subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "semver@7"], cwd=npm_dir, check=True)
    script = """
const semver = require('semver');
const lines = require('fs').readFileSync(0, 'utf8').split('\\n').filter(Boolean);
const valid = process.argv.includes('valid');
console.log(lines.map(l => {
  if (valid) return semver.valid(l) === null ? 0 : 1;
  const [a, b] = l.split('\\t');
  return semver.compare(a, b);
}).join('\\n'));
"""
    ok = valid(SEMVER, ["node", "-e", script, "--", "valid"], npm_dir)
    version = run(["node", "-e", "process.stdout.write(require('semver/package.json').version)"], "", npm_dir)
    return f"node-semver {version} (semver.compare)", classes(ok, pairwise(ok, ["node", "-e", script], npm_dir))


def write(name, source, groups):
    path = os.path.join(OUT, f"{name}.txt")
    with open(path, "w") as f:
        f.write(f"# {name}: ascending, one line per class of equal versions (tab-separated).\n")
        f.write(f"# Ordered by {source}.\n")
        f.write("# Generated by crates/tollgate-deps/scripts/version-vectors.py; do not edit.\n")
        for g in groups:
            f.write("\t".join(g) + "\n")
    print(f"{path}: {sum(map(len, groups))} versions in {len(groups)} classes", file=sys.stderr)


def main():
    os.makedirs(OUT, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        write("pep440", *pep440())
        write("maven", *maven(tmp))
        write("rubygems", *rubygems())
        write("packagist", *packagist())
        write("go", *go(tmp))
        write("semver", *semver(tmp))


if __name__ == "__main__":
    main()
